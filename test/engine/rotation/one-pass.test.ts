/**
 * One pre-flight, no derivation wasted: the rotation's own check on a sample
 * is the pre-flight (onPreflight), the sampled records it opened are rotated
 * by it and taken by the pass (not derived again), the canaries are sealed
 * beside it. Real files, real workers, real Argon2id (tiny preset).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  rotateVault,
  type PreflightProgress,
  type PreflightResult,
} from '../../../src/engine/index.js';
import { encodeV2Value } from '../../../src/engine/codec/index.js';
import { loadArgon2idBackend } from '../../../src/engine/kdf/index.js';
import { copyFixture, makeTempDir, readManifest, type TempDir } from '../../support/fixtures.js';
import { buildVault, openStoredValue, readRows, sha256File } from '../../support/vault-builder.js';
import { expectVsrefVerifies } from '../../support/vsref.js';
import {
  NEW_PASSWORD,
  PW_A,
  bytes,
  expectCompletedAsManifest,
  expectFixtureRotated,
  expectedCounts,
  tiny,
} from './support/rotation-checks.js';

const manifest = readManifest('tiny200');
/** sealing the resume canaries: one derivation per password */
const CANARIES = 2;
const OTHER = 'Other-Password-one-pass-0001';

function fixtureOptions(db: string) {
  return {
    vaultPath: db,
    oldPassword: bytes(PW_A),
    newPassword: bytes(NEW_PASSWORD),
    openConfig: tiny,
    workers: 2,
    backup: false,
  };
}

/** Every record of the fixture as a rotation of PW_A should leave it, checked by vsref too where present. */
async function expectRotatedAsManifest(db: string): Promise<void> {
  await expectFixtureRotated(db, manifest, { oldPassword: PW_A, newPassword: NEW_PASSWORD });
  await expectVsrefVerifies(db, {
    config: 'tiny',
    expect: `${PW_A}=>${NEW_PASSWORD}`,
    softDeleted: 'rotated',
  });
}

describe('one pass: the check before the rotation is its pre-flight, and nothing is derived twice', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => dir.dispose());

  it('derives once per v2 record tested and once per record written, plus the canaries', async () => {
    const db = copyFixture('tiny200', dir.path);
    const preflights: PreflightResult[] = [];
    const result = await rotateVault({
      ...fixtureOptions(db),
      onPreflight: (preflight) => preflights.push(preflight),
    });
    const expected = expectedCounts(manifest, PW_A);
    expectCompletedAsManifest(result, manifest, PW_A);
    expect(result).toMatchObject({ derivations: expected.derivations, derivationsDiscarded: 0 });
    // The whole job: the check's sample was taken by the pass, so only the canaries are extra.
    expect(result.derivations + result.checkDerivations!).toBe(expected.derivations + CANARIES);
    expect(result.checkDerivations).toBe(CANARIES);
    // The sample opened v2 records (two derivations each: opened and re-encrypted) and found others closed.
    const [preflight] = preflights;
    expect(preflights).toHaveLength(1);
    expect(preflight).toMatchObject({ table: 'vault', total: expected.scanned, canRotate: true });
    expect(preflight!.v2.opened).toBeGreaterThan(0);
    expect(result.derivationsReused).toBe(
      2 * preflight!.v2.opened + (preflight!.v2.sampled - preflight!.v2.opened),
    );
    // Each record visited once, the sampled ones included.
    expect(result.coverage).toEqual({
      rowsAtStart: expected.scanned,
      visited: expected.scanned,
      foreignWrites: false,
    });
    await expectRotatedAsManifest(db);
  });

  it('a dry run takes the sample too: one derivation per v2 record', async () => {
    const db = copyFixture('tiny200', dir.path);
    const before = sha256File(db);
    const result = await rotateVault({ ...fixtureOptions(db), dryRun: true });
    const v2 = Object.values(manifest.records).filter((record) => record.version === 'v2').length;
    expect(result).toMatchObject({ status: 'completed', dryRun: true, derivations: v2 });
    expect(result.checkDerivations).toBe(0);
    expect(result.derivationsReused).toBeGreaterThan(0);
    expect(sha256File(db)).toBe(before);
  });

  it('does not overwrite a sampled record another connection wrote between the check and the pass', async () => {
    // Fewer records than the sample: every record is sampled (and rotated by the check).
    const vault = await buildVault(join(dir.path, 'small.db'), {
      records: Array.from({ length: 12 }, (_, index) => ({
        password: PW_A,
        plaintext: `record ${index}`,
      })),
    });
    const kdf = await loadArgon2idBackend();
    const [closed, reopened] = [vault.records[3]!, vault.records[7]!];
    // Written by "the application": one under a password the rotation does not have, one under the
    // old password with another plaintext.
    const otherValue = await encodeV2Value(Buffer.from('elsewhere'), bytes(OTHER), tiny, kdf);
    const newOldValue = await encodeV2Value(Buffer.from('changed text'), bytes(PW_A), tiny, kdf);
    let sampled = 0;
    const result = await rotateVault({
      ...fixtureOptions(vault.path),
      onPreflight: (preflight) => {
        sampled = preflight.v2.sampled;
        const other = new Database(vault.path);
        const update = other.prepare('UPDATE vault SET vault_value = ? WHERE id = ?');
        update.run(otherValue, closed.id);
        update.run(newOldValue, reopened.id);
        other.close();
      },
    });
    expect(sampled).toBe(12);
    expect(result).toMatchObject({ status: 'completed', scanned: 12, rotated: 11, skipped: 1 });
    expect(result.failed).toBe(0);
    expect(result.coverage).toMatchObject({ rowsAtStart: 12, visited: 12, foreignWrites: true });
    const rows = readRows(vault.path, 'vault');
    // Left exactly as the other program wrote it (not replaced by the check's re-encryption).
    expect(rows.get(closed.id)!.vault_value).toBe(otherValue);
    // Rotated from what the other program wrote, not from what the check read.
    const now = await openStoredValue(rows.get(reopened.id)!.vault_value, NEW_PASSWORD, tiny);
    expect(now.ok && Buffer.from(now.plaintext).toString()).toBe('changed text');
    for (const record of vault.records) {
      if (record === closed || record === reopened) continue;
      const opened = await openStoredValue(rows.get(record.id)!.vault_value, NEW_PASSWORD, tiny);
      expect(opened.ok && Buffer.from(opened.plaintext).toString(), record.id).toBe(
        record.plaintext!.toString(),
      );
    }
  });

  it('cancelled during the check: nothing written, no checkpoint, no backup', async () => {
    const db = copyFixture('tiny200', dir.path);
    const before = sha256File(db);
    const cancel = new AbortController();
    const preflights: PreflightResult[] = [];
    const result = await rotateVault({
      ...fixtureOptions(db),
      backup: true,
      signal: cancel.signal,
      progressIntervalMs: 0,
      onPreflightProgress: (progress: PreflightProgress) => {
        if (progress.phase === 'checking' && progress.sampled >= 1) cancel.abort();
      },
      onPreflight: (preflight) => preflights.push(preflight),
    });
    expect(result).toMatchObject({ status: 'cancelled', checkpointPath: null, backupPath: null });
    expect(result.rotated).toBe(0);
    expect(preflights).toHaveLength(1);
    expect(preflights[0]).toMatchObject({ cancelled: true });
    expect(sha256File(db)).toBe(before);
    expect(readdirSync(dir.path).sort()).toEqual(['tiny200.db', 'tiny200.db.manifest.json']);
  });

  it('resumes after a cancel right after the check, and completes', async () => {
    const db = copyFixture('tiny200', dir.path);
    const cancel = new AbortController();
    const first = await rotateVault({
      ...fixtureOptions(db),
      signal: cancel.signal,
      onProgress: (progress) => {
        if (progress.phase === 'rotating') cancel.abort();
      },
    });
    // The canaries were sealed beside the check and the first checkpoint written: it can be resumed.
    expect(first.status).toBe('cancelled');
    expect(first.checkpointPath).not.toBeNull();
    expect(existsSync(first.checkpointPath!)).toBe(true);
    const resumed = await rotateVault({ ...fixtureOptions(db), resume: true });
    const expected = expectedCounts(manifest, PW_A);
    expect(resumed).toMatchObject({
      status: 'completed',
      resumed: true,
      scanned: expected.scanned,
      rotated: expected.rotated,
      failed: 0,
    });
    await expectRotatedAsManifest(db);
  });

  it('cancelled as the check ends: nothing to resume, and a resume starts over and completes', async () => {
    const db = copyFixture('tiny200', dir.path);
    const before = sha256File(db);
    const cancel = new AbortController();
    const first = await rotateVault({
      ...fixtureOptions(db),
      signal: cancel.signal,
      onPreflight: () => cancel.abort(),
    });
    expect(first).toMatchObject({ status: 'cancelled', checkpointPath: null, rotated: 0 });
    expect(sha256File(db)).toBe(before);
    const resumed = await rotateVault({ ...fixtureOptions(db), resume: true });
    expect(resumed).toMatchObject({
      status: 'completed',
      resumed: false,
      rotated: expectedCounts(manifest, PW_A).rotated,
    });
    expect(resumed.notes).toContain(
      'There was no unfinished rotation to resume, so this run started from the beginning.',
    );
    await expectFixtureRotated(db, manifest, { oldPassword: PW_A, newPassword: NEW_PASSWORD });
  });
});
