/** Drives live-app-child.ts: a second process writing to the vault, one command at a time. */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LiveCommand, LiveReply } from './live-app-child.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');

export class LiveApp {
  private readonly child: ChildProcess;
  private readonly waiting: ((reply: LiveReply) => void)[] = [];
  private readonly pending: LiveReply[] = [];
  private stderr = '';
  readonly exited: Promise<number | null>;

  constructor(vaultPath: string, table: string) {
    this.child = spawn(
      process.execPath,
      ['--import', 'tsx', join(here, 'live-app-child.ts'), vaultPath, table],
      {
        cwd: repoRoot,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    const lines = createInterface({ input: this.child.stdout! });
    lines.on('line', (line) => {
      const reply = JSON.parse(line) as LiveReply;
      const waiter = this.waiting.shift();
      if (waiter) waiter(reply);
      else this.pending.push(reply);
    });
    this.exited = new Promise((resolvePromise) =>
      this.child.on('close', (code) => resolvePromise(code)),
    );
  }

  /** The next reply line (in order). */
  nextReply(): Promise<LiveReply> {
    const ready = this.pending.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolvePromise, reject) => {
      this.waiting.push(resolvePromise);
      void this.exited.then(() => reject(new Error(`the live app exited: ${this.stderr}`)));
    });
  }

  /** Sends a write command and waits for its reply (once the change is durable). */
  async run(
    command: Exclude<LiveCommand, { op: 'exit' | 'lock' | 'release' }>,
  ): Promise<LiveReply> {
    this.child.stdin?.write(`${JSON.stringify(command)}\n`);
    return this.nextReply();
  }

  /**
   * Takes the write lock; resolves once it is held. The lock stays until `release()` is
   * called (after what it must block has finished), so no timer races a loaded machine.
   */
  async lock(): Promise<{ release: () => Promise<LiveReply> }> {
    this.child.stdin?.write(`${JSON.stringify({ op: 'lock' } satisfies LiveCommand)}\n`);
    const first = await this.nextReply();
    if (first.op !== 'locked') throw new Error(`expected the lock, got ${JSON.stringify(first)}`);
    return {
      release: () => {
        this.child.stdin?.write(`${JSON.stringify({ op: 'release' } satisfies LiveCommand)}\n`);
        return this.nextReply();
      },
    };
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null)
      this.child.stdin?.end(`${JSON.stringify({ op: 'exit' } satisfies LiveCommand)}\n`);
    await this.exited;
  }
}
