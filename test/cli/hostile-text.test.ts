/**
 * A vault whose table name and ids were chosen by an attacker (anyone who can
 * write the application's database): ESC [2J would clear the screen, CR and
 * a newline would fake a "Rotated 0" line, U+202E would reverse what a person
 * reads. `info`, `rotate` and `verify` (the built CLI, as users run it) print
 * them as visible escapes: no raw control or bidi character reaches stdout or
 * stderr, and --json still gives the exact names back.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateVault } from '../../bench/vault-generator.js';
import { ARGON2_PRESETS } from '../../src/core/argon2.js';
import { makeTempDir, type TempDir } from '../support/fixtures.js';
import {
  buildCliForTest,
  expectNoSecret,
  jsonLines,
  runCli,
  type BuiltCli,
  type CliRun,
} from '../support/cli.js';

const OLD = 'hostile-old-password-0123456789';
const NEW = 'hostile-new-password-0123456789';
const ENV = { VSA_OLD: OLD, VSA_NEW: NEW };
const FAKE_LINE = 'Rotated 0 of 0 records of table "vault" in 0.1s.';
const TABLE = `vault\x1b[2J\r\n${FAKE_LINE}\u202e\x9b`;
const TABLE_SHOWN = String.raw`vault\x1b[2J\x0d\x0aRotated 0 of 0 records of table "vault" in 0.1s.\u202e\x9b`;
/** malformed values (listed as failures by rotate) under hostile ids */
const IDS = ['id\x1b]0;pwned\x07', 'id\r\nerror: fake', 'id\u2066\u202eevil\u2069\x7f'];
const IDS_SHOWN = [
  String.raw`id\x1b]0;pwned\x07`,
  String.raw`id\x0d\x0aerror: fake`,
  String.raw`id\u2066\u202eevil\u2069\x7f`,
];

/** Anything a terminal would act on: C0 except the newline ending each line, DEL, C1, bidi. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

let cli: BuiltCli;
let temp: TempDir;
let vault: string;

beforeAll(async () => {
  temp = makeTempDir('vsa-cli-hostile-');
  vault = join(temp.path, 'hostile.db');
  [cli] = await Promise.all([
    buildCliForTest('hostile'),
    generateVault({
      path: vault,
      records: 30,
      config: ARGON2_PRESETS.tiny,
      table: TABLE,
      saltsPerPassword: 4,
      mix: [{ password: OLD, share: 1, version: 'v2' }],
    }),
  ]);
  const db = new Database(vault);
  try {
    const insert = db.prepare(
      `INSERT INTO "${TABLE.replace(/"/g, '""')}" (id, vault_token, vault_value, created_at, updated_at, expires_at, soft_deleted_at) ` +
        `VALUES (?, ?, 'v2:not-base64!!', '2025-01-01 00:00:00', '2025-01-01 00:00:00', '0000-00-00 00:00:00', '0000-00-00 00:00:00')`,
    );
    IDS.forEach((id, i) => insert.run(id, `hostile-token-${i}`));
  } finally {
    db.close();
  }
});
afterAll(() => {
  cli?.dispose();
  temp?.dispose();
});

function expectEscaped(run: CliRun): void {
  for (const [name, text] of [
    ['stdout', run.stdout],
    ['stderr', run.stderr],
  ] as const) {
    const raw = RAW_CONTROL.exec(text);
    expect(
      raw,
      `${name} holds a raw U+${raw?.[0].codePointAt(0)?.toString(16)} at ${raw?.index}`,
    ).toBeNull();
    // The fake line never stands on a line of its own.
    expect(text.split('\n').some((line) => line.startsWith(FAKE_LINE))).toBe(false);
  }
  expect(expectNoSecret(run, [OLD, NEW])).toEqual([]);
}

describe('a hostile table name and hostile ids reach the terminal escaped', () => {
  it('info: the table name escaped in text; exact in --json', async () => {
    const text = await runCli(cli.entry, ['info', vault]);
    expect(text.code, text.stderr).toBe(0);
    expectEscaped(text);
    expect(text.stdout).toContain(TABLE_SHOWN);

    const json = await runCli(cli.entry, ['info', vault, '--json']);
    expect(json.code, json.stderr).toBe(0);
    expectEscaped(json);
    const [info] = jsonLines(json.stdout) as [{ tables: { name: string; records: number }[] }];
    expect(info.tables).toEqual([expect.objectContaining({ name: TABLE, records: 33 })]);
  });

  it('rotate: pre-flight, failure list, result and the verify command escaped', async () => {
    const run = await runCli(
      cli.entry,
      [
        'rotate',
        vault,
        '--crypto',
        'tiny',
        '--no-backup',
        '--old-password-env',
        'VSA_OLD',
        '--new-password-env',
        'VSA_NEW',
      ],
      { env: ENV, cwd: temp.path },
    );
    expect(run.code, run.stderr).toBe(0);
    expectEscaped(run);
    expect(run.stderr).toContain(`(table "${TABLE_SHOWN}", 33 records)`);
    expect(run.stdout).toContain(`Rotated 30 of 33 records of table "${TABLE_SHOWN}" in`);
    expect(run.stdout).toContain('SQLite driver: better-sqlite3 (native).');
    for (const id of IDS_SHOWN) expect(run.stdout).toContain(`  ${id}: malformed (`);
    // Pasteable as is in bash/zsh: $'...' quoting with the same escapes.
    expect(run.stdout).toContain(`--table $'${TABLE_SHOWN}'`);
  });

  it('verify: the table name escaped in the result and in an error listing the tables', async () => {
    const run = await runCli(
      cli.entry,
      ['verify', vault, '--crypto', 'tiny', '--password-env', 'VSA_NEW'],
      { env: ENV, cwd: temp.path },
    );
    expect(run.code, run.stderr).toBe(0);
    expectEscaped(run);
    expect(run.stdout).toContain(`Table "${TABLE_SHOWN}": checked 33 records: 30 open`);

    const missing = await runCli(
      cli.entry,
      ['verify', vault, '--table', 'nope', '--crypto', 'tiny', '--password-env', 'VSA_NEW'],
      { env: ENV, cwd: temp.path },
    );
    expect(missing.code).toBe(1);
    expectEscaped(missing);
    // The engine names the vault's tables: on the error's own line, escaped.
    expect(missing.stderr).toMatch(
      /^error: .*"nope".*Vault tables in this file: "vault.*Rotated 0 of 0/m,
    );
  });
});
