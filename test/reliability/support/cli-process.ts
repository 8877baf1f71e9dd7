/**
 * The built CLI as a child process the reliability tests can watch (JSON
 * progress lines, /proc) and kill at any moment.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliEnv, repoRoot } from '../../cli/support/built-cli.js';

export { buildCliForTest, type BuiltCli } from '../../cli/support/built-cli.js';

export interface CliExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunningCli {
  readonly child: ChildProcess;
  readonly pid: number;
  /** stdout so far */
  stdout(): string;
  stderr(): string;
  /** resolves once the process has exited and its pipes are drained */
  readonly exited: Promise<CliExit>;
}

export interface StartOptions {
  /** run as this user (tests run as root, which ignores file permissions) */
  readonly uid?: number;
  readonly gid?: number;
  /** working folder (default: the checkout, which another user may not be able to enter) */
  readonly cwd?: string;
}

export function startCli(
  entry: string,
  args: readonly string[],
  env: Record<string, string> = {},
  options: StartOptions = {},
): RunningCli {
  const child = spawn(process.execPath, [entry, ...args], {
    cwd: repoRoot,
    env: cliEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<CliExit>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  if (child.pid === undefined) throw new Error('the CLI did not start');
  return { child, pid: child.pid, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Runs the CLI to its end (killed after `timeoutMs`, which fails the caller's checks). */
export async function runCli(
  entry: string,
  args: readonly string[],
  env: Record<string, string> = {},
  options: StartOptions & { readonly timeoutMs?: number } = {},
): Promise<CliExit> {
  const { timeoutMs = 120_000, ...start } = options;
  const running = startCli(entry, args, env, start);
  const timer = setTimeout(() => running.child.kill('SIGKILL'), timeoutMs);
  try {
    return await running.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** The complete JSON lines of an output (a line cut by a kill is ignored). */
export function jsonLines(text: string): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // the last line of a killed process may be torn
    }
  }
  return lines;
}

export function lastOfType(
  lines: readonly Record<string, unknown>[],
  type: string,
): Record<string, unknown> | null {
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i]?.type === type) return lines[i] ?? null;
  return null;
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
