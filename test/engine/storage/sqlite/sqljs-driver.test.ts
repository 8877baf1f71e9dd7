/**
 * What only the sql.js driver has to do: work on an in-memory copy, replace
 * the file atomically, and refuse when the file changed or is in use.
 */
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  readFileSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openVault } from '../../../../src/engine/storage/index.js';
import type { VaultStore } from '../../../../src/engine/storage/index.js';
import { copyFixture, makeTempDir } from '../../../support/fixtures.js';
import type { TempDir } from '../../../support/fixtures.js';
import { tableRows, expectEngineError, listFolder, sha256File } from '../support/sqlite-vaults.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** Another process (not this one) changes one value, in place, with SQLite. */
function changeInAnotherProcess(path: string, id: string, value: string): void {
  const script = `const D = require('better-sqlite3'); const db = new D(process.argv[1]);
    db.prepare('UPDATE vault SET vault_value = ? WHERE id = ?').run(process.argv[3], process.argv[2]); db.close();`;
  execFileSync(process.execPath, ['-e', script, path, id, value], { cwd: repoRoot });
}

describe('sql.js driver specifics', () => {
  let temp: TempDir;
  const stores: VaultStore[] = [];
  const openSqlJs = async (
    path: string,
    options: { readOnly?: boolean; busyTimeoutMs?: number } = {},
  ) => {
    const store = await openVault(path, { driver: 'sql.js', ...options });
    stores.push(store);
    return store;
  };

  beforeEach(() => {
    temp = makeTempDir('vsa-sqljs-');
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    temp.dispose();
  });

  it('refuses with FILE_CHANGED when another process modified the file, and writes nothing', async () => {
    const path = copyFixture('tiny200', temp.path);
    const store = await openSqlJs(path);
    const [first, second] = await store.readRecords('vault', { limit: 2 });
    changeInAnotherProcess(path, second!.id, 'v2:from-another-process');
    const theirs = sha256File(path);
    await expectEngineError(
      () =>
        store.writeBatch(
          'vault',
          [{ key: first!.key, expectedValue: first!.value, newValue: 'v2:x' }],
          '2030-01-01 00:00:00',
        ),
      'FILE_CHANGED',
      /close the other program.*open the vault again/i,
    );
    expect(sha256File(path)).toBe(theirs);
    expect(listFolder(temp.path)).toEqual(['tiny200.db', 'tiny200.db.manifest.json']);
  });

  it('notices a change that kept size and modification time (content hash)', async () => {
    const path = copyFixture('tiny200', temp.path);
    const fixedTime = new Date('2026-01-01T00:00:00Z');
    utimesSync(path, fixedTime, fixedTime);
    const sizeBefore = statSync(path).size;
    const store = await openSqlJs(path);
    const [first, second] = await store.readRecords('vault', { limit: 2 });
    const sameLength = `${second!.value.slice(0, -5)}AAAA=`;
    changeInAnotherProcess(path, second!.id, sameLength);
    utimesSync(path, fixedTime, fixedTime);
    expect(statSync(path).size).toBe(sizeBefore);
    expect(statSync(path).mtime).toEqual(fixedTime);
    await expectEngineError(
      () =>
        store.writeBatch(
          'vault',
          [{ key: first!.key, expectedValue: first!.value, newValue: 'v2:x' }],
          '2030-01-01 00:00:00',
        ),
      'FILE_CHANGED',
      /content changed/i,
    );
  });

  it('replaces the file atomically, keeping its permissions, with no temporary file left', async () => {
    const path = copyFixture('tiny200', temp.path);
    chmodSync(path, 0o640);
    const inodeBefore = statSync(path).ino;
    const store = await openSqlJs(path);
    const [record] = await store.readRecords('vault', { limit: 1 });
    await store.writeBatch(
      'vault',
      [{ key: record!.key, expectedValue: record!.value, newValue: 'v2:x' }],
      '2030-01-01 00:00:00',
    );
    const after = statSync(path);
    expect(after.ino).not.toBe(inodeBefore);
    expect(after.mode & 0o777).toBe(0o640);
    expect(listFolder(temp.path)).toEqual(['tiny200.db', 'tiny200.db.manifest.json']);
  });

  it('writing through a symbolic link replaces the target and keeps the link', async () => {
    const path = copyFixture('tiny200', temp.path);
    const link = join(temp.path, 'link.db');
    symlinkSync(path, link);
    const store = await openSqlJs(link);
    const [record] = await store.readRecords('vault', { limit: 1 });
    await store.writeBatch(
      'vault',
      [{ key: record!.key, expectedValue: record!.value, newValue: 'v2:via-link' }],
      '2030-01-01 00:00:00',
    );
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(tableRows(path, 'vault').find((row) => row.id === record!.id)?.vault_value).toBe(
      'v2:via-link',
    );
  });

  it('writes the same bytes as native SQLite, apart from the change counter and version stamp', async () => {
    const images: Buffer[] = [];
    for (const driver of ['better-sqlite3', 'sql.js'] as const) {
      const folder = join(temp.path, driver);
      execFileSync('mkdir', [folder]);
      const path = copyFixture('tiny200', folder);
      const store = await openVault(path, { driver });
      const records = await store.readRecords('vault', { limit: 60 });
      const updates = records
        .filter((_, i) => i % 3 === 0)
        .map((r, i) => ({
          key: r.key,
          expectedValue: r.value,
          newValue: `v2:${'Q'.repeat(80 + i * 7)}`,
        }));
      await store.writeBatch('vault', updates, '2030-01-01 00:00:00');
      await store.close();
      images.push(readFileSync(path));
    }
    const [native, wasm] = images as [Buffer, Buffer];
    expect(wasm.length).toBe(native.length);
    const differing = [...native.keys()].filter((i) => native[i] !== wasm[i]);
    // 24-27 file change counter, 92-95 version-valid-for, 96-99 SQLite version number
    expect(differing.every((i) => (i >= 24 && i < 28) || (i >= 92 && i < 100))).toBe(true);
  });

  describe('write-ahead log (WAL)', () => {
    it('refuses a vault another program holds open in WAL mode', async () => {
      const path = copyFixture('tiny200', temp.path);
      const app = new Database(path);
      try {
        app.pragma('journal_mode = WAL');
        app.prepare("UPDATE vault SET updated_at = '2030-01-01 00:00:00' WHERE rowid = 1").run();
        await expectEngineError(
          openSqlJs(path),
          'LOCKED',
          /close the application.*better-sqlite3/is,
        );
        await expectEngineError(
          openSqlJs(path, { readOnly: true }),
          'LOCKED',
          /close the application/i,
        );
      } finally {
        app.close();
      }
    });

    it('reads and writes a WAL-mode vault whose log was folded in, keeping it in WAL mode', async () => {
      const path = copyFixture('tiny200', temp.path);
      const app = new Database(path);
      app.pragma('journal_mode = WAL');
      app.close();
      expect(readFileSync(path).subarray(18, 20)).toEqual(Buffer.from([2, 2]));
      const store = await openSqlJs(path);
      const [record] = await store.readRecords('vault', { limit: 1 });
      await store.writeBatch(
        'vault',
        [{ key: record!.key, expectedValue: record!.value, newValue: 'v2:wal' }],
        '2030-01-01 00:00:00',
      );
      await store.close();
      expect(readFileSync(path).subarray(18, 20)).toEqual(Buffer.from([2, 2]));
      const check = new Database(path, { readonly: true });
      expect(check.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
      check.close();
      expect(tableRows(path, 'vault').find((row) => row.id === record!.id)?.vault_value).toBe(
        'v2:wal',
      );
    });
  });

  it('waits for a journal in use, then says a program is writing or crashed', async () => {
    const path = copyFixture('tiny200', temp.path);
    writeFileSync(`${path}-journal`, Buffer.alloc(512, 1));
    const before = sha256File(path);
    await expectEngineError(
      openSqlJs(path, { busyTimeoutMs: 100 }),
      'LOCKED',
      /crashed.*repairs it/is,
    );
    expect(sha256File(path)).toBe(before);
  });
});
