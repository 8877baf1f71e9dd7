/** One connection to either server, with the few operations the tests and the benchmark need. */
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { ServerKind } from './binaries.js';

export type Row = Record<string, unknown>;

export interface SqlSession {
  readonly kind: ServerKind;
  /** One statement; placeholders `$1` (PostgreSQL) or `?` (MariaDB). Returns the rows. */
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** The server's id of this connection (pg_backend_pid() / CONNECTION_ID()), for killConnection. */
  connectionId(): Promise<number>;
  close(): Promise<void>;
}

export type SessionConfig =
  | { kind: 'postgres'; config: pg.ClientConfig }
  | { kind: 'mysql'; config: mysql.ConnectionOptions };

/** Opens a session; rejects with the driver's error (e.g. a refused password). */
export async function openSession(target: SessionConfig): Promise<SqlSession> {
  if (target.kind === 'postgres') {
    const client = new pg.Client(target.config);
    // A terminated backend emits 'error' on the idle client: the next query reports it instead.
    client.on('error', () => undefined);
    await client.connect();
    return {
      kind: 'postgres',
      async query<T extends Row>(sql: string, params: readonly unknown[] = []) {
        return (await client.query<T>(sql, [...params])).rows;
      },
      async connectionId() {
        const rows = (await client.query<{ id: number }>('SELECT pg_backend_pid() AS id')).rows;
        return Number(rows[0]?.id);
      },
      close: () => client.end().catch(() => undefined),
    };
  }
  const connection = await mysql.createConnection({
    timezone: 'Z',
    dateStrings: true,
    ...target.config,
  });
  // A killed connection emits 'error': the next query reports it instead.
  connection.on('error', () => undefined);
  return {
    kind: 'mysql',
    async query<T extends Row>(sql: string, params: readonly unknown[] = []) {
      const [rows] = await connection.query(sql, [...params]);
      return (Array.isArray(rows) ? rows : []) as T[];
    },
    async connectionId() {
      const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT CONNECTION_ID() AS id');
      return Number(rows[0]?.id);
    },
    close: () => connection.end().catch(() => undefined),
  };
}

/**
 * A session that reconnects when its connection died (a killed connection, a
 * restarted server), so the superuser helper survives fault tests.
 */
export function reconnectingSession(kind: ServerKind, open: () => Promise<SqlSession>): SqlSession {
  let current: Promise<SqlSession> | null = null;
  const session = (): Promise<SqlSession> => (current ??= open());
  async function withRetry<T>(run: (s: SqlSession) => Promise<T>): Promise<T> {
    try {
      return await run(await session());
    } catch (error) {
      if (!connectionLost(error)) throw error;
      const dead = current;
      current = null;
      await dead?.then((s) => s.close()).catch(() => undefined);
      return run(await session());
    }
  }
  return {
    kind,
    query: (sql, params) => withRetry((s) => s.query(sql, params)),
    connectionId: () => withRetry((s) => s.connectionId()),
    async close() {
      const open = current;
      current = null;
      await open?.then((s) => s.close()).catch(() => undefined);
    },
  };
}

function connectionLost(error: unknown): boolean {
  const e = error as { code?: string; message?: string; fatal?: boolean };
  return (
    e.fatal === true ||
    ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'PROTOCOL_CONNECTION_LOST', '57P01'].includes(
      e.code ?? '',
    ) ||
    /Connection terminated|not queryable|closed state|terminating connection/i.test(e.message ?? '')
  );
}
