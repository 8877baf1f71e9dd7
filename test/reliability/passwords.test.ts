/**
 * Passwords people actually type, through the built CLI: empty, the same
 * twice, too short for VaultStore's policy (bytes, not characters), Unicode
 * in the "other" normalisation form, and very long ones. Refusals come
 * before any work (nothing created, the vault byte-identical) with a message
 * that says what to do; long and Unicode passwords work byte for byte.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openValue } from '../../src/engine/codec/index.js';
import { loadArgon2idBackend } from '../../src/engine/kdf/index.js';
import { makeTempDir, type TempDir } from '../support/fixtures.js';
import {
  buildVault,
  readRows,
  recordMix,
  sha256File,
  type BuiltVault,
} from '../support/vault-builder.js';
import {
  buildCliForTest,
  completeJsonLines,
  lastOfType,
  rotateArgs,
  runCli,
  type BuiltCli,
  type CliRun,
  type PasswordFiles,
} from '../support/cli.js';
import { leaksIn, NEW_PASSWORD, OLD_PASSWORD, OTHER_PASSWORD } from '../support/passwords.js';
import { tiny } from './support/rotation-vault.js';

/** "Pässwörd-Ünïcödé-2024" as one code point per accented letter (NFC) and as letter + combining mark (NFD). */
const UNICODE_NFC = 'Pässwörd-Ünïcödé-2024'.normalize('NFC');
const UNICODE_NFD = UNICODE_NFC.normalize('NFD');
/** 1 MiB of password; another one that differs only in its last byte */
const LONG_OLD = 'L'.repeat(1024 * 1024 - 1) + 'o';
const LONG_NEW = 'L'.repeat(1024 * 1024 - 1) + 'n';

let temp: TempDir;
let cli: BuiltCli;
let caseNumber = 0;

beforeAll(async () => {
  temp = makeTempDir('vsa-passwords-');
  cli = await buildCliForTest('reliability-passwords');
});

afterAll(() => {
  cli?.dispose();
  temp?.dispose();
});

/** A vault whose main password is `password`, and password files with raw bytes (no newline added). */
async function setup(
  password: string,
  oldText: string | Buffer,
  newText: string | Buffer,
): Promise<{ dir: string; vault: BuiltVault; passwords: PasswordFiles }> {
  const dir = join(temp.path, `case-${caseNumber++}`);
  mkdirSync(join(dir, 'secrets'), { recursive: true });
  const vault = await buildVault(join(dir, 'vault.db'), {
    records: recordMix(24, [
      { password, weight: 3 },
      { password, version: 'v1' },
      { password: OTHER_PASSWORD },
    ]),
  });
  const passwords = { old: join(dir, 'secrets', 'old'), new: join(dir, 'secrets', 'new') };
  writeFileSync(passwords.old, oldText);
  writeFileSync(passwords.new, newText);
  return { dir, vault, passwords };
}

function errorLine(run: CliRun): Record<string, unknown> | null {
  return lastOfType(completeJsonLines(run.stdout), 'error');
}

async function expectRefusedBeforeWork(
  oldText: string | Buffer,
  newText: string | Buffer,
  code: string,
  says: readonly RegExp[],
  extra: string[] = [],
): Promise<void> {
  const { dir, vault, passwords } = await setup(OLD_PASSWORD, oldText, newText);
  const hash = sha256File(vault.path);
  const files = readdirSync(dir).sort();
  const run = await runCli(cli.entry, rotateArgs(vault.path, passwords, extra));
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(1);
  expect(errorLine(run)?.code).toBe(code);
  for (const pattern of says) expect(String(errorLine(run)?.message)).toMatch(pattern);
  expect(run.stdout, 'refused before the pre-flight check').not.toContain('"type":"preflight"');
  expect(sha256File(vault.path)).toBe(hash);
  expect(readdirSync(dir).sort(), 'no backup, no checkpoint').toEqual(files);
  const secrets = [oldText, newText].map(String).filter((text) => text.length >= 8);
  expect(leaksIn(run.stdout + run.stderr, secrets, 'CLI output')).toEqual([]);
}

describe('passwords refused before any work', () => {
  it('an empty old password', async () => {
    await expectRefusedBeforeWork('', NEW_PASSWORD, 'PASSWORD_EMPTY', [
      /old password is empty/,
      /Enter the password/,
    ]);
  });

  it('an empty new password (a file with just a newline)', async () => {
    await expectRefusedBeforeWork(OLD_PASSWORD, '\n', 'PASSWORD_EMPTY', [
      /new password is empty/,
      /Enter the password/,
    ]);
  });

  it('the same password twice', async () => {
    await expectRefusedBeforeWork(OLD_PASSWORD, `${OLD_PASSWORD}\n`, 'PASSWORD_SAME', [
      /same as the old one/,
      /Choose a different new password/,
    ]);
  });

  it('a new password of 15 bytes, under the library policy of 16', async () => {
    await expectRefusedBeforeWork(OLD_PASSWORD, 'fifteen-bytes!!', 'PASSWORD_POLICY', [
      /15 bytes long/,
      /at least 16 bytes/,
      /Choose a longer new password/,
    ]);
  });

  it('7 accented characters are 14 bytes: refused, and the message counts bytes, not characters', async () => {
    await expectRefusedBeforeWork(OLD_PASSWORD, 'ééééééé', 'PASSWORD_POLICY', [
      /14 bytes/,
      /bytes, not characters/,
    ]);
  });

  it("the vault's own policy (--min-password-bytes 32)", async () => {
    await expectRefusedBeforeWork(
      OLD_PASSWORD,
      NEW_PASSWORD,
      'PASSWORD_POLICY',
      [/at least 32 bytes/],
      ['--min-password-bytes', '32'],
    );
  });
});

describe('Unicode: NFC and NFD are different passwords', () => {
  it('the NFD spelling of an NFC password opens nothing: exit 4, the hint, nothing changed; NFC works', async () => {
    expect(UNICODE_NFD).not.toBe(UNICODE_NFC);
    const { dir, vault, passwords } = await setup(UNICODE_NFC, UNICODE_NFD, NEW_PASSWORD);
    const hash = sha256File(vault.path);
    const files = readdirSync(dir).sort();
    const run = await runCli(cli.entry, rotateArgs(vault.path, passwords));
    expect(run.code, run.stderr).toBe(4);
    // refused from the sample, before any record is scanned
    const error = lastOfType(completeJsonLines(run.stdout), 'error');
    expect(error?.code).toBe('NOTHING_OPENED');
    expect(run.stderr).toMatch(/opened none of the \d+ sampled records/);
    // The hint: the password was typed decomposed; the vault may use the composed spelling.
    expect(run.stderr).toMatch(/decomposed \(NFD\)/);
    expect(run.stderr).toMatch(/composed \(NFC\)/);
    expect(run.stderr).toMatch(/without Unicode normalisation/);
    expect(String(error?.message)).toMatch(/NFC/);
    expect(sha256File(vault.path)).toBe(hash);
    expect(readdirSync(dir).sort()).toEqual(files);
    expect(leaksIn(run.stdout + run.stderr, [UNICODE_NFC, UNICODE_NFD], 'CLI output')).toEqual([]);

    // With the spelling the vault was written with, it rotates.
    writeFileSync(passwords.old, UNICODE_NFC);
    const good = await runCli(cli.entry, rotateArgs(vault.path, passwords, ['--no-backup']));
    expect(good.code, good.stderr).toBe(0);
    expect(lastOfType(completeJsonLines(good.stdout), 'summary')).toMatchObject({
      status: 'completed',
      rotated: vault.records.filter((record) => record.password === UNICODE_NFC).length,
    });
  });

  it('a new password in NFD is stored as those bytes: it opens with NFD, not with NFC', async () => {
    const { vault, passwords } = await setup(OLD_PASSWORD, OLD_PASSWORD, UNICODE_NFD);
    const run = await runCli(cli.entry, rotateArgs(vault.path, passwords, ['--no-backup']));
    expect(run.code, run.stderr).toBe(0);
    const kdf = await loadArgon2idBackend('auto');
    const rotated = vault.records.find(
      (record) => record.password === OLD_PASSWORD && record.version === 'v2',
    )!;
    const value = readRows(vault.path, 'vault').get(rotated.id)!.vault_value;
    expect((await openValue(value, Buffer.from(UNICODE_NFD, 'utf8'), tiny, kdf)).ok).toBe(true);
    expect((await openValue(value, Buffer.from(UNICODE_NFC, 'utf8'), tiny, kdf)).ok).toBe(false);
  });
});

describe('very long passwords', () => {
  it('1 MiB old and new passwords (from files) rotate, byte for byte', async () => {
    const { vault, passwords } = await setup(LONG_OLD, LONG_OLD, LONG_NEW);
    const run = await runCli(cli.entry, rotateArgs(vault.path, passwords, ['--no-backup']));
    expect(run.code, run.stderr).toBe(0);
    const underOld = vault.records.filter((record) => record.password === LONG_OLD);
    expect(lastOfType(completeJsonLines(run.stdout), 'summary')).toMatchObject({
      status: 'completed',
      rotated: underOld.length,
    });
    expect(run.stdout.length + run.stderr.length, 'no password echoed').toBeLessThan(64 * 1024);
    const kdf = await loadArgon2idBackend('auto');
    const rows = readRows(vault.path, 'vault');
    for (const record of underOld) {
      const opened = await openValue(
        rows.get(record.id)!.vault_value,
        Buffer.from(LONG_NEW),
        tiny,
        kdf,
      );
      expect(opened.ok && opened.plaintext.equals(record.plaintext!), record.id).toBe(true);
    }
  });
});
