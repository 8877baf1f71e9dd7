/**
 * The CLI in a pseudo-terminal (util-linux `script`), as a person uses it:
 * passwords typed at a prompt without echo, the progress bar, Ctrl-C at a
 * prompt and during a rotation. Skipped with a printed reason when `script`
 * is not installed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { ARGON2_PRESETS } from '../../src/core/argon2.js';
import { shellCommand } from '../../src/cli/shell-quote.js';
import { generateVault } from '../../bench/vault-generator.js';
import { copyFixture, makeTempDir, readManifest, type TempDir } from '../support/fixtures.js';
import {
  buildCliForTest,
  cliEnv,
  collect,
  waitForOutput,
  watchChild,
  type BuiltCli,
  type CliRun,
} from '../support/cli.js';
import { FIXTURE_PASSWORD_A } from '../support/passwords.js';
import { sha256File } from '../support/vault-builder.js';
import { checkRotation } from './support/vault-check.js';

const hasScript =
  spawnSync('script', ['--version'], { encoding: 'utf8' }).stdout?.includes('util-linux') ?? false;
const skipReason = 'util-linux `script` not found: skipping the pseudo-terminal tests';
if (!hasScript) console.warn(`[skip] ${skipReason}`);

const OLD = FIXTURE_PASSWORD_A;
const NEW = 'tty-new-password-0123456789';
const SECRETS = [OLD, NEW];
const manifest = readManifest('tiny200');

let cli: BuiltCli;
let temp: TempDir;

beforeAll(async () => {
  if (hasScript) cli = await buildCliForTest('terminal');
});
afterAll(() => cli?.dispose());
beforeEach(() => (temp = makeTempDir('vsa-cli-tty-')));
afterEach(() => temp.dispose());

/**
 * Runs the CLI inside a pseudo-terminal; what we write to stdin is what a person types.
 * `columns`: the terminal's width (stty), as a narrow window would report it.
 */
function inTerminal(
  args: readonly string[],
  env: Record<string, string> = {},
  columns?: number,
): ChildProcess {
  // exec: the CLI replaces script's shell, so Ctrl-C reaches the CLI alone (a waiting shell
  // would turn the SIGINT into its own exit status 130).
  const size = columns === undefined ? '' : `stty cols ${columns} rows 24; `;
  const command = `${size}exec ${shellCommand([process.execPath, cli.entry, ...args])}`;
  return spawn('script', ['-qefc', command, '/dev/null'], {
    cwd: temp.path,
    env: cliEnv({ TERM: 'xterm', ...env }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

function expectNoSecretIn(run: CliRun): void {
  for (const secret of SECRETS) expect(run.stdout + run.stderr).not.toContain(secret);
}

/** Types `text` once the output has shown `prompt` `count` times. */
async function typeAfter(
  child: ChildProcess,
  output: { text: string },
  prompt: string,
  count: number,
  text: string,
): Promise<void> {
  await waitForOutput(child.stdout!, () => output.text.split(prompt).length - 1 >= count).catch(
    () => undefined,
  );
  if (output.text.split(prompt).length - 1 < count)
    throw new Error(`no prompt "${prompt}" in:\n${output.text}`);
  child.stdin!.write(text);
}

function watch(child: ChildProcess): { text: string } {
  const output = { text: '' };
  child.stdout!.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
  return output;
}

describe.skipIf(!hasScript)('in a terminal', () => {
  it('asks for the passwords without echo (new one twice), draws the progress bar, rotates', async () => {
    const vault = copyFixture('tiny200', temp.path);
    const child = inTerminal(['rotate', vault, '--crypto', 'tiny']);
    const output = watch(child);
    const done = collect(watchChild(child));
    await typeAfter(child, output, 'Old password: ', 1, `${OLD}\r`);
    await typeAfter(child, output, 'New password: ', 1, `${NEW}\r`);
    await typeAfter(child, output, 'Repeat the new password: ', 1, `${NEW}\r`);
    const run = await done;
    child.stdin!.end();
    expectNoSecretIn(run);
    expect(run.code, run.stdout).toBe(0);
    // Nothing echoed, not even one mark per character: the prompt is followed by the newline.
    expect(run.stdout).toMatch(/Old password: \r?\n/);
    expect(run.stdout).toMatch(/New password: \r?\nRepeat the new password: \r?\n/);
    expect(run.stdout).not.toContain('*');
    expect(run.stdout).toContain('\x1b[2K');
    // The pre-flight shows that it works before its summary line.
    expect(run.stdout).toMatch(
      /\| Pre-flight: reading the vault[\s\S]*Pre-flight: the old password opened/,
    );
    expect(run.stdout).toMatch(/Rotating \[[#-]+\]/);
    expect(run.stdout).toContain('Rotated 150 of 200 records');
    expect(await checkRotation(vault, manifest, { from: OLD, to: NEW })).toEqual([]);
  });

  it('verify names the password it asks for and draws its own words on a narrow terminal', async () => {
    const vault = copyFixture('tiny200', temp.path);
    const child = inTerminal(['verify', vault, '--crypto', 'tiny'], {}, 50);
    const output = watch(child);
    const done = collect(watchChild(child));
    await typeAfter(
      child,
      output,
      'Password to verify (the new one, after a rotation): ',
      1,
      `${OLD}\r`,
    );
    const run = await done;
    child.stdin!.end();
    expectNoSecretIn(run);
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/Verifying \[[#-]+\]/);
    expect(run.stdout).not.toMatch(/Rotating|rotated/);
    // Every redraw fits the 50 columns, so it never wraps onto a second line.
    // (What follows the last clear is the summary, not a redraw.)
    const drawn = run.stdout
      .split('\x1b[2K')
      .slice(1, -1)
      .map((part) => part.split(/\r/)[0]!);
    for (const line of drawn) expect(Array.from(line).length).toBeLessThan(50);
    expect(drawn.some((line) => line.startsWith('Verifying'))).toBe(true);
  });

  it('verify --fail-if-any-open asks for the old password by that name', async () => {
    const vault = copyFixture('tiny200', temp.path);
    const child = inTerminal(['verify', vault, '--crypto', 'tiny', '--fail-if-any-open']);
    const output = watch(child);
    const done = collect(watchChild(child));
    await typeAfter(
      child,
      output,
      'Old password (must no longer open any record): ',
      1,
      `${OLD}\r`,
    );
    const run = await done;
    child.stdin!.end();
    expectNoSecretIn(run);
    expect(run.code, run.stdout).toBe(7);
    expect(run.stdout).toMatch(/still open with this password/);
  });

  it('colours error: on a terminal, not with NO_COLOR; refuses "-" when stdin is the terminal', async () => {
    const args = ['verify', 'missing.db', '--password-file', '-'];
    const coloured = await collect(watchChild(inTerminal(args)));
    expect(coloured.code).toBe(2);
    expect(coloured.stdout).toContain(
      '\x1b[1;31merror:\x1b[0m --password-file - reads the password to verify from stdin, but stdin is a terminal',
    );
    const plain = await collect(watchChild(inTerminal(args, { NO_COLOR: '1' })));
    expect(plain.code).toBe(2);
    expect(plain.stdout).toMatch(/(^|\n)error: --password-file -/);
    expect(plain.stdout).not.toContain('\x1b[1;31m');
  });

  it('Ctrl-C at a prompt cancels with exit 3 and changes nothing', async () => {
    const vault = copyFixture('tiny200', temp.path);
    const hash = sha256File(vault);
    const child = inTerminal(['rotate', vault, '--crypto', 'tiny']);
    const output = watch(child);
    const done = collect(watchChild(child));
    await typeAfter(child, output, 'Old password: ', 1, 'pwA-01\x03');
    const run = await done;
    child.stdin!.end();
    expect(run.code, run.stdout).toBe(3);
    expect(run.stdout).toContain('Cancelled. Nothing was changed.');
    expect(run.stdout).not.toContain('pwA-01');
    expect(sha256File(vault)).toBe(hash);
  });

  it('Ctrl-C during a rotation cancels it and prints the command that resumes', async () => {
    const vault = join(temp.path, 'big.db');
    await generateVault({
      path: vault,
      records: 20_000,
      config: ARGON2_PRESETS.tiny,
      saltsPerPassword: 64,
      mix: [{ password: OLD, share: 1, version: 'v2' }],
    });
    const child = inTerminal(
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
      { VSA_OLD: OLD, VSA_NEW: NEW },
    );
    const output = watch(child);
    const done = collect(watchChild(child));
    await waitForOutput(child.stdout!, () => /rotated [1-9]/.test(output.text));
    child.stdin!.write('\x03');
    const run = await done;
    child.stdin!.end();
    expectNoSecretIn(run);
    expect(run.code, run.stdout).toBe(3);
    expect(run.stdout).toContain('Cancelling… (press Ctrl-C again to force)');
    expect(run.stdout).toMatch(
      /To resume:\r?\n {2}vaultstore-admin rotate \S+ --table vault --resume --crypto tiny --no-backup --old-password-env VSA_OLD --new-password-env VSA_NEW/,
    );
  });
});

if (!hasScript) console.warn(`[skip] ${skipReason}`);
