/**
 * The ledger of distributed rotations: the truth every coordinator and
 * worker reads, in the vault's own database. Shards are claimed by bumping
 * their epoch (compare and set: the claimer knows its epoch exactly); every
 * write of a run is fenced by that epoch and by the rotation still running,
 * and a fenced statement that matches no row means "fenced out or stopped":
 * the caller rolls back and leaves (FencedOut).
 */
import type { Argon2Config } from '../../../core/argon2.js';
import { EngineError } from '../../errors.js';
import type { ServerSql, SqlParam, SqlRow, VaultStore } from '../../storage/types.js';
import type {
  LedgerState,
  RotationRow,
  ShardCounts,
  ShardFailure,
  ShardRow,
  WorkerRow,
} from '../types.js';
import { LEDGER_TABLES, ledgerDdl, ledgerNames, portable, type LedgerNames } from './schema.js';

/** A fenced write matched nothing: another run holds the shard, or the rotation stopped. */
export class FencedOut extends Error {
  constructor() {
    super('fenced out of the shard (another run claimed it, or the rotation stopped)');
    this.name = 'FencedOut';
  }
}

/** Active: the rotation is unfinished (running, or cancelled and waiting to resume). */
export const ACTIVE_STATES: readonly LedgerState[] = ['running', 'cancelled'];

export const NO_SHARD_COUNTS: ShardCounts = {
  scanned: 0,
  opened: 0,
  rotated: 0,
  skipped: 0,
  failed: 0,
  changed: 0,
  bytes: 0,
  derivations: 0,
  sweepExamined: 0,
  sweepRotated: 0,
  sweepFailed: 0,
};

const COUNT_COLUMNS: ReadonlyArray<readonly [keyof ShardCounts, string]> = [
  ['scanned', 'scanned'],
  ['opened', 'opened'],
  ['rotated', 'rotated'],
  ['skipped', 'skipped'],
  ['failed', 'failed'],
  ['changed', 'changed'],
  ['bytes', 'bytes'],
  ['derivations', 'derivations'],
  ['sweepExamined', 'sweep_examined'],
  ['sweepRotated', 'sweep_rotated'],
  ['sweepFailed', 'sweep_failed'],
];

const COUNT_SETS = COUNT_COLUMNS.map(([, column]) => `${column} = ?`).join(', ');

export type NewRotation = Pick<
  RotationRow,
  'id' | 'table' | 'now' | 'includeSoftDeleted' | 'openConfig' | 'writeConfig' | 'canaries'
> &
  Pick<RotationRow, 'rowsAtStart' | 'boundsHash'> & {
    readonly coordinator: string;
    readonly shards: readonly { lo: string | null; hi: string | null; rowsAtStart: number }[];
  };

/** A run's hold on a shard for one round. */
export interface ShardClaim {
  readonly rotation: string;
  readonly shard: number;
  readonly epoch: number;
  readonly owner: string;
  /** the row as claimed (counts so far, cursor to continue from) */
  readonly row: ShardRow;
}

/** One visit entry: a record key and the 30-bit fingerprint left there (-1: unknown). */
export type VisitEntry = readonly [key: string, mark: number];

const num = (value: unknown): number => Number(value ?? 0);
const textOrNull = (value: unknown): string | null =>
  value === null || value === undefined
    ? null
    : Buffer.isBuffer(value)
      ? value.toString('utf8')
      : String(value);

function shardOf(row: SqlRow): ShardRow {
  const counts = Object.fromEntries(
    COUNT_COLUMNS.map(([field, column]) => [field, num(row[column])]),
  ) as unknown as ShardCounts;
  return {
    ...counts,
    shard: num(row.shard),
    lo: textOrNull(row.lo),
    hi: textOrNull(row.hi),
    rowsAtStart: num(row.rows_at_start),
    epoch: num(row.epoch),
    owner: textOrNull(row.owner),
    round: num(row.round),
    done: num(row.done) === 1,
    cursor: textOrNull(row.cursor_key),
    roundRead: num(row.round_read),
    roundFound: num(row.round_found),
    roundOpened: num(row.round_opened),
    roundDeleted: num(row.round_deleted),
    failure: textOrNull(row.failure),
  };
}

function rotationOf(row: SqlRow): RotationRow {
  return {
    id: String(row.id),
    table: String(textOrNull(row.vault_table)),
    state: String(row.state) as LedgerState,
    now: new Date(num(row.now_ms)),
    includeSoftDeleted: num(row.include_soft_deleted) === 1,
    openConfig: JSON.parse(String(textOrNull(row.open_config))) as Argon2Config,
    writeConfig: JSON.parse(String(textOrNull(row.write_config))) as Argon2Config,
    canaries: { old: String(textOrNull(row.canary_old)), new: String(textOrNull(row.canary_new)) },
    rowsAtStart: num(row.rows_at_start),
    shardCount: num(row.shard_count),
    boundsHash: String(row.bounds_hash),
    round: num(row.round),
    coordinator: textOrNull(row.coordinator),
    heartbeatMs: row.heartbeat_ms === null ? null : num(row.heartbeat_ms),
    startedMs: num(row.started_ms),
    updatedMs: num(row.updated_ms),
  };
}

/** PostgreSQL 42501 / 3F000, MySQL 1044, 1142, 1049: the login may not create (or use) the ledger there. */
function isPermissionError(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown; errno?: unknown } }).cause;
  return (
    (error as { code?: unknown }).code === 'SERVER_PERMISSION' ||
    cause?.code === '42501' ||
    cause?.code === '3F000' ||
    cause?.errno === 1044 ||
    cause?.errno === 1142 ||
    cause?.errno === 1049
  );
}

export class Ledger {
  readonly names: LedgerNames;
  private readonly sql: ServerSql;

  private constructor(
    sql: ServerSql,
    readonly schema: string | null,
    private readonly display: string,
  ) {
    this.sql = portable(sql);
    this.names = ledgerNames(sql.dialect, schema);
  }

  get dialect(): ServerSql['dialect'] {
    return this.sql.dialect;
  }

  /** The ledger on a server store's connection (SQLite: DISTRIBUTED_SQLITE). */
  static of(store: VaultStore, schema: string | null): Ledger {
    if (!store.serverSql) {
      throw new EngineError(
        'DISTRIBUTED_SQLITE',
        `${store.path} is a SQLite file, which one machine rotates (rotate without --queue): a ` +
          'distributed rotation is for a vault table in PostgreSQL or MySQL/MariaDB, which every machine reaches.',
      );
    }
    return new Ledger(store.serverSql(), schema, store.path);
  }

  /** Statements of `sql` (a batch's transaction) with this ledger's names. */
  within(sql: ServerSql): Ledger {
    return new Ledger(sql, this.schema, this.display);
  }

  /** Creates the tables that are missing; LEDGER_PERMISSION when the login may not. */
  async create(): Promise<void> {
    try {
      for (const statement of ledgerDdl(this.dialect, this.names)) await this.sql.query(statement);
    } catch (error) {
      if (!isPermissionError(error)) throw error;
      throw new EngineError(
        'LEDGER_PERMISSION',
        `A distributed rotation keeps its ledger (tables ${LEDGER_TABLES.join(', ')}) in ${this.display}` +
          `${this.schema === null ? '' : ` (schema ${JSON.stringify(this.schema)})`}, and this login may not ` +
          'create tables there. Nothing was changed. Grant it CREATE on that schema/database, or name a ' +
          'schema where it may (CLI: --ledger-schema), or rotate on one machine (rotate without --queue).',
        { cause: error },
      );
    }
  }

  /** Whether the ledger tables exist (asked of the catalog: a single-machine rotation looks without creating them). */
  async exists(): Promise<boolean> {
    const [row] =
      this.dialect === 'postgres'
        ? await this.sql.query('SELECT to_regclass(?) IS NOT NULL AS found', [
            this.names.vsa_rotation,
          ])
        : await this.sql.query(
            `SELECT count(*) AS found FROM information_schema.TABLES
              WHERE TABLE_SCHEMA = coalesce(?, DATABASE()) AND TABLE_NAME = 'vsa_rotation'`,
            [this.schema],
          );
    return row?.found === true || num(row?.found) > 0;
  }

  /** Drops the tables when no other rotation's rows remain in them. */
  async dropIfUnused(rotation: string): Promise<boolean> {
    await this.deleteRotation(rotation);
    const [row] = await this.sql.query(`SELECT count(*) AS n FROM ${this.names.vsa_rotation}`);
    if (num(row?.n) > 0) return false;
    for (const table of LEDGER_TABLES)
      await this.sql.query(`DROP TABLE IF EXISTS ${this.names[table]}`);
    return true;
  }

  async deleteRotation(rotation: string): Promise<void> {
    for (const table of ['vsa_visit', 'vsa_worker', 'vsa_shard'] as const) {
      await this.sql.modify(`DELETE FROM ${this.names[table]} WHERE rotation = ?`, [rotation]);
    }
    await this.sql.modify(`DELETE FROM ${this.names.vsa_rotation} WHERE id = ?`, [rotation]);
  }

  /** The unfinished rotation of `table`, or null. */
  async activeRotation(table: string): Promise<RotationRow | null> {
    const rows = await this.sql.query(
      `SELECT * FROM ${this.names.vsa_rotation} WHERE vault_table = ? AND state IN (?, ?) ORDER BY started_ms`,
      [table, ...ACTIVE_STATES],
    );
    return rows[0] ? rotationOf(rows[0]) : null;
  }

  /** The latest rotation of `table` whatever its state, or null. */
  async latestRotation(table: string): Promise<RotationRow | null> {
    const rows = await this.sql.query(
      `SELECT * FROM ${this.names.vsa_rotation} WHERE vault_table = ? ORDER BY started_ms DESC`,
      [table],
    );
    return rows[0] ? rotationOf(rows[0]) : null;
  }

  async rotation(id: string): Promise<RotationRow | null> {
    const rows = await this.sql.query(`SELECT * FROM ${this.names.vsa_rotation} WHERE id = ?`, [
      id,
    ]);
    return rows[0] ? rotationOf(rows[0]) : null;
  }

  /** The rotation's state; 'finished' once its rows or the ledger are gone (dropped only when it ended). */
  async state(id: string): Promise<LedgerState | 'finished'> {
    try {
      const rows = await this.sql.query(
        `SELECT state FROM ${this.names.vsa_rotation} WHERE id = ?`,
        [id],
      );
      return rows[0] ? (String(rows[0].state) as LedgerState) : 'finished';
    } catch (error) {
      if (await this.exists()) throw error;
      return 'finished';
    }
  }

  /** The rotation row and its shards, in one transaction. */
  async insertRotation(rotation: NewRotation): Promise<void> {
    const nowMs = Date.now();
    await this.transaction(async () => {
      await this.sql.modify(
        `INSERT INTO ${this.names.vsa_rotation} (id, vault_table, state, now_ms, include_soft_deleted,
          open_config, write_config, canary_old, canary_new, rows_at_start, shard_count, bounds_hash,
          round, coordinator, heartbeat_ms, started_ms, updated_ms)
          VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)`,
        [
          rotation.id,
          rotation.table,
          rotation.now.getTime(),
          rotation.includeSoftDeleted ? 1 : 0,
          JSON.stringify(rotation.openConfig),
          JSON.stringify(rotation.writeConfig),
          rotation.canaries.old,
          rotation.canaries.new,
          rotation.rowsAtStart,
          rotation.shards.length,
          rotation.boundsHash,
          rotation.coordinator,
          nowMs,
          nowMs,
          nowMs,
        ],
      );
      const zeros = COUNT_COLUMNS.map(() => '0').join(', ');
      for (const [index, shard] of rotation.shards.entries()) {
        await this.sql.modify(
          `INSERT INTO ${this.names.vsa_shard} (rotation, shard, lo, hi, rows_at_start, epoch, owner, round,
            done, cursor_key, ${COUNT_COLUMNS.map(([, column]) => column).join(', ')},
            round_read, round_found, round_opened, round_deleted, failure)
            VALUES (?, ?, ?, ?, ?, 0, NULL, 0, 0, NULL, ${zeros}, 0, 0, 0, 0, NULL)`,
          [rotation.id, index, shard.lo, shard.hi, shard.rowsAtStart],
        );
      }
    });
  }

  /** Runs `work` in one transaction on the ledger's connection (rolled back when it throws). */
  transaction<T>(work: () => Promise<T>): Promise<T> {
    return this.inTransaction([this.dialect === 'postgres' ? 'BEGIN' : 'START TRANSACTION'], work);
  }

  /**
   * Runs `work` (the store's reads on this same connection) in one
   * read-only snapshot: every statement sees the database as of its start.
   */
  snapshot<T>(work: () => Promise<T>): Promise<T> {
    return this.inTransaction(
      this.dialect === 'postgres'
        ? ['BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY']
        : [
            'SET TRANSACTION ISOLATION LEVEL REPEATABLE READ',
            'START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY',
          ],
      work,
    );
  }

  private async inTransaction<T>(begin: readonly string[], work: () => Promise<T>): Promise<T> {
    for (const statement of begin) await this.sql.query(statement);
    try {
      const result = await work();
      await this.sql.query('COMMIT');
      return result;
    } catch (error) {
      await this.sql.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  async shards(rotation: string): Promise<ShardRow[]> {
    const rows = await this.sql.query(
      `SELECT * FROM ${this.names.vsa_shard} WHERE rotation = ? ORDER BY shard`,
      [rotation],
    );
    return rows.map(shardOf);
  }

  async shard(rotation: string, shard: number): Promise<ShardRow | null> {
    const rows = await this.sql.query(
      `SELECT * FROM ${this.names.vsa_shard} WHERE rotation = ? AND shard = ?`,
      [rotation, shard],
    );
    return rows[0] ? shardOf(rows[0]) : null;
  }

  /**
   * Claims the shard for `round` by bumping its epoch (compare and set on
   * the epoch read). null: the round is done there already, or not ready
   * (the shard has not finished the round before), or the rotation stopped.
   * Moving to a new round starts it from the range's first record.
   */
  async claim(
    rotation: string,
    shard: number,
    round: number,
    owner: string,
  ): Promise<ShardClaim | null> {
    for (;;) {
      const row = await this.shard(rotation, shard);
      if (!row) return null;
      const finished = row.round > round || (row.round === round && row.done);
      const notReady = row.round < round - 1 || (row.round === round - 1 && !row.done);
      if (finished || notReady) return null;
      const next = row.round < round;
      const matched = await this.sql.modify(
        `UPDATE ${this.names.vsa_shard} SET epoch = ?, owner = ?${
          next ? ', round = ?, done = 0, cursor_key = NULL' : ''
        } WHERE rotation = ? AND shard = ? AND epoch = ? AND round = ? AND done = ? AND ${this.running()}`,
        [
          row.epoch + 1,
          owner,
          ...(next ? [round] : []),
          rotation,
          shard,
          row.epoch,
          row.round,
          row.done ? 1 : 0,
          rotation,
        ],
      );
      if (matched === 1) {
        return {
          rotation,
          shard,
          epoch: row.epoch + 1,
          owner,
          row: {
            ...row,
            epoch: row.epoch + 1,
            owner,
            ...(next && { round, done: false, cursor: null }),
          },
        };
      }
      if ((await this.state(rotation)) !== 'running') return null;
      // Another claimer bumped the epoch between the read and the update: read again.
    }
  }

  /** "The rotation is still running": the fence's second half (parameter: the rotation id). */
  private running(): string {
    return `EXISTS (SELECT 1 FROM ${this.names.vsa_rotation} r WHERE r.id = ? AND r.state = 'running')`;
  }

  /**
   * A batch's ledger writes (inside the batch's transaction): the shard's
   * cursor and counts, fenced by the claim's epoch and the rotation still
   * running, then the batch's visit fingerprints. FencedOut when the fence
   * matches nothing: the caller's transaction rolls back.
   */
  async commitBatch(
    claim: ShardClaim,
    commit: {
      cursor: string | null;
      counts: ShardCounts;
      seq: number;
      visits: readonly VisitEntry[];
    },
  ): Promise<void> {
    await this.assertStillRunning(claim.rotation);
    const matched = await this.sql.modify(
      `UPDATE ${this.names.vsa_shard} SET cursor_key = ?, ${COUNT_SETS}
        WHERE rotation = ? AND shard = ? AND epoch = ?`,
      [
        commit.cursor,
        ...COUNT_COLUMNS.map(([field]) => commit.counts[field]),
        claim.rotation,
        claim.shard,
        claim.epoch,
      ],
    );
    // MySQL: found rows (mysql2's FOUND_ROWS), so a commit that changes no value still counts.
    if (matched !== 1) throw new FencedOut();
    if (commit.visits.length === 0) return;
    await this.sql.modify(
      `INSERT INTO ${this.names.vsa_visit} (rotation, shard, epoch, seq, entries) VALUES (?, ?, ?, ?, ?)`,
      [claim.rotation, claim.shard, claim.epoch, commit.seq, JSON.stringify(commit.visits)],
    );
  }

  /**
   * The rotation row read with a share lock (inside a write's transaction):
   * a cancel (an UPDATE of that row) waits for the writes in flight, and
   * every write after it sees the rotation stopped. FencedOut unless running.
   */
  private async assertStillRunning(rotation: string): Promise<void> {
    const lock = this.dialect === 'postgres' ? 'FOR SHARE' : 'LOCK IN SHARE MODE';
    const [row] = await this.sql.query(
      `SELECT state FROM ${this.names.vsa_rotation} WHERE id = ? ${lock}`,
      [rotation],
    );
    if (row?.state !== 'running') throw new FencedOut();
  }

  /** The end of a run's round over its shard, fenced like a batch. */
  async finishShard(
    claim: ShardClaim,
    finish: { counts: ShardCounts; read: number; found: number; opened: number; deleted: number },
  ): Promise<void> {
    await this.transaction(async () => {
      await this.assertStillRunning(claim.rotation);
      const matched = await this.sql.modify(
        `UPDATE ${this.names.vsa_shard} SET done = 1, owner = NULL, failure = NULL, ${COUNT_SETS},
          round_read = ?, round_found = ?, round_opened = ?, round_deleted = ?
          WHERE rotation = ? AND shard = ? AND epoch = ?`,
        [
          ...COUNT_COLUMNS.map(([field]) => finish.counts[field]),
          finish.read,
          finish.found,
          finish.opened,
          finish.deleted,
          claim.rotation,
          claim.shard,
          claim.epoch,
        ],
      );
      if (matched !== 1) throw new FencedOut();
    });
  }

  /** A run of the shard failed: its code only (a message could hold a record id). */
  async noteFailure(claim: ShardClaim, code: string): Promise<void> {
    await this.sql.modify(
      `UPDATE ${this.names.vsa_shard} SET failure = ? WHERE rotation = ? AND shard = ? AND epoch = ?`,
      [code.slice(0, 32), claim.rotation, claim.shard, claim.epoch],
    );
  }

  /** What every run of the shard left in its records so far, in commit order. */
  async visits(rotation: string, shard: number): Promise<VisitEntry[][]> {
    const rows = await this.sql.query(
      `SELECT entries FROM ${this.names.vsa_visit} WHERE rotation = ? AND shard = ? ORDER BY epoch, seq`,
      [rotation, shard],
    );
    return rows.map((row) => JSON.parse(String(textOrNull(row.entries))) as VisitEntry[]);
  }

  async setState(
    rotation: string,
    state: LedgerState,
    from?: readonly LedgerState[],
  ): Promise<boolean> {
    const guard = from ? ` AND state IN (${from.map(() => '?').join(', ')})` : '';
    const matched = await this.sql.modify(
      `UPDATE ${this.names.vsa_rotation} SET state = ?, updated_ms = ? WHERE id = ?${guard}`,
      [state, Date.now(), rotation, ...(from ?? [])],
    );
    return matched === 1;
  }

  async setRound(rotation: string, round: number): Promise<void> {
    await this.sql.modify(
      `UPDATE ${this.names.vsa_rotation} SET round = ?, updated_ms = ? WHERE id = ?`,
      [round, Date.now(), rotation],
    );
  }

  async setOutcome(rotation: string, outcome: unknown): Promise<void> {
    await this.sql.modify(
      `UPDATE ${this.names.vsa_rotation} SET outcome = ?, updated_ms = ? WHERE id = ?`,
      [JSON.stringify(outcome), Date.now(), rotation],
    );
  }

  async heartbeat(rotation: string, coordinator: string): Promise<void> {
    await this.sql.modify(
      `UPDATE ${this.names.vsa_rotation} SET coordinator = ?, heartbeat_ms = ? WHERE id = ?`,
      [coordinator, Date.now(), rotation],
    );
  }

  async registerWorker(rotation: string, worker: Omit<WorkerRow, 'lastSeenMs'>): Promise<void> {
    const values: SqlParam[] = [
      worker.host,
      worker.pool,
      worker.backend,
      worker.state,
      worker.records,
      worker.rate,
      Date.now(),
    ];
    const updated = await this.sql.modify(
      `UPDATE ${this.names.vsa_worker} SET host = ?, pool = ?, backend = ?, state = ?, records = ?, rate = ?,
        last_seen_ms = ? WHERE rotation = ? AND worker = ?`,
      [...values, rotation, worker.worker],
    );
    if (updated === 1) return;
    await this.sql.modify(
      `INSERT INTO ${this.names.vsa_worker} (host, pool, backend, state, records, rate, last_seen_ms, rotation, worker)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [...values, rotation, worker.worker],
    );
  }

  async workers(rotation: string): Promise<WorkerRow[]> {
    const rows = await this.sql.query(
      `SELECT * FROM ${this.names.vsa_worker} WHERE rotation = ? ORDER BY worker`,
      [rotation],
    );
    return rows.map((row) => ({
      worker: String(textOrNull(row.worker)),
      host: String(textOrNull(row.host)),
      pool: num(row.pool),
      backend: String(row.backend),
      state: String(row.state),
      records: num(row.records),
      rate: num(row.rate),
      lastSeenMs: num(row.last_seen_ms),
    }));
  }
}

/** The sum of shard counts. */
export function sumShardCounts(rows: readonly ShardCounts[]): ShardCounts {
  const total: Record<string, number> = { ...NO_SHARD_COUNTS };
  for (const row of rows) for (const [field] of COUNT_COLUMNS) total[field]! += row[field];
  return total as unknown as ShardCounts;
}

/** Shards whose last run failed, with its code. */
export function failingShards(rows: readonly ShardRow[]): ShardFailure[] {
  return rows.flatMap((row) =>
    row.failure === null ? [] : [{ shard: row.shard, code: row.failure }],
  );
}
