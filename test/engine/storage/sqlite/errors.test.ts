/**
 * Error translation fed with real failures from SQLite (both engines) and the
 * file system, for the cases that are hard to provoke through a whole vault
 * (a full disk).
 */
import Database from 'better-sqlite3';
import { existsSync, writeFileSync } from 'node:fs';
import initSqlJs from 'sql.js';
import { describe, expect, it } from 'vitest';
import { isEngineError } from '../../../../src/engine/errors.js';
import { toEngineError } from '../../../../src/engine/storage/sqlite/errors.js';

const context = { path: '/data/vault.db', action: 'writing to', busyTimeoutMs: 5000 };

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

/** A database that may not grow past a few pages: SQLite answers SQLITE_FULL. */
const FILL = `CREATE TABLE t (x text); PRAGMA max_page_count = 3;
  INSERT INTO t VALUES (randomblob(5000)); INSERT INTO t VALUES (randomblob(5000));`;

describe('toEngineError', () => {
  it('SQLITE_FULL from better-sqlite3 becomes DISK_FULL', () => {
    const db = new Database(':memory:');
    const error = thrownBy(() => db.exec(FILL));
    db.close();
    expect((error as { code?: string }).code).toBe('SQLITE_FULL');
    const mapped = toEngineError(error, context);
    expect(mapped.code).toBe('DISK_FULL');
    expect(mapped.message).toMatch(/free some disk space/i);
  });

  it('SQLITE_FULL from sql.js (message only) becomes DISK_FULL', async () => {
    const SQL = await initSqlJs();
    const db = new SQL.Database();
    const error = thrownBy(() => db.exec(FILL));
    db.close();
    expect(toEngineError(error, context).code).toBe('DISK_FULL');
  });

  it.runIf(existsSync('/dev/full'))('ENOSPC from the file system becomes DISK_FULL', () => {
    const error = thrownBy(() => writeFileSync('/dev/full', 'x'));
    expect((error as { code?: string }).code).toBe('ENOSPC');
    expect(toEngineError(error, context).code).toBe('DISK_FULL');
  });

  it('busy SQLite becomes LOCKED with the time waited', () => {
    const mapped = toEngineError(
      Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }),
      context,
    );
    expect(mapped.code).toBe('LOCKED');
    expect(mapped.message).toMatch(/waited 5 s.*try again/);
  });

  it('EngineErrors pass through unchanged; unknown failures become IO with advice', () => {
    const first = toEngineError(new Error('strange'), context);
    expect(isEngineError(first)).toBe(true);
    expect(first.code).toBe('IO');
    expect(first.message).toMatch(/try again/);
    expect(toEngineError(first, context)).toBe(first);
  });
});
