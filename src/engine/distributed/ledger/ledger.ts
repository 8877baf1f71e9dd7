/**
 * The ledger of distributed rotations: the truth every coordinator and
 * worker reads, in the vault's own database. Shards are claimed by bumping
 * their epoch (compare and set: the claimer knows its epoch exactly); every
 * write of a run is fenced by that epoch and by the rotation still running,
 * and a fenced statement that matches no row means "fenced out or stopped":
 * the caller rolls back and leaves (FencedOut).
 */
import { EngineError } from '../../errors.js';
import type { ServerSql, VaultStore } from '../../storage/types.js';
import type { LedgerState, RotationRow, ShardCounts, ShardRow, WorkerRow } from '../types.js';
import { COUNT_COLUMNS, COUNT_SETS, num, rotationOf, shardOf, textOrNull } from './rows.js';
import { createLedgerTables, ledgerPermissionError, mayCreateLedgerTables } from './create.js';
import { LEDGER_TABLES, ledgerNames, portable, type LedgerNames } from './schema.js';
import { FencedOut, type NewRotation, type ShardClaim, type VisitEntry } from './types.js';
import { serverNowMs, withServerNow } from './server-clock.js';
import { readWorkers, upsertWorker } from './workers.js';

/** Active: the rotation is unfinished (running, or cancelled and waiting to resume). */
export const ACTIVE_STATES: readonly LedgerState[] = ['running', 'cancelled'];

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

  /** SQL for the server's now: the ledger's times are the server's (server-clock.ts) */
  private get serverNow(): string {
    return serverNowMs(this.dialect);
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
    await createLedgerTables(this.sql, this.names, this.schema, this.display);
  }

  /**
   * 'exists', or 'can-create' when this login may create the tables (asked of the catalog,
   * nothing created); LEDGER_PERMISSION otherwise, as create() would say.
   */
  async readiness(): Promise<'exists' | 'can-create'> {
    if (await this.exists()) return 'exists';
    if (await mayCreateLedgerTables(this.sql, this.schema)) return 'can-create';
    throw ledgerPermissionError(this.schema, this.display);
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
      `SELECT ${withServerNow(this.dialect)} FROM ${this.names.vsa_rotation} WHERE vault_table = ? AND state IN (?, ?) ORDER BY started_ms`,
      [table, ...ACTIVE_STATES],
    );
    return rows[0] ? rotationOf(rows[0]) : null;
  }

  /** The latest rotation of `table` whatever its state, or null. */
  async latestRotation(table: string): Promise<RotationRow | null> {
    const rows = await this.sql.query(
      `SELECT ${withServerNow(this.dialect)} FROM ${this.names.vsa_rotation} WHERE vault_table = ? ORDER BY started_ms DESC`,
      [table],
    );
    return rows[0] ? rotationOf(rows[0]) : null;
  }

  async rotation(id: string): Promise<RotationRow | null> {
    const rows = await this.sql.query(
      `SELECT ${withServerNow(this.dialect)} FROM ${this.names.vsa_rotation} WHERE id = ?`,
      [id],
    );
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
    const serverNow = this.serverNow;
    await this.transaction(async () => {
      await this.sql.modify(
        `INSERT INTO ${this.names.vsa_rotation} (id, vault_table, state, now_ms, include_soft_deleted,
          open_config, write_config, canary_old, canary_new, rows_at_start, shard_count, bounds_hash,
          round, coordinator, heartbeat_ms, started_ms, updated_ms)
          VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ${serverNow}, ${serverNow}, ${serverNow})`,
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
      // The claim carries the row as read (cursor, counts): it matches only if no batch of the
      // current owner committed since, which moves them but not the epoch.
      const sameCursor =
        this.dialect === 'postgres' ? 'cursor_key IS NOT DISTINCT FROM ?' : 'cursor_key <=> ?';
      const sameCounts = COUNT_COLUMNS.map(([, column]) => `${column} = ?`).join(' AND ');
      const matched = await this.sql.modify(
        `UPDATE ${this.names.vsa_shard} SET epoch = ?, owner = ?${
          next ? ', round = ?, done = 0, cursor_key = NULL' : ''
        } WHERE rotation = ? AND shard = ? AND epoch = ? AND round = ? AND done = ?
          AND ${sameCursor} AND ${sameCounts} AND ${this.running()}`,
        [
          row.epoch + 1,
          owner,
          ...(next ? [round] : []),
          rotation,
          shard,
          row.epoch,
          row.round,
          row.done ? 1 : 0,
          row.cursor,
          ...COUNT_COLUMNS.map(([field]) => row[field]),
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
      // Another claimer, or a commit of the owner, changed the row between the read and the update: read again.
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
      `UPDATE ${this.names.vsa_rotation} SET state = ?, updated_ms = ${this.serverNow} WHERE id = ?${guard}`,
      [state, rotation, ...(from ?? [])],
    );
    return matched === 1;
  }

  async setRound(rotation: string, round: number): Promise<void> {
    await this.sql.modify(
      `UPDATE ${this.names.vsa_rotation} SET round = ?, updated_ms = ${this.serverNow} WHERE id = ?`,
      [round, rotation],
    );
  }

  async setOutcome(rotation: string, outcome: unknown): Promise<void> {
    await this.sql.modify(
      `UPDATE ${this.names.vsa_rotation} SET outcome = ?, updated_ms = ${this.serverNow} WHERE id = ?`,
      [JSON.stringify(outcome), rotation],
    );
  }

  async heartbeat(rotation: string, coordinator: string): Promise<void> {
    await this.sql.modify(
      `UPDATE ${this.names.vsa_rotation} SET coordinator = ?, heartbeat_ms = ${this.serverNow} WHERE id = ?`,
      [coordinator, rotation],
    );
  }

  async registerWorker(rotation: string, worker: Omit<WorkerRow, 'lastSeenMs'>): Promise<void> {
    await upsertWorker(this.sql, this.names, rotation, worker);
  }

  workers(rotation: string): Promise<WorkerRow[]> {
    return readWorkers(this.sql, this.names, rotation);
  }
}
