import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ARGON2_PRESETS,
  describeArgon2Config,
  parseArgon2Config,
  rotateVault,
  unicodeNormalizationHint,
  validateRotationInput,
  type RotationOptions,
} from '../../../../src/engine/index.js';
import { copyFixture, makeTempDir, type TempDir } from '../../../support/fixtures.js';
import { buildVault, sha256File } from '../../../support/vault-builder.js';
import { NEW_PASSWORD, PW_A, bytes, tiny } from '../support/rotation-checks.js';

const valid = { oldPassword: bytes(PW_A), newPassword: bytes(NEW_PASSWORD), openConfig: tiny };

describe('validateRotationInput', () => {
  it('accepts a valid input', () => {
    expect(() => validateRotationInput(valid)).not.toThrow();
  });

  it.each([
    [
      'old password empty',
      { oldPassword: new Uint8Array() },
      'PASSWORD_EMPTY',
      /old password is empty/,
    ],
    [
      'new password empty',
      { newPassword: new Uint8Array() },
      'PASSWORD_EMPTY',
      /new password is empty/,
    ],
    [
      'same passwords',
      { newPassword: bytes(PW_A) },
      'PASSWORD_SAME',
      /same as the old one.*different new password/,
    ],
    // 15 ASCII bytes
    [
      'new password too short',
      { newPassword: bytes('short-password!') },
      'PASSWORD_POLICY',
      /15 bytes.*at least 16 bytes/,
    ],
    // 8 characters, 16 bytes in UTF-8: passes the byte rule
    ['policy counts bytes', { newPassword: bytes('éééééééé') }, null, null],
    // 5 characters but 10 bytes
    [
      'policy message gives bytes',
      { newPassword: bytes('ééééé'), minPasswordBytes: 12 },
      'PASSWORD_POLICY',
      /10 bytes.*at least 12 bytes \(bytes, not characters\)/,
    ],
    ['minimum not a number', { minPasswordBytes: 0 }, 'USAGE', /minimum password length/],
    [
      't = 0',
      { openConfig: { ...tiny, iterations: 0 } },
      'ARGON2_CONFIG',
      /to open values.*iterations \(t\)/,
    ],
    ['p = 0', { openConfig: { ...tiny, parallelism: 0 } }, 'ARGON2_CONFIG', /parallelism \(p\)/],
    [
      'm < 8p',
      { openConfig: { iterations: 1, memoryKiB: 31, parallelism: 4 } },
      'ARGON2_CONFIG',
      /at least 8 x parallelism \(32\)/,
    ],
    [
      'm absurd (bytes given as KiB)',
      { openConfig: { iterations: 3, memoryKiB: 67_108_864, parallelism: 4 } },
      'ARGON2_CONFIG',
      /m=67108864 KiB.*m is in KiB/,
    ],
    [
      't absurd',
      { openConfig: { ...tiny, iterations: 100_000 } },
      'ARGON2_CONFIG',
      /t=100000 passes/,
    ],
    [
      'bad write config',
      { writeConfig: { ...tiny, iterations: 1.5 } },
      'ARGON2_CONFIG',
      /for the values written/,
    ],
  ] as const)('%s', (_name, change, code, message) => {
    const attempt = (): void => validateRotationInput({ ...valid, ...change });
    if (code === null) {
      expect(attempt).not.toThrow();
      return;
    }
    expect(attempt).toThrow(
      expect.objectContaining({ code, message: expect.stringMatching(message!) }),
    );
  });

  it('never puts a password in an error message', () => {
    for (const change of [
      { newPassword: bytes(PW_A) },
      { newPassword: bytes('short-password!') },
    ]) {
      try {
        validateRotationInput({ ...valid, ...change });
      } catch (error) {
        expect((error as Error).message).not.toContain(PW_A);
        expect((error as Error).message).not.toContain('short-password!');
      }
    }
  });
});

describe('rotateVault validation, before any work', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => dir.dispose());

  function attempt(vaultPath: string, extra: Partial<RotationOptions>) {
    return rotateVault({ vaultPath, ...valid, ...extra });
  }

  it('rejects bad input with the file untouched and nothing created next to it', async () => {
    const db = copyFixture('tiny200', dir.path);
    const hash = sha256File(db);
    const cases: [Partial<RotationOptions>, string][] = [
      [{ oldPassword: new Uint8Array() }, 'PASSWORD_EMPTY'],
      [{ newPassword: bytes(PW_A) }, 'PASSWORD_SAME'],
      [{ newPassword: bytes('too short') }, 'PASSWORD_POLICY'],
      [{ openConfig: { iterations: 1, memoryKiB: 4, parallelism: 1 } }, 'ARGON2_CONFIG'],
      [{ table: 'no_such_table' }, 'TABLE_NOT_FOUND'],
      [{ table: 'vault_meta' }, 'MISSING_COLUMNS'],
      [{ workers: 0 }, 'USAGE'],
      [{ batchSize: 2.5 }, 'USAGE'],
      [{ resume: true, dryRun: true }, 'USAGE'],
      [{ resume: true, restart: true }, 'USAGE'],
    ];
    for (const [extra, code] of cases) {
      await expect(attempt(db, extra), code).rejects.toMatchObject({ code });
    }
    expect(sha256File(db)).toBe(hash);
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(dir.path).sort()).toEqual(['tiny200.db', 'tiny200.db.manifest.json']);
  });

  it('reports a missing file and a file with no vault table', async () => {
    await expect(attempt(join(dir.path, 'missing.db'), {})).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
    });
    const vault = await buildVault(join(dir.path, 'other.db'), {
      records: [],
      unrelatedTables: true,
    });
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(vault.path);
    db.exec('DROP TABLE vault');
    db.close();
    await expect(attempt(vault.path, {})).rejects.toMatchObject({ code: 'NO_VAULT_TABLE' });
  });
});

describe('unicodeNormalizationHint', () => {
  it('explains NFC/NFD only when the password has characters with two spellings', () => {
    expect(unicodeNormalizationHint(bytes('plain-ascii-password'))).toBeNull();
    expect(
      unicodeNormalizationHint(bytes('日本語のパスワード-no-accents'.normalize('NFC'))),
    ).not.toBeNull();
    const nfc = unicodeNormalizationHint(bytes('Crème-brûlée-secret'.normalize('NFC')));
    const nfd = unicodeNormalizationHint(bytes('Crème-brûlée-secret'.normalize('NFD')));
    expect(nfc).toMatch(/composed \(NFC\) form.*decomposed \(NFD\) spelling/);
    expect(nfd).toMatch(/decomposed \(NFD\) form.*composed \(NFC\) spelling/);
    expect(nfc).not.toContain('Crème');
    expect(unicodeNormalizationHint(new Uint8Array([0xff, 0xfe]))).toBeNull();
  });
});

describe('parseArgon2Config', () => {
  it('reads presets and t,m,p in any order', () => {
    expect(parseArgon2Config('default')).toEqual(ARGON2_PRESETS.default);
    expect(parseArgon2Config(' Tiny ')).toEqual(ARGON2_PRESETS.tiny);
    expect(parseArgon2Config('m=65536,t=3,p=4')).toEqual(ARGON2_PRESETS.default);
    expect(describeArgon2Config(ARGON2_PRESETS.default)).toBe('t=3, m=65536 KiB, p=4 (default)');
    expect(describeArgon2Config({ iterations: 2, memoryKiB: 1024, parallelism: 1 })).toBe(
      't=2, m=1024 KiB, p=1',
    );
  });

  it.each(['fast', 't=3,m=65536', 't=3,m=65536,p=4,t=2', 't=3;m=1;p=1', 't=-1,m=64,p=1', ''])(
    'rejects %j with the expected format',
    (text) => {
      expect(() => parseArgon2Config(text)).toThrow(
        expect.objectContaining({
          code: 'ARGON2_CONFIG',
          message: expect.stringContaining('t=3,m=65536,p=4'),
        }),
      );
    },
  );
});
