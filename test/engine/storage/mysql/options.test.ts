/**
 * The MySQL/MariaDB driver's pure parts, without a server: TLS modes to
 * mysql2's ssl options, the connection options (password as mysql2 needs it,
 * datetimes and big numbers as text), error translation (no password in any
 * message), the server lock name and how a batch is split by bytes.
 */
import { describe, expect, it } from 'vitest';
import { parseServerTarget } from '../../../../src/engine/storage/server/server-target.js';
import {
  mysqlConnectionOptions,
  mysqlSslOptions,
} from '../../../../src/engine/storage/mysql/connection-options.js';
import { toMysqlEngineError } from '../../../../src/engine/storage/mysql/errors.js';
import { lockWaitSeconds } from '../../../../src/engine/storage/mysql/session.js';
import { chunkUpdates } from '../../../../src/engine/storage/mysql/batch-write.js';
import { rotationLockName } from '../../../../src/engine/storage/mysql/rotation-lock.js';
import { libraryDateTime } from '../../../../src/engine/storage/mysql/backup.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const readCa = (path: string): string => {
  if (path !== '/etc/ca.pem') throw Object.assign(new Error('nope'), { code: 'ENOENT' });
  return CA;
};
const target = (query = '') => parseServerTarget(`mysql://app@db.example:3307/vault${query}`);

describe('MySQL TLS options', () => {
  it('maps each TLS mode to mysql2 ssl options', () => {
    // another host without a TLS mode: verified by default; this machine: plain unless asked
    expect(mysqlSslOptions(target(), readCa)).toEqual({
      rejectUnauthorized: true,
      verifyIdentity: true,
    });
    expect(
      mysqlSslOptions(parseServerTarget('mysql://app@127.0.0.1:3307/vault'), readCa),
    ).toBeUndefined();
    expect(mysqlSslOptions(target('?ssl-mode=DISABLED'), readCa)).toBeUndefined();
    expect(mysqlSslOptions(target('?ssl-mode=REQUIRED'), readCa)).toEqual({
      rejectUnauthorized: false,
    });
    expect(mysqlSslOptions(target('?ssl-mode=VERIFY_CA&ssl-ca=/etc/ca.pem'), readCa)).toEqual({
      ca: CA,
      rejectUnauthorized: true,
      verifyIdentity: false,
    });
    expect(mysqlSslOptions(target('?ssl-mode=VERIFY_IDENTITY&ssl-ca=/etc/ca.pem'), readCa)).toEqual(
      { ca: CA, rejectUnauthorized: true, verifyIdentity: true },
    );
    // a CA alone means verify-full; verify-full without a CA trusts the system's CAs
    expect(mysqlSslOptions(target('?ssl-ca=/etc/ca.pem'), readCa)).toMatchObject({
      verifyIdentity: true,
    });
    expect(mysqlSslOptions(target('?sslmode=verify-full'), readCa)).toEqual({
      rejectUnauthorized: true,
      verifyIdentity: true,
    });
  });

  it('refuses verify-full to an address (mysql2 would check the name "localhost" instead)', () => {
    const byAddress = parseServerTarget('mysql://app@10.0.0.5/vault?ssl-mode=VERIFY_IDENTITY');
    expect(() => mysqlSslOptions(byAddress, readCa)).toThrow(
      expect.objectContaining({ code: 'USAGE', message: expect.stringMatching(/VERIFY_CA/) }),
    );
    const chainOnly = parseServerTarget('mysql://app@10.0.0.5/vault?ssl-mode=VERIFY_CA');
    expect(mysqlSslOptions(chainOnly, readCa)).toMatchObject({ verifyIdentity: false });
  });

  it('says which CA file cannot be read', () => {
    expect(() => mysqlSslOptions(target('?ssl-ca=/missing.pem'), readCa)).toThrow(
      expect.objectContaining({
        code: 'FILE_NOT_FOUND',
        message: expect.stringContaining('/missing.pem'),
      }),
    );
  });

  it('builds the connection options with the password as text, datetimes and big numbers as text', () => {
    const options = mysqlConnectionOptions(
      target('?ssl-mode=DISABLED'),
      new TextEncoder().encode('sécret'),
    );
    expect(options).toMatchObject({
      host: 'db.example',
      port: 3307,
      user: 'app',
      database: 'vault',
      password: 'sécret',
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      multipleStatements: false,
    });
    expect(options).not.toHaveProperty('ssl');
    expect(mysqlConnectionOptions(target(), null)).not.toHaveProperty('password');
  });
});

describe('MySQL error translation', () => {
  const context = {
    display: 'mysql://app@db.example:3307/vault',
    action: 'writing to',
    busyTimeoutMs: 2500,
  };
  const cases: [object, string][] = [
    [{ code: 'ECONNREFUSED', errno: -111, fatal: true }, 'SERVER_UNREACHABLE'],
    [{ code: 'ENOTFOUND', errno: -3008, fatal: true }, 'HOST_NOT_FOUND'],
    [{ code: 'EAI_AGAIN', errno: -3001, fatal: true }, 'HOST_NOT_FOUND'],
    [
      { code: 'ER_ACCESS_DENIED_ERROR', errno: 1045, sqlMessage: "Access denied for user 'app'" },
      'SERVER_AUTH',
    ],
    [
      { code: 'ER_BAD_DB_ERROR', errno: 1049, sqlMessage: "Unknown database 'vault'" },
      'DATABASE_NOT_FOUND',
    ],
    [
      { code: 'ER_TABLEACCESS_DENIED_ERROR', errno: 1142, sqlMessage: 'UPDATE command denied' },
      'SERVER_PERMISSION',
    ],
    [{ code: 'ER_LOCK_WAIT_TIMEOUT', errno: 1205 }, 'LOCKED'],
    [{ code: 'ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION', errno: 1792 }, 'READ_ONLY'],
    [{ code: 'PROTOCOL_CONNECTION_LOST', fatal: true }, 'CONNECTION_LOST'],
    [{ code: 'ER_CONNECTION_KILLED', errno: 1927 }, 'CONNECTION_LOST'],
    [new Error("Can't add new command when connection is in closed state"), 'CONNECTION_LOST'],
    [{ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, 'SERVER_UNREACHABLE'],
    [
      { code: 'ER_NO_SUCH_TABLE', errno: 1146, sqlMessage: "Table 'vault.v' doesn't exist" },
      'TABLE_NOT_FOUND',
    ],
    [{ code: 'ER_DUP_ENTRY', errno: 1062, sqlMessage: 'Duplicate entry' }, 'IO'],
  ];
  it.each(cases)('%o -> %s, naming the server', (error, code) => {
    const translated = toMysqlEngineError(error, context);
    expect(translated.code).toBe(code);
    expect(translated.message).toContain(context.display);
  });

  it('rounds the lock wait up to whole seconds, at least 1', () => {
    expect(lockWaitSeconds(0)).toBe(1);
    expect(lockWaitSeconds(1)).toBe(1);
    expect(lockWaitSeconds(5000)).toBe(5);
    expect(lockWaitSeconds(5001)).toBe(6);
  });
});

describe('MySQL store helpers', () => {
  it('names the rotation lock after database and table, hashed beyond 64 characters', () => {
    expect(rotationLockName('shop', 'vault')).toBe('vaultstore-admin:shop.vault');
    const long = rotationLockName('d'.repeat(40), 't'.repeat(40));
    expect(long).toHaveLength(57);
    expect(long).toMatch(/^vaultstore-admin:[0-9a-f]{40}$/);
    expect(rotationLockName('d'.repeat(40), 't'.repeat(41))).not.toBe(long);
  });

  it('splits a batch by value bytes, at least one update per statement', () => {
    const update = (key: string, size: number) => ({
      key,
      expectedValue: 'x'.repeat(size),
      newValue: 'y'.repeat(size),
    });
    const chunks = chunkUpdates(
      [update('a', 10), update('b', 10), update('c', 100), update('d', 1)],
      50,
    );
    expect(chunks.map((chunk) => chunk.map((u) => u.key))).toEqual([['a', 'b'], ['c'], ['d']]);
  });

  it('turns DATETIME(n) text into the library form and keeps other text', () => {
    expect(libraryDateTime('2024-06-01 12:00:00')).toBe('2024-06-01 12:00:00');
    expect(libraryDateTime('2024-06-01 12:00:00.123')).toBe('2024-06-01 12:00:00');
    expect(libraryDateTime('not a date')).toBe('not a date');
  });
});
