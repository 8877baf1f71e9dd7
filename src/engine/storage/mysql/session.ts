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
import { serverSilentError } from '../server/server-timeouts.js';
import { connectionLostError, toMysqlEngineError } from './errors.js';
import type { MysqlParam } from './sql.js';

export type MysqlRow = Record<string, unknown>;

export interface MysqlSessionSettings {
  /** target.display */
  readonly display: string;
  readonly readOnly: boolean;
  readonly busyTimeoutMs: number;
  /** a statement unanswered this long: the connection is dropped */
  readonly serverTimeoutMs: number;
}

/**
 * Server settings that end or cut short a session the tool is still using
 * (a backup snapshot idle in its transaction while the file is written, the
 * store's session idle while the workers derive keys), and the value the
 * tool's sessions set instead; SHOW VARIABLES lists only those this server
 * has (the idle_* ones are MariaDB's; max_execution_time is MySQL's).
 */
const SESSION_LIMITS: Readonly<Record<string, number>> = {
  idle_transaction_timeout: 0,
  idle_readonly_transaction_timeout: 0,
  idle_write_transaction_timeout: 0,
  // the longest the server accepts (a year): the tool closes its own sessions
  wait_timeout: 31_536_000,
  max_statement_time: 0,
  max_execution_time: 0,
};

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
    await this.liftSessionLimits();
  }

  private async liftSessionLimits(): Promise<void> {
    const names = Object.keys(SESSION_LIMITS);
    const present = await this.query(
      `SHOW SESSION VARIABLES WHERE Variable_name IN (${names.map(() => '?').join(', ')})`,
      names,
      'connecting to',
    );
    // Only names from SESSION_LIMITS reach the statement text.
    const known = names.filter((name) => present.some((row) => row.Variable_name === name));
    if (known.length === 0) return;
    await this.query(
      `SET ${known.map((name) => `SESSION ${name} = ?`).join(', ')}`,
      known.map((name) => SESSION_LIMITS[name]!),
      'connecting to',
    );
  }

  private async raw(
    sql: string,
    params: readonly MysqlParam[],
  ): Promise<RowDataPacket[] | ResultSetHeader> {
    if (this.lost !== null || this.ended) {
      throw connectionLostError(this.settings.display, 'using', this.lost);
    }
    try {
      const [result] = await this.connection.query<RowDataPacket[] | ResultSetHeader>({
        sql,
        values: [...params],
        timeout: this.settings.serverTimeoutMs,
      });
      return result;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'PROTOCOL_SEQUENCE_TIMEOUT') throw error;
      // The statement is still pending on a silent connection: unusable, dropped at once.
      this.lost = error;
      this.connection.destroy();
      throw serverSilentError(this.settings.display, this.settings.serverTimeoutMs, error);
    }
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
