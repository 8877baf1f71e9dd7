/**
 * A backup holds every secret of the vault under the password being retired.
 * On a world-readable (0644) vault of tens of MB, sampled from another thread
 * while each driver writes it: the backup (and SQLite's journal beside it) is
 * never group/other readable, not even for a moment; a backup killed halfway
 * leaves only a private partial file, which the next run's cleanup removes; a
 * link planted at the backup's name while it is written is refused.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeStaleTempFiles } from '../../src/engine/rotation/state/stale-temp-files.js';
import { openVault } from '../../src/engine/storage/index.js';
import { copyFixture, makeTempDir, type TempDir } from '../support/fixtures.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '../..');
const FILLER_ROWS = 40;
const FILLER_BYTES = 1024 * 1024;
const BACKUP_NAME = 'big.backup-20300101-000000.db';
const BACKUP_FILES = /^\.?big\.backup-20300101-000000\.db/;

interface Sample {
  count: number;
  groupOther: number;
  sizes: number[];
}

/**
 * Samples lstat of every matching name in `dir`, as fast as it can, in its
 * own thread, until stopped. Plain JS: a worker thread cannot load the TS.
 */
const SAMPLER = `
const { workerData, parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const stop = new Int32Array(workerData.stop);
const pattern = new RegExp(workerData.pattern);
const samples = {};
parentPort.postMessage('ready');
while (Atomics.load(stop, 0) === 0) {
  let names = [];
  try { names = fs.readdirSync(workerData.dir); } catch { continue; }
  for (const name of names) {
    if (!pattern.test(name)) continue;
    try {
      const stats = fs.lstatSync(path.join(workerData.dir, name));
      const sample = (samples[name] ??= { count: 0, groupOther: 0, sizes: [] });
      sample.count++;
      sample.groupOther |= stats.mode & 0o077;
      if (sample.sizes.length < 1000 && !sample.sizes.includes(stats.size)) sample.sizes.push(stats.size);
    } catch {}
  }
}
parentPort.postMessage(samples);
`;

async function sampleWhile(
  dir: string,
  pattern: RegExp,
  run: () => Promise<void>,
): Promise<Record<string, Sample>> {
  const stop = new SharedArrayBuffer(4);
  const worker = new Worker(SAMPLER, {
    eval: true,
    workerData: { dir, pattern: pattern.source, stop },
  });
  const messages: unknown[] = [];
  let onMessage: () => void = () => undefined;
  worker.on('message', (message: unknown) => {
    messages.push(message);
    onMessage();
  });
  const next = (count: number): Promise<void> =>
    new Promise((resolve) => {
      onMessage = () => {
        if (messages.length >= count) resolve();
      };
      onMessage();
    });
  try {
    await next(1); // sampling has started
    await run();
    Atomics.store(new Int32Array(stop), 0, 1);
    await next(2);
    return messages[1] as Record<string, Sample>;
  } finally {
    await worker.terminate();
  }
}

let temp: TempDir;
let vault: string;

/** tiny200 plus 40 MiB of incompressible filler, readable by everyone (0644). */
beforeAll(() => {
  temp = makeTempDir('vsa-backup-mode-');
  const source = join(temp.path, 'source');
  mkdirSync(source);
  const fixture = copyFixture('tiny200', source);
  const db = new Database(fixture);
  db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, payload BLOB)');
  const insert = db.prepare('INSERT INTO filler (payload) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < FILLER_ROWS; i++) insert.run(randomBytes(FILLER_BYTES));
  })();
  db.close();
  vault = join(source, 'big.db');
  writeFileSync(vault, readFileSync(fixture));
  chmodSync(vault, 0o644);
});
afterAll(() => temp.dispose());

function freshFolder(name: string): { dir: string; vault: string } {
  const dir = join(temp.path, name);
  mkdirSync(dir);
  const copy = join(dir, 'big.db');
  writeFileSync(copy, readFileSync(vault));
  chmodSync(copy, 0o644);
  return { dir, vault: copy };
}

describe.each(['better-sqlite3', 'sql.js'] as const)('the backup of a 0644 vault, %s', (driver) => {
  it('is never group/other readable while it is written, nor after', async () => {
    const { dir, vault: copy } = freshFolder(`sampled-${driver}`);
    const destination = join(dir, BACKUP_NAME);
    const store = await openVault(copy, { driver, readOnly: true });
    let samples: Record<string, Sample>;
    try {
      samples = await sampleWhile(dir, BACKUP_FILES, () => store.backupTo(destination));
    } finally {
      await store.close();
    }

    for (const [name, sample] of Object.entries(samples)) {
      expect(sample.groupOther, `${name} was group/other readable`).toBe(0);
    }
    const finalSize = statSync(destination).size;
    expect(finalSize).toBeGreaterThan(FILLER_ROWS * FILLER_BYTES);
    expect(statSync(destination).mode & 0o777).toBe(0o600);
    const temporaries = Object.entries(samples).filter(([name]) => name.startsWith('.'));
    const partial = temporaries.flatMap(([, sample]) =>
      sample.sizes.filter((size) => size < finalSize),
    );
    console.log(
      `[backup-mode] ${driver}: ${JSON.stringify(
        Object.fromEntries(
          Object.entries(samples).map(([name, s]) => [
            name,
            { samples: s.count, sizes: s.sizes.length },
          ]),
        ),
      )}`,
    );
    // the copy was seen while it was being written
    expect(temporaries.length).toBeGreaterThanOrEqual(1);
    expect(partial.length).toBeGreaterThanOrEqual(1);
  });

  it('killed halfway leaves only a private partial copy, which the cleanup removes', async () => {
    const { dir, vault: copy } = freshFolder(`killed-${driver}`);
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(here, 'support/backup-child.ts'),
        copy,
        join(dir, BACKUP_NAME),
        driver,
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    const partialCopy = (): string | undefined =>
      readdirSync(dir).find((name) => {
        if (!/^\.big\.backup-.*\.tmp$/.test(name)) return false;
        try {
          return lstatSync(join(dir, name)).size > 0;
        } catch {
          return false;
        }
      });
    const deadline = Date.now() + 60_000;
    while (!partialCopy() && Date.now() < deadline && child.exitCode === null) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    child.kill('SIGKILL');
    await exited;

    expect(output, 'the backup finished before it could be killed').not.toContain('done');
    const left = readdirSync(dir).filter((name) => name !== 'big.db');
    expect(
      left.some((name) => /^\.big\.backup-.*\.tmp$/.test(name)),
      left.join(', '),
    ).toBe(true);
    expect(existsSync(join(dir, BACKUP_NAME))).toBe(false);
    for (const name of left) {
      expect(lstatSync(join(dir, name)).mode & 0o077, name).toBe(0);
    }
    const removed = removeStaleTempFiles(
      copy,
      `${copy}.rotation-checkpoint.json`,
      Date.now() + 120_000,
    );
    expect(removed.sort()).toEqual(left.map((name) => join(dir, name)).sort());
    expect(readdirSync(dir)).toEqual(['big.db']);
  });
});

it('a link planted at the backup name while it is written: refused, nothing written through', async () => {
  const { dir, vault: copy } = freshFolder('planted-mid-backup');
  const victim = join(temp.path, 'victim');
  writeFileSync(victim, 'must not change', { mode: 0o600 });
  const destination = join(dir, BACKUP_NAME);
  const store = await openVault(copy, { driver: 'better-sqlite3', readOnly: true });
  try {
    const backup = store.backupTo(destination);
    const outcome = backup.then(
      () => null,
      (error: unknown) => error,
    );
    while (!readdirSync(dir).some((name) => name.endsWith('.tmp'))) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    symlinkSync(victim, destination);
    expect(await outcome).toMatchObject({
      code: 'USAGE',
      message: expect.stringMatching(/symbolic link is already there/) as unknown,
    });
  } finally {
    await store.close();
  }
  expect(readFileSync(victim, 'utf8')).toBe('must not change');
  expect(lstatSync(destination).isSymbolicLink()).toBe(true);
  expect(readdirSync(dir).sort()).toEqual([BACKUP_NAME, 'big.db']);
});
