/**
 * "Completed" must mean complete: a resume proves it continues the same
 * rotation, an unfinished rotation is never discarded silently, records
 * another program writes behind the cursor are swept up, and the checkpoint
 * written after the backup stays honest. Real files, real pool, tiny preset.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeV2Value, openValue } from '../../../src/engine/codec/index.js';
import {
  checkpointPathFor,
  readCheckpoint,
  rotateVault,
  type RotationOptions,
  type RotationResult,
} from '../../../src/engine/index.js';
import { loadArgon2idBackend } from '../../../src/engine/kdf/index.js';
import { makeTempDir, type TempDir } from '../../support/fixtures.js';
import { buildVault, readRows, rowidsById, sha256File } from '../../support/vault-builder.js';
import { bytes, tiny } from './support/rotation-checks.js';

const OLD = 'Old-Password-trust-000001';
const NEW = 'New-Password-trust-000001';
const OTHER_NEW = 'Other-New-Password-00001';

function options(vaultPath: string, extra: Partial<RotationOptions> = {}): RotationOptions {
  return {
    vaultPath,
    oldPassword: bytes(OLD),
    newPassword: bytes(NEW),
    openConfig: tiny,
    workers: 2,
    batchSize: 8,
    ...extra,
  };
}

async function rotateAndCancel(
  vaultPath: string,
  after: number,
  extra: Partial<RotationOptions> = {},
): Promise<RotationResult> {
  const controller = new AbortController();
  return rotateVault(
    options(vaultPath, {
      signal: controller.signal,
      progressIntervalMs: 0,
      onProgress: (progress) => {
        if (progress.rotated >= after) controller.abort();
      },
      ...extra,
    }),
  );
}

/** Tokens of the records whose value opens with `password`. */
async function opening(vaultPath: string, password: string): Promise<string[]> {
  const kdf = await loadArgon2idBackend();
  const opened: string[] = [];
  for (const row of readRows(vaultPath, 'vault').values()) {
    if ((await openValue(String(row.vault_value), bytes(password), tiny, kdf)).ok)
      opened.push(String(row.id));
  }
  return opened.sort();
}

async function oldPasswordValue(text: string): Promise<string> {
  return encodeV2Value(Buffer.from(text), bytes(OLD), tiny, await loadArgon2idBackend());
}

describe('a resume proves it continues the same rotation', () => {
  let dir: TempDir;
  let vault: string;
  beforeEach(async () => {
    dir = makeTempDir();
    vault = (
      await buildVault(join(dir.path, 'v.db'), {
        records: Array.from({ length: 80 }, () => ({ password: OLD })),
      })
    ).path;
  });
  afterEach(() => dir.dispose());

  it('refuses after the vault was restored from its backup, and writes nothing', async () => {
    const first = await rotateAndCancel(vault, 16);
    expect(first.status).toBe('cancelled');
    copyFileSync(first.backupPath!, vault); // the administrator restores the backup
    const hash = sha256File(vault);
    await expect(rotateVault(options(vault, { resume: true }))).rejects.toMatchObject({
      code: 'CHECKPOINT',
      message: expect.stringMatching(/vault changed since the interrupted rotation.*--restart/s),
    });
    expect(sha256File(vault)).toBe(hash);
    // Before: "Rotated N" while the restored records stayed under the old password. Now: start over.
    const over = await rotateVault(options(vault, { restart: true, backup: false }));
    expect(over).toMatchObject({ status: 'completed', rotated: 80 });
    expect(await opening(vault, OLD)).toEqual([]);
  });

  it('refuses a different new password (the vault would be split over two)', async () => {
    await rotateAndCancel(vault, 16, { backup: false });
    const hash = sha256File(vault);
    await expect(
      rotateVault(options(vault, { resume: true, newPassword: bytes(OTHER_NEW) })),
    ).rejects.toMatchObject({
      code: 'CHECKPOINT',
      message: expect.stringMatching(/not the new password of the interrupted rotation/),
    });
    expect(sha256File(vault)).toBe(hash);
    expect(await opening(vault, OTHER_NEW)).toEqual([]);
  });

  it('refuses a mistyped old password (the rest would stay under the old one)', async () => {
    await rotateAndCancel(vault, 16, { backup: false });
    const hash = sha256File(vault);
    const checkpoint = readCheckpoint(checkpointPathFor(vault));
    await expect(
      rotateVault(
        options(vault, { resume: true, oldPassword: bytes('Old-Password-trust-00000X') }),
      ),
    ).rejects.toMatchObject({
      code: 'CHECKPOINT',
      message: expect.stringMatching(/not the old password of the interrupted rotation/),
    });
    expect(sha256File(vault)).toBe(hash);
    // the checkpoint is kept for the right passwords
    expect(readCheckpoint(checkpointPathFor(vault))).toEqual(checkpoint);
    const resumed = await rotateVault(options(vault, { resume: true }));
    expect(resumed).toMatchObject({ status: 'completed', resumed: true, rotated: 80 });
    expect(resumed.thisRun!.scanned).toBe(80 - checkpoint!.counts.scanned);
    expect(await opening(vault, OLD)).toEqual([]);
  });

  it('a plain run refuses to discard the unfinished rotation; restart does, and says so', async () => {
    await rotateAndCancel(vault, 16, { backup: false });
    const hash = sha256File(vault);
    await expect(rotateVault(options(vault, { backup: false }))).rejects.toMatchObject({
      code: 'UNFINISHED_ROTATION',
      message: expect.stringMatching(/unfinished rotation.*--resume.*--restart/s),
    });
    expect(sha256File(vault)).toBe(hash);
    const over = await rotateVault(options(vault, { restart: true, backup: false }));
    expect(over.status).toBe('completed');
    expect(over.notes).toContainEqual(expect.stringMatching(/Discarded the unfinished rotation/));
  });

  it('the checkpoint written after the backup keeps the cursor and counts of the last commit', async () => {
    // 40 records under another password first (rowid order), then the old password's: commits without a
    // write move the cursor before the first write takes the backup.
    const mixed = (
      await buildVault(join(dir.path, 'mixed.db'), {
        records: [
          ...Array.from({ length: 40 }, () => ({ password: OTHER_NEW })),
          ...Array.from({ length: 40 }, () => ({ password: OLD })),
        ],
      })
    ).path;
    const rowids = [...rowidsById(mixed).values()];
    const checked: { cursor: string | null; scanned: number }[] = [];
    const result = await rotateVault(
      options(mixed, {
        commitIntervalMs: 0,
        progressIntervalMs: 0,
        onProgress: (progress) => {
          if (progress.phase !== 'rotating' || checked.length > 0) return;
          const checkpoint = readCheckpoint(checkpointPathFor(mixed));
          if (checkpoint?.backupPath) {
            checked.push({ cursor: checkpoint.cursor, scanned: checkpoint.counts.scanned });
          }
        },
      }),
    );
    expect(result.status).toBe('completed');
    expect(checked).toHaveLength(1);
    const { cursor, scanned } = checked[0]!;
    // Before: the cursor went back to the start while the counts stayed (counts exceeded the records).
    expect(cursor).not.toBeNull();
    expect(scanned).toBe(rowids.filter((rowid) => rowid <= BigInt(cursor!)).length);
    expect(scanned).toBeGreaterThan(0);
  });
});

describe('writes by a live application during the run', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => dir.dispose());

  it('a record rewritten behind the cursor and one inserted below it are swept up', async () => {
    const { path, records } = await buildVault(join(dir.path, 'live.db'), {
      records: Array.from({ length: 60 }, () => ({ password: OLD })),
    });
    const behind = records[3]!;
    const rewritten = await oldPasswordValue('rewritten by the application');
    const inserted = await oldPasswordValue('inserted by the application');
    let wrote = false;
    const result = await rotateVault(
      options(path, {
        backup: false,
        progressIntervalMs: 0,
        onProgress: (progress) => {
          if (wrote || progress.phase !== 'rotating' || progress.rotated < 40) return;
          wrote = true;
          // An application still on the old password, behind the rotation's cursor.
          const app = new Database(path);
          app.prepare('UPDATE vault SET vault_value = ? WHERE id = ?').run(rewritten, behind.id);
          app
            .prepare(
              `INSERT INTO vault (rowid, id, vault_token, vault_value, created_at, updated_at, expires_at, soft_deleted_at)
               VALUES (0, 'inserted-below', 'tk_inserted_below', ?, '2026-01-01 00:00:00', '2026-01-01 00:00:00',
               '9999-01-01 00:00:00', '9999-01-01 00:00:00')`,
            )
            .run(inserted);
          app.close();
        },
      }),
    );
    expect(wrote).toBe(true);
    // Before: "completed, failed 0" with both records still under the old password.
    expect(result).toMatchObject({ status: 'completed', failed: 0 });
    expect(result.coverage).toMatchObject({ rowsAtStart: 60, visited: 60, foreignWrites: true });
    expect(result.sweep).toMatchObject({
      changed: 1,
      inserted: 1,
      rotated: 2,
      stillWriting: false,
    });
    expect(await opening(path, OLD)).toEqual([]);
    expect((await opening(path, NEW)).length).toBe(61);
    const kdf = await loadArgon2idBackend();
    const row = readRows(path, 'vault').get(behind.id)!;
    const opened = await openValue(String(row.vault_value), bytes(NEW), tiny, kdf);
    expect(opened.ok && Buffer.from(opened.plaintext).toString()).toBe(
      'rewritten by the application',
    );
  });

  it('a run stopped in its sweep: the resume re-examines every record and completes', async () => {
    const { path } = await buildVault(join(dir.path, 'sweep-stop.db'), {
      records: Array.from({ length: 40 }, () => ({ password: OLD })),
    });
    const value = await oldPasswordValue('written during the run');
    const controller = new AbortController();
    let wrote = false;
    const first = await rotateVault(
      options(path, {
        backup: false,
        signal: controller.signal,
        progressIntervalMs: 0,
        onProgress: (progress) => {
          if (progress.phase !== 'rotating') return;
          if (!wrote && progress.rotated >= 20) {
            wrote = true;
            const app = new Database(path);
            app.prepare('UPDATE vault SET vault_value = ? WHERE rowid = 1').run(value);
            app.close();
          } else if (wrote && progress.scanned === progress.total) {
            // the main pass is over: this event comes from the sweep
            controller.abort();
          }
        },
      }),
    );
    expect(first.status).toBe('cancelled');
    const checkpoint = readCheckpoint(checkpointPathFor(path));
    expect(checkpoint).toMatchObject({ redoFromStart: true, cursor: null });
    // Before: the checkpoint pointed past the end, and a resume said "completed" at once.
    const resumed = await rotateVault(options(path, { resume: true, backup: false }));
    expect(resumed.status).toBe('completed');
    expect(resumed.thisRun!.scanned).toBe(40);
    // The summary covers the whole rotation: the 39 records the first run rotated (skipped by the
    // redo, which sees them under the new password) and the one the application put back.
    // Before: rotated 1, skipped 39.
    expect(resumed).toMatchObject({ scanned: 40, rotated: 40, skipped: 0, failed: 0 });
    expect(resumed.thisRun).toMatchObject({ rotated: 1, skipped: 39 });
    expect(resumed.notes).toContainEqual(expect.stringMatching(/re-examined every record/));
    expect(await opening(path, OLD)).toEqual([]);
  });

  it('an application that keeps writing with the old password: incomplete, never completed', async () => {
    const { path } = await buildVault(join(dir.path, 'busy.db'), {
      records: Array.from({ length: 30 }, () => ({ password: OLD })),
    });
    const value = await oldPasswordValue('written again and again');
    let n = 0;
    const result = await rotateVault(
      options(path, {
        backup: false,
        progressIntervalMs: 0,
        onProgress: (progress) => {
          // After the main pass every event comes from a sweep: write one more old-password record each time.
          if (progress.phase !== 'rotating' || progress.scanned < progress.total) return;
          const app = new Database(path);
          app
            .prepare(
              `INSERT INTO vault (id, vault_token, vault_value, created_at, updated_at, expires_at, soft_deleted_at)
               VALUES (?, ?, ?, '2026-01-01 00:00:00', '2026-01-01 00:00:00', '9999-01-01 00:00:00', '9999-01-01 00:00:00')`,
            )
            .run(`busy-${n}`, `tk_busy_${n++}`, value);
          app.close();
        },
      }),
    );
    expect(result.status).toBe('incomplete');
    expect(result.sweep).toMatchObject({ stillWriting: true });
    expect(result.sweep!.rounds).toBe(5);
    expect(result.notes).toContainEqual(expect.stringMatching(/kept writing.*old password/));
    expect(readFileSync(path).length).toBeGreaterThan(0);
  });
});
