import { describe, expect, it } from 'vitest';
import {
  INVOKE_CHANNELS,
  IPC_CHANNELS,
  IPC_METHOD_NAMES,
  IPC_METHODS,
  isInvokeChannel,
  methodOfChannel,
  validateIpcArguments,
  type IpcMethodName,
} from '../../src/shared/ipc-contract.js';
import { INVALID_ARGUMENT, IPC_LIMITS } from '../../src/shared/ipc-validation.js';

const SECRET = 'hunter2-correct-horse-battery';
const huge = 'x'.repeat(5_000_001);

/** A handle as main's randomUUID makes them. */
const GOOD_HANDLE = '6f9b0c1e-2d3a-4b5c-8d7e-9f0a1b2c3d4e';
const goodRotation = {
  vault: GOOD_HANDLE,
  table: 'vault',
  oldPassword: SECRET,
  newPassword: 'new-password-0123456789',
  crypto: { preset: 'default' },
  includeSoftDeleted: true,
  backup: true,
  dryRun: false,
  resume: false,
};
const goodPreflight = {
  vault: GOOD_HANDLE,
  table: 'vault',
  oldPassword: SECRET,
  crypto: { preset: 'custom', config: { iterations: 3, memoryKiB: 65536, parallelism: 4 } },
  includeSoftDeleted: false,
};
const goodVerify = {
  vault: GOOD_HANDLE,
  table: 'vault',
  password: SECRET,
  crypto: { preset: 'tiny' },
  sampleSize: 50,
};
const goodExport = {
  format: 'markdown',
  contents: '# Report\n',
  suggestedName: 'rotation-report.md',
};
const goodJobId = '3f1c2a9e-6c1b-4b0a-9d55-0c4b7f0e9a11';
const goodConnection = {
  dialect: 'postgres',
  host: 'db.example.internal',
  port: 5432,
  database: 'app',
  user: 'vault_admin',
  password: SECRET,
  tls: 'verify-full',
  caFile: '/etc/ssl/db-ca.pem',
};

const without = (object: Record<string, unknown>, key: string): Record<string, unknown> => {
  const copy = { ...object };
  delete copy[key];
  return copy;
};

const goodQueue = { url: 'rediss://queue.example.internal:6380/2', caFile: null, password: SECRET };
const goodTable = { vault: GOOD_HANDLE, table: 'vault' };
const goodDistributed = {
  ...without(without(goodRotation, 'dryRun'), 'resume'),
  resume: true,
  queue: goodQueue,
  workHere: true,
};

/** A valid argument list for every channel. */
const goodArgs: Record<IpcMethodName, unknown[]> = {
  openVaultDialog: [],
  openVault: [GOOD_HANDLE],
  openDroppedFile: ['/home/me/vault.db'],
  recentVaults: [],
  testConnection: [goodConnection],
  connectDatabase: [goodConnection],
  recentConnections: [],
  chooseCaFile: [],
  closeVault: [GOOD_HANDLE],
  preflight: [goodPreflight, goodJobId],
  startRotation: [goodRotation, goodJobId],
  verify: [goodVerify, goodJobId],
  cancelJob: [goodJobId],
  auditLog: [],
  exportReport: [goodExport],
  checkDistributed: [{ ...goodTable, queue: goodQueue }, goodJobId],
  startDistributedRotation: [goodDistributed, goodJobId],
  distributedStatus: [goodTable],
  cancelDistributed: [goodTable],
  recentQueues: [],
};

function expectInvalid(channel: IpcMethodName, args: unknown[], messagePart?: string): void {
  const result = validateIpcArguments(channel, args);
  expect(result.ok, `${channel} accepted ${JSON.stringify(args).slice(0, 200)}`).toBe(false);
  if (result.ok) return;
  expect(result.error.code).toBe(INVALID_ARGUMENT);
  expect(result.error.message).toContain(IPC_METHODS[channel].channel);
  // The message names the field, never its value: a value may be a password.
  expect(result.error.message).not.toContain(SECRET);
  if (messagePart) expect(result.error.message).toContain(messagePart);
}

describe('ipc-validation: database connections', () => {
  const both = (connection: Record<string, unknown>, messagePart?: string): void => {
    expectInvalid('testConnection', [connection], messagePart);
    expectInvalid('connectDatabase', [connection], messagePart);
  };

  it('takes a port from 1 to 65535 only, as a whole number', () => {
    for (const port of [0, 65536, -1, 5432.5, '5432', null, Number.NaN])
      both({ ...goodConnection, port }, 'port');
    for (const port of [1, 3306, 65535])
      expect(validateIpcArguments('connectDatabase', [{ ...goodConnection, port }]).ok).toBe(true);
  });

  it('refuses a host that would change the connection string (user, port, path, options)', () => {
    for (const host of [
      'evil@db.example',
      'db.example:6543',
      'db.example/otherdb',
      'db.example?sslmode=disable',
      'db.example#x',
      'db example',
      'db%2eexample',
      'user:pw@db',
      '',
      '   ',
      'a'.repeat(254),
    ])
      both({ ...goodConnection, host }, 'host');
    for (const host of ['localhost', '127.0.0.1', '::1', '[fe80::1]', 'db_1.corp-net.example']) {
      const result = validateIpcArguments('testConnection', [{ ...goodConnection, host }]);
      expect(result.ok, host).toBe(true);
    }
  });

  it('caps the password and never echoes it', () => {
    const long = `${SECRET}${'p'.repeat(IPC_LIMITS.serverPasswordChars)}`;
    both({ ...goodConnection, password: long }, 'password is too long');
    both({ ...goodConnection, password: 42 }, 'password');
    // An empty password is allowed: the server may trust the login, or the client has its own source.
    expect(validateIpcArguments('connectDatabase', [{ ...goodConnection, password: '' }]).ok).toBe(
      true,
    );
    // With the secret in another field the message still leaves it out.
    both({ ...goodConnection, user: `${SECRET}\n` }, 'user');
  });

  it('checks dialect, TLS mode, CA file and unexpected fields', () => {
    both({ ...goodConnection, dialect: 'sqlite' }, 'dialect');
    both({ ...goodConnection, tls: 'prefer' }, 'tls');
    both({ ...goodConnection, caFile: 'relative/ca.pem' }, 'caFile');
    both({ ...goodConnection, caFile: '//server/share/ca.pem' }, 'caFile');
    both({ ...goodConnection, tls: 'require' }, 'caFile');
    both({ ...goodConnection, url: 'postgres://x@y/z' }, 'unexpected');
    both(without(goodConnection, 'caFile'), 'caFile');
    both({ ...goodConnection, database: '' }, 'database');
    expect(
      validateIpcArguments('connectDatabase', [
        { ...goodConnection, dialect: 'mysql', tls: 'disable', caFile: null },
      ]).ok,
    ).toBe(true);
  });
});

describe('ipc-validation', () => {
  it('covers exactly the invoke channels of the contract', () => {
    const pushOnly = new Set<string>([IPC_CHANNELS.jobEvent, IPC_CHANNELS.vaultOpened]);
    const invokeChannels = Object.values(IPC_CHANNELS).filter((channel) => !pushOnly.has(channel));
    expect([...INVOKE_CHANNELS].sort()).toEqual([...invokeChannels].sort());
    expect(isInvokeChannel(IPC_CHANNELS.jobEvent)).toBe(false);
    expect(isInvokeChannel(IPC_CHANNELS.vaultOpened)).toBe(false);
    expect(isInvokeChannel('__proto__')).toBe(false);
    expect(isInvokeChannel('toString')).toBe(false);
  });

  it('maps every channel back to its one method, and nothing else', () => {
    expect(new Set(INVOKE_CHANNELS).size).toBe(IPC_METHOD_NAMES.length);
    for (const name of IPC_METHOD_NAMES)
      expect(methodOfChannel(IPC_METHODS[name].channel)).toBe(name);
    expect(methodOfChannel(IPC_CHANNELS.jobEvent)).toBeNull();
    expect(methodOfChannel('__proto__')).toBeNull();
  });

  it('takes a job id only in the form crypto.randomUUID makes', () => {
    expect(validateIpcArguments('startRotation', [goodRotation, crypto.randomUUID()]).ok).toBe(
      true,
    );
    for (const bad of [
      'job-1',
      goodJobId.toUpperCase(),
      `${goodJobId}0`,
      goodJobId.slice(1),
      '',
      7,
    ]) {
      expectInvalid('startRotation', [goodRotation, bad], 'jobId');
      expectInvalid('cancelJob', [bad], 'jobId');
      expectInvalid('verify', [goodVerify, bad], 'jobId');
      expectInvalid('preflight', [goodPreflight, bad], 'jobId');
    }
    // The id is a separate, required argument: a request alone is refused.
    expectInvalid('startRotation', [goodRotation], 'argument');
    expectInvalid('verify', [goodVerify], 'argument');
    expectInvalid('preflight', [goodPreflight], 'argument');
  });

  it('accepts good arguments of every channel and returns fresh copies', () => {
    for (const channel of IPC_METHOD_NAMES) {
      const result = validateIpcArguments(channel, goodArgs[channel]);
      expect(result, channel).toEqual({ ok: true, value: goodArgs[channel] });
    }
    const result = validateIpcArguments('startRotation', [goodRotation, goodJobId]);
    if (!result.ok) throw new Error('expected ok');
    expect(result.value[0]).not.toBe(goodRotation);
    expect(result.value[0].crypto).not.toBe(goodRotation.crypto);
  });

  it('accepts an optional newCrypto and an absent sampleSize', () => {
    const withNew = { ...goodRotation, newCrypto: { preset: 'high' } };
    expect(validateIpcArguments('startRotation', [withNew, goodJobId])).toEqual({
      ok: true,
      value: [withNew, goodJobId],
    });
    const noSample = without(goodVerify, 'sampleSize');
    expect(validateIpcArguments('verify', [noSample, goodJobId])).toEqual({
      ok: true,
      value: [noSample, goodJobId],
    });
  });

  it('rejects a wrong number of arguments on every channel', () => {
    for (const channel of IPC_METHOD_NAMES) {
      expectInvalid(channel, [...goodArgs[channel], 'extra'], 'argument');
      if (goodArgs[channel].length > 0) expectInvalid(channel, [], 'argument');
    }
  });

  it('rejects non-objects for every request channel', () => {
    const requestChannels: IpcMethodName[] = [
      'preflight',
      'startRotation',
      'verify',
      'exportReport',
    ];
    for (const channel of requestChannels) {
      for (const bad of [
        null,
        undefined,
        'text',
        42,
        true,
        [],
        [goodArgs[channel][0]],
        new Date(),
        new Map(),
      ]) {
        expectInvalid(channel, [bad, ...goodArgs[channel].slice(1)], 'request');
      }
    }
  });

  it('rejects extra and missing keys', () => {
    expectInvalid('startRotation', [{ ...goodRotation, shell: 'rm -rf /' }, goodJobId], 'shell');
    expectInvalid('preflight', [{ ...goodPreflight, extra: 1 }, goodJobId], 'extra');
    expectInvalid(
      'preflight',
      [{ ...goodPreflight, __proto__: { admin: true } }, goodJobId],
      'plain object',
    );
    expectInvalid('verify', [{ ...goodVerify, includeSoftDeleted: true }, goodJobId]);
    expectInvalid('exportReport', [{ ...goodExport, path: '/etc/passwd' }], 'path');
    for (const key of Object.keys(goodRotation)) {
      expectInvalid('startRotation', [without(goodRotation, key), goodJobId], key);
    }
    for (const key of Object.keys(goodPreflight)) {
      expectInvalid('preflight', [without(goodPreflight, key), goodJobId], key);
    }
    expectInvalid('startRotation', [
      { ...goodRotation, crypto: { preset: 'default', config: {} } },
      goodJobId,
    ]);
    expectInvalid('preflight', [
      {
        ...goodPreflight,
        crypto: {
          preset: 'custom',
          config: { iterations: 1, memoryKiB: 64, parallelism: 1, salt: 'x' },
        },
      },
      goodJobId,
    ]);
  });

  it('rejects objects that are not plain data', () => {
    class Request {
      vault = GOOD_HANDLE;
    }
    expectInvalid('verify', [
      Object.assign(new Request(), without(goodVerify, 'vault')),
      goodJobId,
    ]);
    expectInvalid('verify', [{ ...goodVerify, [Symbol('x')]: 1 }, goodJobId]);
  });

  it('rejects wrong types field by field', () => {
    const wrong: Array<[keyof typeof goodRotation, unknown]> = [
      ['vault', 42],
      ['table', null],
      ['oldPassword', 123456789],
      ['newPassword', ['a']],
      ['crypto', 'default'],
      ['includeSoftDeleted', 'yes'],
      ['backup', 1],
      ['dryRun', null],
      ['resume', 'false'],
    ];
    for (const [key, value] of wrong)
      expectInvalid('startRotation', [{ ...goodRotation, [key]: value }, goodJobId], key);
    expectInvalid('verify', [{ ...goodVerify, sampleSize: 2.5 }, goodJobId], 'sampleSize');
    expectInvalid('verify', [{ ...goodVerify, sampleSize: 0 }, goodJobId], 'sampleSize');
    expectInvalid('verify', [{ ...goodVerify, sampleSize: '10' }, goodJobId], 'sampleSize');
    expectInvalid('exportReport', [{ ...goodExport, format: 'html' }], 'format');
    expectInvalid('cancelJob', [42]);
    expectInvalid('cancelJob', ['../../etc']);
    expectInvalid('cancelJob', ['']);
  });

  it('rejects huge strings', () => {
    expectInvalid('openDroppedFile', [`/${'a'.repeat(IPC_LIMITS.pathChars)}`], 'too long');
    expectInvalid(
      'startRotation',
      [{ ...goodRotation, oldPassword: huge }, goodJobId],
      'oldPassword',
    );
    expectInvalid('startRotation', [
      { ...goodRotation, newPassword: 'p'.repeat(IPC_LIMITS.passwordChars + 1) },
      goodJobId,
    ]);
    expectInvalid(
      'preflight',
      [{ ...goodPreflight, table: 't'.repeat(IPC_LIMITS.tableChars + 1) }, goodJobId],
      'table',
    );
    expectInvalid('exportReport', [{ ...goodExport, contents: huge }], 'contents');
    expectInvalid('cancelJob', ['a'.repeat(IPC_LIMITS.jobIdChars + 1)]);
    // right at the limit is fine
    const longest = { ...goodRotation, newPassword: 'p'.repeat(IPC_LIMITS.passwordChars) };
    expect(validateIpcArguments('startRotation', [longest, goodJobId]).ok).toBe(true);
  });

  it('rejects paths that are not absolute or contain NUL', () => {
    for (const path of [
      'vault.db',
      './vault.db',
      '../vault.db',
      '~/vault.db',
      '',
      'C:vault.db',
      'file:///v.db',
      '/v.db\0.txt',
    ]) {
      expectInvalid('openDroppedFile', [path], 'path');
      // A path where a handle belongs is refused whatever it looks like.
      expectInvalid('startRotation', [{ ...goodRotation, vault: path }, goodJobId], 'vault');
    }
    for (const path of ['/srv/vault.db', 'C:\\data\\vault.db', 'D:/data/vault.db']) {
      expect(validateIpcArguments('openDroppedFile', [path]).ok, path).toBe(true);
      expectInvalid('openVault', [path], 'not a file path');
    }
  });

  it('refuses network (UNC) and device paths', () => {
    for (const path of [
      '\\\\server\\share\\vault.db',
      '//server/share/vault.db',
      '\\\\?\\C:\\vault.db',
      '\\\\.\\PhysicalDrive0',
      '\\/server/share/v.db',
    ]) {
      expectInvalid('openDroppedFile', [path], 'network (UNC)');
    }
  });

  it('takes vault handles only in the form main makes them', () => {
    for (const handle of ['', 'handle', GOOD_HANDLE.toUpperCase(), `${GOOD_HANDLE}x`, 42, null]) {
      expectInvalid('openVault', [handle], 'vault');
      expectInvalid('verify', [{ ...goodVerify, vault: handle }, goodJobId], 'vault');
    }
  });

  it('rejects bad Argon2id presets and parameters', () => {
    const badChoices: unknown[] = [
      { preset: 'fast' },
      { preset: 'DEFAULT' },
      { preset: '' },
      { preset: null },
      {},
      { preset: 'custom' },
      { preset: 'custom', config: null },
      { preset: 'custom', config: { iterations: 0, memoryKiB: 64, parallelism: 1 } },
      { preset: 'custom', config: { iterations: 1.5, memoryKiB: 64, parallelism: 1 } },
      { preset: 'custom', config: { iterations: 1, memoryKiB: 7, parallelism: 1 } },
      { preset: 'custom', config: { iterations: 1, memoryKiB: 64, parallelism: 16 } }, // m < 8p
      { preset: 'custom', config: { iterations: 1, memoryKiB: 64, parallelism: 0 } },
      { preset: 'custom', config: { iterations: 1, memoryKiB: 64, parallelism: 256 } },
      {
        preset: 'custom',
        config: { iterations: 1, memoryKiB: IPC_LIMITS.memoryKiBMax + 1, parallelism: 1 },
      },
      {
        preset: 'custom',
        config: { iterations: IPC_LIMITS.iterationsMax + 1, memoryKiB: 64, parallelism: 1 },
      },
      { preset: 'custom', config: { iterations: '3', memoryKiB: 65536, parallelism: 4 } },
      { preset: 'custom', config: { iterations: Number.NaN, memoryKiB: 65536, parallelism: 4 } },
      { preset: 'custom', config: { iterations: Infinity, memoryKiB: 65536, parallelism: 4 } },
    ];
    for (const crypto of badChoices) {
      expectInvalid('startRotation', [{ ...goodRotation, crypto }, goodJobId], 'crypto');
      expectInvalid(
        'startRotation',
        [{ ...goodRotation, newCrypto: crypto }, goodJobId],
        'newCrypto',
      );
      expectInvalid('verify', [{ ...goodVerify, crypto }, goodJobId], 'crypto');
    }
  });

  it('rejects report file names with folders or odd characters', () => {
    for (const suggestedName of [
      '../report.md',
      '/tmp/report.md',
      'a\\b.md',
      '.bashrc',
      '..',
      'a:b.md',
      'line\nbreak.md',
      '',
    ]) {
      expectInvalid('exportReport', [{ ...goodExport, suggestedName }], 'suggestedName');
    }
  });

  it('lets empty passwords through for the engine to explain (PASSWORD_EMPTY)', () => {
    const result = validateIpcArguments('startRotation', [
      { ...goodRotation, oldPassword: '' },
      goodJobId,
    ]);
    expect(result.ok).toBe(true);
  });
});

describe('ipc-validation: key length, salt size and password rules', () => {
  const custom = (extra: Record<string, unknown>) => ({
    preset: 'custom',
    config: { iterations: 1, memoryKiB: 64, parallelism: 1, ...extra },
  });
  const rules = {
    requireUpper: true,
    requireLower: false,
    requireDigit: true,
    requireSymbol: false,
  };

  it('accepts k 16/24/32 and salt 8..1024, and hands back exactly them', () => {
    for (const keyLength of [16, 24, 32]) {
      for (const saltLength of [8, 16, 1024]) {
        const result = validateIpcArguments('startRotation', [
          { ...goodRotation, crypto: custom({ keyLength, saltLength }) },
          goodJobId,
        ]);
        expect(result.ok).toBe(true);
        if (result.ok) {
          expect(result.value[0].crypto).toEqual(custom({ keyLength, saltLength }));
        }
      }
    }
    // Omitted stays omitted (the library defaults apply in the engine).
    const plain = validateIpcArguments('verify', [
      { ...goodVerify, crypto: custom({}) },
      goodJobId,
    ]);
    expect(plain.ok && plain.value[0].crypto).toEqual(custom({}));
  });

  it.each([
    [{ keyLength: 20 }, 'keyLength must be 16, 24 or 32'],
    [{ keyLength: '32' }, 'keyLength must be 16, 24 or 32'],
    [{ keyLength: 16.0000001 }, 'keyLength'],
    [{ saltLength: 7 }, 'saltLength must be between 8 and 1024'],
    [{ saltLength: 1025 }, 'saltLength must be between 8 and 1024'],
    [{ saltLength: 16.5 }, 'saltLength must be a whole number'],
    [{ saltLength: null }, 'saltLength'],
  ])('rejects %o naming the field', (extra, message) => {
    expectInvalid(
      'startRotation',
      [{ ...goodRotation, crypto: custom(extra) }, goodJobId],
      message,
    );
    expectInvalid('preflight', [{ ...goodPreflight, crypto: custom(extra) }, goodJobId], message);
    expectInvalid('verify', [{ ...goodVerify, crypto: custom(extra) }, goodJobId], message);
  });

  it('accepts a full newPasswordPolicy and passes it on', () => {
    const result = validateIpcArguments('startRotation', [
      { ...goodRotation, newPasswordPolicy: rules },
      goodJobId,
    ]);
    expect(result.ok && result.value[0].newPasswordPolicy).toEqual(rules);
    const none = validateIpcArguments('startRotation', [goodRotation, goodJobId]);
    expect(none.ok && 'newPasswordPolicy' in none.value[0]).toBe(false);
  });

  it.each([
    [{ ...rules, requireUpper: 'yes' }, 'newPasswordPolicy.requireUpper must be true or false'],
    [without(rules, 'requireSymbol'), 'newPasswordPolicy.requireSymbol is missing'],
    [{ ...rules, minBytes: 4 }, 'unexpected field(s): minBytes'],
    [null, 'newPasswordPolicy must be an object'],
  ])('rejects a bad newPasswordPolicy (%o)', (newPasswordPolicy, message) => {
    expectInvalid('startRotation', [{ ...goodRotation, newPasswordPolicy }, goodJobId], message);
  });
});

describe('the pre-flight override ("Rotate anyway") and the new password of a check', () => {
  it('passes scanAnyway on only as a boolean, and never with a resume', () => {
    const asked = validateIpcArguments('startRotation', [
      { ...goodRotation, scanAnyway: true },
      goodJobId,
    ]);
    expect(asked.ok && asked.value[0].scanAnyway).toBe(true);
    const none = validateIpcArguments('startRotation', [goodRotation, goodJobId]);
    expect(none.ok && 'scanAnyway' in none.value[0]).toBe(false);
    expectInvalid(
      'startRotation',
      [{ ...goodRotation, scanAnyway: 'yes' }, goodJobId],
      'request.scanAnyway must be true or false',
    );
    expectInvalid(
      'startRotation',
      [{ ...goodRotation, resume: true, scanAnyway: true }, goodJobId],
      'scanAnyway is for a fresh rotation, not a resume',
    );
  });

  it('takes an optional new password in a pre-flight, checked like any password', () => {
    const withNew = validateIpcArguments('preflight', [
      { ...goodPreflight, newPassword: SECRET },
      goodJobId,
    ]);
    expect(withNew.ok && withNew.value[0].newPassword).toBe(SECRET);
    expectInvalid('preflight', [{ ...goodPreflight, newPassword: 42 }, goodJobId], 'newPassword');
  });
});
