/**
 * The CLI as users run it: bundled by scripts/build-cli.mjs into a folder of
 * its own (under out/, so node_modules resolves), then started as a child
 * process. Each test file builds its own copy: test files run in parallel and
 * must not overwrite each other's (or a developer's) out/cli.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

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

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  readonly timeoutMs?: number;
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

/** Starts the CLI; stdin is closed (not a terminal) unless the caller writes to it. */
export function startCli(
  entry: string,
  args: readonly string[],
  options: RunOptions = {},
): ChildProcess {
  return spawn(process.execPath, [entry, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: cliEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Collects a child's output until it exits. */
export function collect(child: ChildProcess, timeoutMs = 50_000): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `the CLI did not exit within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`,
        ),
      );
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

export async function runCli(
  entry: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<CliRun> {
  const child = startCli(entry, args, options);
  child.stdin?.end();
  return collect(child, options.timeoutMs);
}

/** Waits until the accumulated output satisfies `test`; resolves with that output. */
export function waitForOutput(
  stream: NodeJS.ReadableStream,
  test: (text: string) => boolean,
  timeoutMs = 60_000,
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

/** JSON lines of an output (other lines are an error: --json output is JSON only). */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Fails with the offending stream if a password appears in any output. */
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
