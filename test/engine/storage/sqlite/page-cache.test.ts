/**
 * The better-sqlite3 connection's page cache is SQLite's own default size
 * (2 MiB), not the 16 MiB better-sqlite3 builds SQLite with: a rotation
 * reads each page once, in key order (issue 20: 14 MiB of a 1,000,000-record
 * rotation's peak RSS).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  SQLITE_CACHE_SIZE,
  openBetterSqlite3,
} from '../../../../src/engine/storage/sqlite/better-sqlite3-driver.js';
import { makeTempDir, type TempDir } from '../../../support/fixtures.js';

let dir: TempDir;

beforeEach(() => {
  dir = makeTempDir('vsa-page-cache-');
});
afterEach(() => dir.dispose());

describe('better-sqlite3 page cache', () => {
  it.each([false, true])('is 2 MiB on a connection (read-only: %s)', async (readOnly) => {
    const path = join(dir.path, 'vault.db');
    const create = new Database(path);
    // what better-sqlite3 gives a connection by default
    expect(create.pragma('cache_size', { simple: true })).toBe(-16000);
    create.exec('CREATE TABLE t (x)');
    create.close();
    const connection = await openBetterSqlite3({ realPath: path, readOnly, busyTimeoutMs: 1000 });
    try {
      expect(SQLITE_CACHE_SIZE).toBe(-2000);
      expect(connection.all('PRAGMA cache_size')).toEqual([{ cache_size: SQLITE_CACHE_SIZE }]);
    } finally {
      connection.close();
    }
  });
});
