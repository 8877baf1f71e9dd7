/**
 * The per-vault rotation lock with real files and real processes: a second
 * holder in this process, a live child, a SIGKILLed child (stale), children
 * racing to take over one stale lock, planted links and damaged files.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { threadId, Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EngineError } from '../../../../src/engine/errors.js';
import {
  acquireRotationLock,
  rotationLockPathFor,
  releaseRotationLockOfThread,
  takeOverStale,
  type RotationLockHolder,
} from '../../../../src/engine/rotation/state/rotation-lock.js';
import { makeTempDir, type TempDir } from '../../../support/fixtures.js';

const here = dirname(fileURLToPath(import.meta.url));
const CHILD = join(here, '../support/lock-child.ts');
const THREAD = join(here, '../support/lock-thread.ts');
const RACE_ROUNDS = 10;
const RACERS = 3;

/** The pid of a process that has exited (so no live process owns it). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

function staleHolder(overrides: Partial<RotationLockHolder> = {}): RotationLockHolder {
  return {
    pid: deadPid(),
    host: hostname(),
    startedAt: '2026-01-02T03:04:05.000Z',
    tool: 'cli',
    token: 'stale-token-0123456789',
    ...overrides,
  };
}

function writeLock(path: string, holder: RotationLockHolder): void {
  writeFileSync(path, `${JSON.stringify(holder)}\n`, { mode: 0o600 });
}

function holderIn(path: string): RotationLockHolder {
  return JSON.parse(readFileSync(path, 'utf8')) as RotationLockHolder;
}

function refusal(run: () => unknown): EngineError {
  try {
    run();
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
  throw new Error('expected the lock to be refused');
}

interface ChildLine {
  type: 'acquired' | 'refused';
  pid: number;
  token?: string;
  note?: string | null;
  code?: string;
  message?: string;
}

interface LockChild {
  readonly child: ChildProcess;
  readonly line: Promise<ChildLine>;
  readonly exited: Promise<void>;
}

/** lock-child.ts bundled once: plain node starts in tens of ms (tsx takes seconds on a busy machine). */
let childScript = '';
let threadScript = '';

function startChild(args: string[]): LockChild {
  const child = spawn(process.execPath, [childScript, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const line = new Promise<ChildLine>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (text) => resolve(JSON.parse(text) as ChildLine));
    child.on('close', (code) =>
      reject(new Error(`lock child exited (${code}) before answering:\n${stderr}`)),
    );
  });
  return { child, line, exited };
}

const children: LockChild[] = [];
let bundleDir: TempDir;
let dir: TempDir;
let vault: string;
let lockPath: string;

beforeAll(async () => {
  bundleDir = makeTempDir('vsa-lock-child-');
  childScript = join(bundleDir.path, 'lock-child.mjs');
  threadScript = join(bundleDir.path, 'lock-thread.mjs');
  await build({
    entryPoints: { 'lock-child': CHILD, 'lock-thread': THREAD },
    bundle: true,
    platform: 'node',
    format: 'esm',
    outdir: bundleDir.path,
    outExtension: { '.js': '.mjs' },
    logLevel: 'silent',
  });
});

afterAll(() => bundleDir.dispose());

beforeEach(() => {
  dir = makeTempDir('vsa-lock-');
  vault = join(dir.path, 'vault.db');
  writeFileSync(vault, 'the vault (its content does not matter to the lock)');
  lockPath = `${vault}.rotation.lock`;
});

afterEach(async () => {
  for (const { child, exited } of children.splice(0)) {
    child.kill('SIGKILL');
    await exited;
  }
  dir.dispose();
});

describe('rotation lock', () => {
  it('is a 0600 file next to the real vault path holding who took it, removed on release', () => {
    const link = join(dir.path, 'link-to-vault.db');
    symlinkSync(vault, link);
    expect(rotationLockPathFor(link)).toBe(lockPath);
    expect(rotationLockPathFor(relative(process.cwd(), vault))).toBe(lockPath);

    const before = Date.now();
    const lock = acquireRotationLock(link, { tool: 'cli' });
    expect(lock.path).toBe(lockPath);
    expect(statSync(lockPath).mode & 0o777).toBe(0o600);
    const stored = holderIn(lockPath);
    expect(stored).toMatchObject({ pid: process.pid, host: hostname(), tool: 'cli' });
    expect(stored.token).toMatch(/^[0-9a-f]{32}$/);
    expect(stored.token).toBe(lock.holder.token);
    expect(Date.parse(stored.startedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(lock.tookOver).toBeUndefined();
    expect(lock.note).toBeUndefined();

    lock.release();
    expect(existsSync(lockPath)).toBe(false);
    lock.release(); // twice is harmless
    const again = acquireRotationLock(vault, { tool: 'app' });
    expect(holderIn(lockPath).tool).toBe('app');
    again.release();
  });

  it('refuses a second rotation in the same process, naming the holder and the lock file', () => {
    const first = acquireRotationLock(vault, { tool: 'app' });
    const bytesBefore = readFileSync(lockPath);
    const error = refusal(() => acquireRotationLock(vault, { tool: 'cli' }));
    expect(error.code).toBe('ROTATION_IN_PROGRESS');
    expect(error.message).toContain(`pid ${process.pid}`);
    expect(error.message).toContain(hostname());
    expect(error.message).toContain('the VaultStore Admin app');
    expect(error.message).toContain(first.holder.startedAt);
    expect(error.message).toContain(lockPath);
    expect(error.message).toMatch(/Wait for it to finish, or cancel it/);
    expect(error.message).toMatch(/If you are sure that process is gone, delete/);
    expect(readFileSync(lockPath).equals(bytesBefore)).toBe(true);
    first.release();
    expect(existsSync(lockPath)).toBe(false);
  });

  it('refuses while a live process holds it; takes over once that process is SIGKILLed', async () => {
    const holder = startChild(['hold', vault, 'cli']);
    children.push(holder);
    const acquired = await holder.line;
    expect(acquired.type).toBe('acquired');
    const childLock = holderIn(lockPath);
    expect(childLock.pid).toBe(acquired.pid);

    const refused = refusal(() => acquireRotationLock(vault, { tool: 'app' }));
    expect(refused.code).toBe('ROTATION_IN_PROGRESS');
    expect(refused.message).toContain(`pid ${acquired.pid} on this computer`);
    expect(refused.message).toContain('the vaultstore-admin command line');
    expect(refused.message).toContain(childLock.startedAt);
    expect(holderIn(lockPath).token).toBe(acquired.token);

    holder.child.kill('SIGKILL');
    await holder.exited;
    const lock = acquireRotationLock(vault, { tool: 'app' });
    try {
      expect(lock.tookOver).toMatchObject({ pid: acquired.pid, token: acquired.token });
      expect(lock.note).toBe(
        `Took over a stale lock left by pid ${acquired.pid} on ${hostname()} since ${childLock.startedAt} ` +
          '(the vaultstore-admin command line; that process has ended).',
      );
      expect(holderIn(lockPath)).toMatchObject({ pid: process.pid, token: lock.holder.token });
      expect(readdirSync(dir.path).filter((name) => name.endsWith('.stale'))).toEqual([]);
    } finally {
      lock.release();
    }
  });

  it(`lets exactly one of ${RACERS} processes take over the same stale lock (${RACE_ROUNDS} rounds)`, async () => {
    let contended = 0;
    for (let round = 0; round < RACE_ROUNDS; round++) {
      const stale = staleHolder({ token: `stale-${round}` });
      writeLock(lockPath, stale);
      const goAt = String(Date.now() + 500);
      const racers = Array.from({ length: RACERS }, () => startChild(['race', vault, goAt]));
      children.push(...racers);
      const lines = await Promise.all(racers.map((racer) => racer.line));

      const winners = lines.filter((line) => line.type === 'acquired');
      const losers = lines.filter((line) => line.type === 'refused');
      expect(winners, JSON.stringify(lines)).toHaveLength(1);
      const winner = winners[0]!;
      // The winner usually took the stale lock over itself; when another racer removed it a moment
      // before, the winner's plain create got there first and that racer was refused.
      if (winner.note !== null)
        expect(winner.note).toContain(`stale lock left by pid ${stale.pid}`);
      else contended++;
      for (const loser of losers) {
        expect(loser.code, loser.message).toBe('ROTATION_IN_PROGRESS');
        expect(loser.message).toContain(`pid ${winner.pid} on this computer`);
      }
      expect(holderIn(lockPath)).toMatchObject({ pid: winner.pid, token: winner.token });
      expect(readdirSync(dir.path).filter((name) => name.endsWith('.stale'))).toEqual([]);

      // The winner releases on stdin's end: its lock file goes, no other is left.
      for (const racer of racers) racer.child.stdin?.end();
      await Promise.all(racers.map((racer) => racer.exited));
      children.splice(0);
      expect(existsSync(lockPath)).toBe(false);
    }
    console.log(
      `stale-lock race: ${contended} of ${RACE_ROUNDS} rounds won by a racer that did not take over`,
    );
  });

  it('a take-over judged on an old view puts back the lock another process took meanwhile', () => {
    const stale = staleHolder();
    writeLock(lockPath, stale);
    const winner = acquireRotationLock(vault, { tool: 'cli' }); // judged stale, took it over
    expect(winner.tookOver?.token).toBe(stale.token);
    const winnerBytes = readFileSync(lockPath);

    // A second process that judged the same stale lock a moment earlier now moves the winner's lock.
    expect(takeOverStale(lockPath, stale)).toBe(false);
    expect(readFileSync(lockPath).equals(winnerBytes)).toBe(true);
    expect(readdirSync(dir.path).filter((name) => name.endsWith('.stale'))).toEqual([]);
    expect(refusal(() => acquireRotationLock(vault, { tool: 'app' })).code).toBe(
      'ROTATION_IN_PROGRESS',
    );
    winner.release();
    expect(existsSync(lockPath)).toBe(false);
  });

  it("release leaves a lock that is no longer this holder's alone", () => {
    const lock = acquireRotationLock(vault, { tool: 'cli' });
    // Someone judged it stale by mistake and took it over: the file now holds their token.
    const other = { ...lock.holder, pid: process.pid, token: 'someone-else-0123', tool: 'app' };
    writeLock(`${lockPath}.next`, other);
    spawnSync('mv', ['-f', `${lockPath}.next`, lockPath]);
    const theirs = readFileSync(lockPath);
    lock.release();
    expect(readFileSync(lockPath).equals(theirs)).toBe(true);
  });

  it('refuses a symbolic link planted at the lock path; its target stays byte-identical', () => {
    const victim = join(dir.path, 'victim.txt');
    writeFileSync(victim, 'precious data\n', { mode: 0o644 });
    const victimBefore = readFileSync(victim);
    symlinkSync(victim, lockPath);
    const error = refusal(() => acquireRotationLock(vault, { tool: 'cli' }));
    expect(error.code).toBe('ROTATION_LOCK');
    expect(error.message).toContain('is a symbolic link');
    expect(error.message).toContain(lockPath);
    expect(error.message).toMatch(/delete that file/);
    expect(readFileSync(victim).equals(victimBefore)).toBe(true);
    expect(statSync(victim).mode & 0o777).toBe(0o644);
    expect(lstatSync(lockPath).isSymbolicLink()).toBe(true);

    // A dangling link: nothing is created where it points.
    const nowhere = join(dir.path, 'created-through-link');
    const dangling = join(dir.path, 'other.db');
    writeFileSync(dangling, '');
    symlinkSync(nowhere, `${dangling}.rotation.lock`);
    expect(refusal(() => acquireRotationLock(dangling, { tool: 'cli' })).code).toBe(
      'ROTATION_LOCK',
    );
    expect(existsSync(nowhere)).toBe(false);
  });

  it('refuses a damaged or empty lock file, saying to check and delete it, and leaves it as it is', () => {
    for (const content of ['{"pid": "not a number"', '']) {
      writeFileSync(lockPath, content);
      const started = Date.now();
      const error = refusal(() => acquireRotationLock(vault, { tool: 'cli' }));
      expect(error.code).toBe('ROTATION_LOCK');
      expect(error.message).toContain(lockPath);
      expect(error.message).toMatch(/Check that no other rotation of this vault is running/);
      expect(error.message).toMatch(/delete that file/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(400); // it gave a creator time to finish
      expect(readFileSync(lockPath, 'utf8')).toBe(content);
    }
  });

  it('never takes over a lock from another host, even with a pid that is dead here', () => {
    const remote = staleHolder({ host: `elsewhere-${hostname()}`, tool: 'app' });
    writeLock(lockPath, remote);
    const error = refusal(() => acquireRotationLock(vault, { tool: 'cli' }));
    expect(error.code).toBe('ROTATION_IN_PROGRESS');
    expect(error.message).toContain('on another computer');
    expect(error.message).toContain(`host ${remote.host}`);
    expect(error.message).toContain(`pid ${remote.pid}`);
    expect(error.message).toContain(remote.startedAt);
    expect(holderIn(lockPath)).toEqual(remote);
  });

  it('frees the lock of a terminated worker thread of this process, and only that one', async () => {
    const worker = new Worker(threadScript, { workerData: { vault } });
    const taken = await new Promise<{ threadId: number; token: string }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate(); // no finally ran: the lock stays, naming this live process
    expect(holderIn(lockPath)).toMatchObject({ pid: process.pid, threadId: taken.threadId });
    expect(refusal(() => acquireRotationLock(vault, { tool: 'app' })).code).toBe(
      'ROTATION_IN_PROGRESS',
    );

    expect(releaseRotationLockOfThread(vault, taken.threadId + 1000)).toBe(false);
    expect(releaseRotationLockOfThread(vault, threadId)).toBe(false); // this (main) thread's id
    expect(holderIn(lockPath).token).toBe(taken.token);
    expect(releaseRotationLockOfThread(vault, taken.threadId)).toBe(true);
    expect(existsSync(lockPath)).toBe(false);

    // A lock of this thread is never "abandoned": only a thread that has exited is.
    const mine = acquireRotationLock(vault, { tool: 'cli' });
    expect(releaseRotationLockOfThread(vault, threadId)).toBe(false);
    expect(existsSync(lockPath)).toBe(true);
    mine.release();
  });

  it('keeps control characters of a lock file out of its messages', () => {
    writeLock(lockPath, staleHolder({ host: `evil\u001b[2Jhost`, tool: 'x\u0007' }));
    const error = refusal(() => acquireRotationLock(vault, { tool: 'cli' }));
    expect([...error.message].some((char) => char.charCodeAt(0) < 0x20)).toBe(false);
    expect(error.message).toContain('evil?[2Jhost');
  });
});
