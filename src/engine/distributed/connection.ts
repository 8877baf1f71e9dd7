/**
 * A coordinator's or worker's connection to the vault's database, opened
 * again after the server restarted or the connection broke: every batch is
 * a transaction and every claim is fenced, so a lost connection loses at
 * most a batch's derivations, never a record. Gives up after a run of
 * failures (the database is really gone) with the last error.
 */
import { isEngineError } from '../errors.js';
import { openTarget, type OpenedTarget } from './target.js';
import type { DistributedTarget } from './types.js';

/** Errors after which the same work may succeed on a new connection. */
const TRANSIENT = new Set(['CONNECTION_LOST', 'SERVER_UNREACHABLE', 'LOCKED']);

export function isTransient(error: unknown): boolean {
  return isEngineError(error) && TRANSIENT.has(error.code);
}

/** Consecutive failed attempts before a loop gives up (at its poll interval: tens of seconds). */
export const MAX_CONNECTION_FAILURES = 60;

export class TargetConnection {
  private opened: OpenedTarget | null = null;
  private failures = 0;

  /** `onOpen`: what each new connection must do first (the coordinator: take the table's lock). */
  constructor(
    private readonly target: DistributedTarget,
    private readonly onOpen?: (opened: OpenedTarget) => Promise<void>,
  ) {}

  async get(): Promise<OpenedTarget> {
    if (this.opened) return this.opened;
    const opened = await openTarget(this.target);
    try {
      await this.onOpen?.(opened);
    } catch (error) {
      await opened.store.close();
      throw error;
    }
    this.opened = opened;
    return opened;
  }

  /**
   * Runs `work` on the connection. A transient failure drops the
   * connection (the next call opens a new one) and resolves `null` until
   * MAX_CONNECTION_FAILURES in a row, when it is thrown; other errors are
   * thrown at once.
   */
  async attempt<T>(work: (opened: OpenedTarget) => Promise<T>): Promise<T | null> {
    try {
      const result = await work(await this.get());
      this.failures = 0;
      return result;
    } catch (error) {
      if (!isTransient(error)) throw error;
      await this.drop();
      if (++this.failures >= MAX_CONNECTION_FAILURES) throw error;
      return null;
    }
  }

  /** Closes the connection (a broken one too); the next get() opens another. */
  async drop(): Promise<void> {
    const opened = this.opened;
    this.opened = null;
    await opened?.store.close().catch(() => undefined);
  }
}
