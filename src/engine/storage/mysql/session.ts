/**
 * One mysql2 connection with the session the store needs: UTC time zone,
 * lock waits bounded by the busy timeout, backslash escapes on (mysql2
 * escapes bound values with them), read-only when asked. Commands run one
 * operation at a time (a batch's transaction is never interleaved with a
 * read), and a connection that died (killed, server restarted) is reported
 * as CONNECTION_LOST instead of crashing the process.
 */
import mysql from 'mysql2/promise';
import type { Connection, ConnectionOptions, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { connectionLostError, toMysqlEngineError } from './errors.js';
import type { MysqlParam } from './sql.js';

export type MysqlRow = Record<string, unknown>;

export interface MysqlSessionSettings {
  /** target.display */
  readonly display: string;
  readonly readOnly: boolean;
  readonly busyTimeoutMs: number;
}

/** innodb_lock_wait_timeout is whole seconds, at least 1. */
export function lockWaitSeconds(busyTimeoutMs: number): number {
  return Math.max(1, Math.ceil(busyTimeoutMs / 1000));
}

export class MysqlSession {
  private lost: unknown = null;
  private ended = false;
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly connection: Connection,
    readonly settings: MysqlSessionSettings,
  ) {
    // A killed connection emits 'error' when no command waits: remember it, report it at the next command.
    connection.on('error', (error: unknown) => {
      this.lost = error ?? new Error('connection closed');
    });
    connection.on('end', () => {
      this.lost ??= new Error('connection closed');
    });
  }

  /** Connects and sets the session up; EngineError (SERVER_*, DATABASE_NOT_FOUND) on failure. */
  static async open(
    options: ConnectionOptions,
    settings: MysqlSessionSettings,
  ): Promise<MysqlSession> {
    let connection: Connection;
    try {
      connection = await mysql.createConnection(options);
    } catch (error) {
      throw toMysqlEngineError(error, { ...settings, action: 'connecting to' });
    }
    const session = new MysqlSession(connection, settings);
    try {
      await session.setUp();
    } catch (error) {
      await session.close();
      throw error;
    }
    return session;
  }

  private async setUp(): Promise<void> {
    const seconds = lockWaitSeconds(this.settings.busyTimeoutMs);
    const modeRows = await this.query('SELECT @@SESSION.sql_mode AS mode', [], 'connecting to');
    const modes = String(modeRows[0]?.mode ?? '')
      .split(',')
      .filter((mode) => mode !== '' && mode !== 'NO_BACKSLASH_ESCAPES');
    await this.query(
      "SET SESSION time_zone = '+00:00', SESSION innodb_lock_wait_timeout = ?, " +
        'SESSION lock_wait_timeout = ?, SESSION sql_mode = ?',
      [seconds, seconds, modes.join(',')],
      'connecting to',
    );
    if (this.settings.readOnly) {
      await this.query('SET SESSION TRANSACTION READ ONLY', [], 'connecting to');
    }
  }

  private async raw(
    sql: string,
    params: readonly MysqlParam[],
  ): Promise<RowDataPacket[] | ResultSetHeader> {
    if (this.lost !== null || this.ended) {
      throw connectionLostError(this.settings.display, 'using', this.lost);
    }
    const [result] = await this.connection.query<RowDataPacket[] | ResultSetHeader>(sql, [
      ...params,
    ]);
    return result;
  }

  /** One statement; errors translated with `action` ("reading", "writing to"). */
  async query(sql: string, params: readonly MysqlParam[], action: string): Promise<MysqlRow[]> {
    try {
      const result = await this.raw(sql, params);
      return Array.isArray(result) ? (result as MysqlRow[]) : [];
    } catch (error) {
      throw toMysqlEngineError(error, { ...this.settings, action });
    }
  }

  /** One INSERT/UPDATE/DELETE; resolves the rows it matched (mysql2 sets FOUND_ROWS). */
  async modify(sql: string, params: readonly MysqlParam[], action: string): Promise<number> {
    try {
      const result = await this.raw(sql, params);
      if (Array.isArray(result)) throw new Error(`expected a row count from: ${sql}`);
      return result.affectedRows;
    } catch (error) {
      throw toMysqlEngineError(error, { ...this.settings, action });
    }
  }

  /** Runs `work` alone on the connection (no other operation's statements in between). */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Ends the connection; a dead one is destroyed. Never throws. */
  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    if (this.lost !== null) {
      this.connection.destroy();
      return;
    }
    try {
      await this.connection.end();
    } catch {
      this.connection.destroy();
    }
  }
}
