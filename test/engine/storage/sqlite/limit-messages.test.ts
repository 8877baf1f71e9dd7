/**
 * Messages for limits and permissions that used to say something else than
 * what happened: one value over ~512 MB ("check the disk", or "a trigger may
 * refuse the change" while reading), a file over 2 GiB on sql.js ("check the
 * disk"), a folder the user cannot enter ("cannot be written"). Fed with real
 * failures: SQLite's own TOOBIG, V8's own string limit, a real sparse file.
 */
import Database from 'better-sqlite3';
import { copyFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isEngineError } from '../../../../src/engine/errors.js';
import { openVault } from '../../../../src/engine/storage/index.js';
import { toEngineError } from '../../../../src/engine/storage/sqlite/errors.js';
import { fixturesDir, makeTempDir, type TempDir } from '../../../support/fixtures.js';

const reading = { path: '/data/vault.db', action: 'reading', busyTimeoutMs: 5000 };

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

/** More than the ~2^29 characters SQLite (as better-sqlite3 builds it) and V8 allow. */
const OVER_STRING_LIMIT = 600_000_000;

function expectValueTooLarge(error: unknown): void {
  const mapped = toEngineError(error, reading);
  expect(mapped.code).toBe('IO');
  expect(mapped.message).toMatch(
    /^A value in the vault \/data\/vault\.db is too large to handle while reading it \(.+\): one value \(or row\) is over about 512 MB/,
  );
  expect(mapped.message).toMatch(/Nothing was changed\./);
  expect(mapped.message).toMatch(/SELECT id, length\(vault_value\) FROM <table> ORDER BY 2 DESC/);
  // What the old message said, which did not fit a read of one oversized value:
  expect(mapped.message).not.toMatch(/trigger|constraint|disk is available/);
}

describe('one oversized value', () => {
  it('SQLITE_TOOBIG from better-sqlite3 says the value is too large and how to find it', () => {
    const db = new Database(':memory:');
    const error = thrownBy(() => db.prepare('SELECT zeroblob(?) AS v').get(OVER_STRING_LIMIT));
    db.close();
    expect((error as { code?: string }).code).toBe('SQLITE_TOOBIG');
    expectValueTooLarge(error);
  });

  it('"string or blob too big" from sql.js (message only): the same', async () => {
    const SQL = await initSqlJs();
    const db = new SQL.Database();
    const error = thrownBy(() => db.exec('SELECT zeroblob(2000000000)'));
    db.close();
    expect(String(error)).toMatch(/string or blob too big/);
    expectValueTooLarge(error);
  });

  it("V8's string limit (sql.js decoding a value over ~512 MB): the same", () => {
    const error = thrownBy(() => 'x'.repeat(2 ** 30));
    expect(error).toBeInstanceOf(RangeError);
    expectValueTooLarge(error);
  });
});

describe('permission denied while opening or reading', () => {
  it('says the vault cannot be read (not written) and what access to give', () => {
    // The errno error Node gives a stat() under a folder the user cannot enter.
    const error = Object.assign(new Error("EACCES: permission denied, stat '/data/vault.db'"), {
      code: 'EACCES',
    });
    for (const action of ['opening', 'reading']) {
      const mapped = toEngineError(error, { ...reading, action });
      expect(mapped.code).toBe('IO');
      expect(mapped.message).toMatch(
        new RegExp(
          `^The vault /data/vault\\.db cannot be read: permission denied while ${action} it \\(EACCES\\)`,
        ),
      );
      expect(mapped.message).toMatch(/search \(x\) access to each folder above it/);
    }
    const writing = toEngineError(error, { ...reading, action: 'writing to' });
    expect(writing.code).toBe('READ_ONLY');
  });
});

describe('sql.js and files over 2 GiB', () => {
  let temp: TempDir;
  beforeEach(() => {
    temp = makeTempDir('vsa-sqljs-2g-');
  });
  afterEach(() => temp.dispose());

  it('refuses with what to do (the native driver), before reading anything', async () => {
    // A real vault made 2.1 GiB by a hole at its end: no disk space used.
    const path = join(temp.path, 'big.db');
    copyFileSync(join(fixturesDir, 'tiny200.db'), path);
    truncateSync(path, Math.round(2.1 * 1024 ** 3));
    const error = await openVault(path, { driver: 'sql.js', readOnly: true }).then(
      () => null,
      (failure: unknown) => failure,
    );
    expect(isEngineError(error) && error.code).toBe('IO');
    expect(String((error as Error).message)).toBe(
      `The vault ${path} is 2.1 GiB: the sql.js driver (SQLite in WebAssembly, which loads the whole file into ` +
        'memory) cannot load files over 2 GiB. Nothing was changed. Use the native driver (better-sqlite3, ' +
        'e.g. --driver better-sqlite3 on the command line); if it does not load, reinstall the application ' +
        'for this platform.',
    );
    // The native driver opens the same file.
    const store = await openVault(path, { driver: 'better-sqlite3', readOnly: true });
    try {
      expect((await store.info()).tables[0]?.records).toBe(200);
    } finally {
      await store.close();
    }
  });
});
