/**
 * Peak memory of a rotation of large values is bounded by bytes, not by a
 * number of records: 32 values of 16 MiB (about 22 MB each as stored v2
 * text, 720 MB of values), tiny preset, 2 workers, rotated in a child process
 * that reports its peak RSS (process.resourceUsage().maxRSS, worker threads
 * and the tsx loader included).
 *
 * Measured on the 2-core test machine (better-sqlite3):
 *   before the byte bounds (commit 3a1dd51, a page of 32 records = every value): 2264 MiB
 *   with the byte bounds (pages/batches of 16 MB, 64 MB in flight):           1186, 1213 MiB
 * (with 8 MiB values the two were 1088/1351 MiB old vs 770-1018 MiB new: too close to call).
 * The bound sits between the two with about 500 MiB margin on either side.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeV2Value, openValue } from '../../../../src/engine/codec/index.js';
import { loadArgon2idBackend } from '../../../../src/engine/kdf/index.js';
import { makeTempDir, type TempDir } from '../../../support/fixtures.js';
import { NEVER } from '../../../support/vault-builder.js';
import { vaultTableDdl } from '../../../support/odd-vault.js';
import { LARGE_NEW, LARGE_OLD } from '../support/large-values-passwords.js';
import { tiny } from '../support/rotation-checks.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../../..');
const VALUES = 32;
const PLAINTEXT_BYTES = 16 * 1024 * 1024;
const MAX_RSS_MIB = 1700;

let dir: TempDir;
beforeEach(() => {
  dir = makeTempDir('vsa-large-values-');
});
afterEach(() => dir.dispose());

async function buildLargeVault(path: string): Promise<void> {
  const kdf = await loadArgon2idBackend('auto');
  const db = new Database(path);
  try {
    db.exec(vaultTableDdl('vault', { idType: 'text NOT NULL', tail: 'PRIMARY KEY (id)' }));
    const insert = db.prepare('INSERT INTO vault VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (let i = 0; i < VALUES; i++) {
      const plaintext = randomBytes(PLAINTEXT_BYTES);
      plaintext.writeUInt32LE(i, 0);
      const value = await encodeV2Value(plaintext, Buffer.from(LARGE_OLD), tiny, kdf);
      insert.run(
        `id-${String(i).padStart(3, '0')}`,
        `tk_large_${i}`,
        value,
        NEVER,
        NEVER,
        NEVER,
        NEVER,
      );
    }
  } finally {
    db.close();
  }
}

function runChild(
  vaultPath: string,
): Promise<{ status: string; rotated: number; failed: number; maxRssKiB: number }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(here, '../support/large-values-child.ts'), vaultPath],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`the child exited ${code}:\n${stderr}`));
      else resolvePromise(JSON.parse(stdout.trim().split('\n').at(-1)!));
    });
  });
}

describe('peak memory of a rotation of large values', () => {
  it(`stays under ${MAX_RSS_MIB} MiB for ${VALUES} values of ${PLAINTEXT_BYTES / 1024 / 1024} MiB`, async () => {
    const path = join(dir.path, 'large.db');
    await buildLargeVault(path);
    const report = await runChild(path);
    const peakMiB = Math.round(report.maxRssKiB / 1024);
    console.log(`large values: peak RSS ${peakMiB} MiB (bound ${MAX_RSS_MIB} MiB)`);
    expect(report).toMatchObject({ status: 'completed', rotated: VALUES, failed: 0 });
    expect(peakMiB).toBeLessThan(MAX_RSS_MIB);

    // spot check: the last value opens with the new password
    const db = new Database(path, { readonly: true });
    const last = db.prepare('SELECT vault_value FROM vault ORDER BY id DESC LIMIT 1').get() as {
      vault_value: string;
    };
    db.close();
    const opened = await openValue(
      last.vault_value,
      Buffer.from(LARGE_NEW),
      tiny,
      await loadArgon2idBackend(),
    );
    expect(opened.ok && opened.plaintext.readUInt32LE(0)).toBe(VALUES - 1);
  });
});
