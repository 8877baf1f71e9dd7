/**
 * The one CLI harness: the CLI as users run it, bundled by
 * scripts/build-cli.mjs into a folder of its own (under out/, so node_modules
 * resolves), then started as a child process that tests can feed, watch
 * (output so far, pid) and kill at any moment. Each test file builds its own
 * copy: test files run in parallel and must not overwrite each other's (or a
 * developer's) out/cli.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

export interface BuiltCli {
  readonly dir: string;
  /** out/.../vaultstore-admin.mjs */
  readonly entry: string;
  dispose(): void;
}

export async function buildCliForTest(name: string): Promise<BuiltCli> {
  const dir = join(repoRoot, 'out', 'test-cli', `${name}-${process.pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  await execFileAsync(
    process.execPath,
    [join(repoRoot, 'scripts/build-cli.mjs'), '--outdir', dir],
    {
      cwd: repoRoot,
    },
  );
  return {
    dir,
    entry: join(dir, 'vaultstore-admin.mjs'),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** How a CLI process ended, with all it wrote. */
export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly env?: Record<string, string>;
  /** working folder (default: the checkout, which another user may not be able to enter) */
  readonly cwd?: string;
  /** run as this user (tests run as root, which ignores file permissions) */
  readonly uid?: number;
  readonly gid?: number;
  /** 'pipe' (default): the caller may write to stdin; 'ignore': stdin is /dev/null */
  readonly stdin?: 'pipe' | 'ignore';
}

/** A started child process whose output is collected from the start. */
export interface RunningCli {
  readonly child: ChildProcess;
  readonly pid: number;
  /** stdout so far */
  stdout(): string;
  /** stderr so far */
  stderr(): string;
  /** resolves once the process has exited and its pipes are drained (no deadline: see collect) */
  readonly exited: Promise<CliRun>;
}

/** An environment without the test runner's variables that could change the CLI's output. */
export function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SYSTEMROOT']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}

/** Collects the output of any child process (the CLI, or the CLI behind a terminal wrapper). */
export function watchChild(child: ChildProcess): RunningCli {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<CliRun>((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
  if (child.pid === undefined) throw new Error('the process did not start');
  return { child, pid: child.pid, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Starts the CLI; stdin stays open (not a terminal) for the caller unless `stdin: 'ignore'`. */
export function startCli(
  entry: string,
  args: readonly string[],
  options: CliOptions = {},
): RunningCli {
  const { env, cwd, stdin = 'pipe', ...user } = options;
  const child = spawn(process.execPath, [entry, ...args], {
    cwd: cwd ?? repoRoot,
    env: cliEnv(env),
    stdio: [stdin, 'pipe', 'pipe'],
    ...user,
  });
  return watchChild(child);
}

/** Waits for the end of a run; after `timeoutMs` kills it and fails with its output so far. */
export function collect(running: RunningCli, timeoutMs = 240_000): Promise<CliRun> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      running.child.kill('SIGKILL');
      reject(
        new Error(
          `the CLI did not exit within ${timeoutMs} ms\nstdout:\n${running.stdout()}\nstderr:\n${running.stderr()}`,
        ),
      );
    }, timeoutMs);
  });
  return Promise.race([running.exited, deadline]).finally(() => clearTimeout(timer));
}

/** Runs the CLI to its end with stdin closed (see collect for the deadline). */
export async function runCli(
  entry: string,
  args: readonly string[],
  options: CliOptions & { readonly timeoutMs?: number } = {},
): Promise<CliRun> {
  const { timeoutMs, ...start } = options;
  const running = startCli(entry, args, start);
  running.child.stdin?.end();
  return collect(running, timeoutMs);
}

/** Waits until the accumulated output satisfies `test`; resolves with that output. */
export function waitForOutput(
  stream: NodeJS.ReadableStream,
  test: (text: string) => boolean,
  timeoutMs = 240_000,
): Promise<string> {
  let text = '';
  return new Promise((resolvePromise, reject) => {
    const onData = (chunk: Buffer | string): void => {
      text += chunk.toString();
      if (!test(text)) return;
      cleanup();
      resolvePromise(text);
    };
    const onEnd = (): void => {
      cleanup();
      reject(new Error(`the output ended before the expected text appeared:\n${text}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`the expected output did not appear within ${timeoutMs} ms:\n${text}`));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', onEnd);
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
  });
}

/** JSON lines of a whole output; any other line is an error (--json output is JSON only). */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * The complete JSON lines of an output that may be cut short (a process
 * killed or still running): a line that does not parse is skipped.
 */
export function completeJsonLines(text: string): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // the last line of a killed or running process may be torn
    }
  }
  return lines;
}

/** The last JSON line of a `type` ("summary", "error", "progress"), or null. */
export function lastOfType(
  lines: readonly Record<string, unknown>[],
  type: string,
): Record<string, unknown> | null {
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i]?.type === type) return lines[i] ?? null;
  return null;
}

/** The secrets found in a run's output, one message per stream and secret (empty: none). */
export function expectNoSecret(
  run: Pick<CliRun, 'stdout' | 'stderr'>,
  secrets: readonly string[],
): string[] {
  const leaks: string[] = [];
  for (const secret of secrets) {
    if (run.stdout.includes(secret)) leaks.push(`stdout contains "${secret}"`);
    if (run.stderr.includes(secret)) leaks.push(`stderr contains "${secret}"`);
  }
  return leaks;
}

export interface PasswordFiles {
  readonly old: string;
  readonly new: string;
}

/** Password files in their own folder (never in argv or env). */
export function writePasswordFiles(
  dir: string,
  oldPassword: string,
  newPassword: string,
): PasswordFiles {
  const folder = join(dir, 'secrets');
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const files = { old: join(folder, 'old.txt'), new: join(folder, 'new.txt') };
  writeFileSync(files.old, oldPassword, { mode: 0o600 });
  writeFileSync(files.new, newPassword, { mode: 0o600 });
  return files;
}

/** `rotate <vault> --table vault --crypto tiny --json` with password files, plus `extra`. */
export function rotateArgs(
  vaultPath: string,
  passwords: PasswordFiles,
  extra: readonly string[] = [],
): string[] {
  return [
    'rotate',
    vaultPath,
    '--table',
    'vault',
    '--crypto',
    'tiny',
    '--old-password-file',
    passwords.old,
    '--new-password-file',
    passwords.new,
    '--json',
    ...extra,
  ];
}
