/**
 * The sweep after the main pass: when another program committed to the vault
 * during the run (SQLite's data_version moved; on a server, which cannot tell,
 * always), re-read the table and rotate
 * the records it wrote: changed behind the cursor, inserted below it, or whose
 * guarded write it won. The run's own writes are recognised by the visit
 * ledger and cost nothing. Repeats while another program keeps committing
 * (a round that found nothing could have missed a record written behind its
 * reader; without a data_version: while a round still finds such records), up
 * to a limit; still writing under the old password then means the rotation is
 * not complete.
 *
 * Every round that finds the table quiet also counts the records in scope:
 * a round that read fewer than the count missed one (a paging skip), and a
 * missed record may still hold an old-password value. Another program's
 * commit between the round and the count can explain a difference once, so
 * the round is repeated; a quiet last round that still differs is reported
 * (`unaccounted`) and the rotation refuses to call itself complete.
 */
import type { VaultRecord } from '../../storage/types.js';
import type { RecordFailure } from '../types.js';
import { RecordReader } from './record-reader.js';
import { scopeAfter, scopeFilter } from '../job/record-scope.js';
import { RotationPipeline, type PipelineSettings, type RecordSource } from './pipeline.js';
import type { VisitLedger } from './visit-ledger.js';

export const MAX_SWEEP_ROUNDS = 5;

/** `scope`: the job's records; each round reads all of them, whatever the scope's cursor. */
export interface SweepSettings extends Omit<
  PipelineSettings,
  'records' | 'ledger' | 'onCommit' | 'dryRun'
> {
  readonly ledger: VisitLedger;
  readonly pageSize: number;
  readonly pageMaxBytes: number;
  /** data_version when the main pass started; null: the store cannot tell (a server) */
  readonly dataVersionAtStart: number | null;
  readonly keyKind: 'rowid' | 'id';
  readonly maxRounds?: number;
}

export interface SweepReport {
  /** rounds run (0: nobody else wrote during the run) */
  readonly rounds: number;
  /** records another program changed or inserted, re-examined */
  readonly examined: number;
  readonly changed: number;
  readonly inserted: number;
  /** records visited by this run that another program deleted (or soft-deleted out of scope) since */
  readonly deleted: number;
  /** of `examined`: rotated now, did not open, malformed */
  readonly rotated: number;
  readonly opened: number;
  readonly skipped: number;
  readonly malformed: number;
  /** records listed as failures: malformed ones, and writes lost in the last round */
  readonly failed: number;
  readonly derivations: number;
  /** another program still wrote old-password records when the rounds ran out */
  readonly stillWriting: boolean;
  /**
   * records in scope the last round did not read although nobody else wrote
   * during it (count minus records read; 0 when they agree)
   */
  readonly unaccounted: number;
  readonly cancelled: boolean;
  readonly failures: readonly RecordFailure[];
}

/** Hands out only the records whose content this run did not leave there. */
export class ChangedRecords implements RecordSource {
  /** every record the reader handed over, ours or not */
  read = 0;
  present = 0;
  changed = 0;
  inserted = 0;

  constructor(
    private readonly reader: RecordReader,
    private readonly ledger: VisitLedger,
  ) {}

  get done(): boolean {
    return this.reader.done;
  }

  async next(): Promise<VaultRecord | null> {
    for (let record = await this.reader.next(); record; record = await this.reader.next()) {
      this.read++;
      if (this.ledger.has(record.key)) {
        this.present++;
        if (this.ledger.holdsWhatWeLeft(record.key, record.value)) continue;
        this.changed++;
      } else {
        this.inserted++;
      }
      return record;
    }
    return null;
  }
}

export async function sweepForeignWrites(settings: SweepSettings): Promise<SweepReport> {
  const { store, ledger } = settings;
  const report = {
    rounds: 0,
    examined: 0,
    changed: 0,
    inserted: 0,
    deleted: 0,
    rotated: 0,
    opened: 0,
    skipped: 0,
    malformed: 0,
    failed: 0,
    derivations: 0,
    stillWriting: false,
    unaccounted: 0,
    cancelled: false,
    failures: [] as RecordFailure[],
  };
  let versionBefore = settings.dataVersionAtStart;
  const maxRounds = settings.maxRounds ?? MAX_SWEEP_ROUNDS;
  const scope = scopeAfter(settings.scope, null);
  let lastRoundOpened = 0;
  let lastRoundFound = Number.POSITIVE_INFINITY;
  // Nobody else committed since the last round began: the table is exactly what the run left.
  // Without a data_version: until a whole round finds nothing another program wrote.
  const othersWrote = async (): Promise<boolean> =>
    versionBefore === null ? lastRoundFound > 0 : (await store.dataVersion()) !== versionBefore;
  // records in scope the last quiet round did not read (0: it read them all)
  let unaccounted = 0;
  while ((await othersWrote()) || unaccounted !== 0) {
    if (report.rounds === maxRounds) {
      // Still committing: "not complete" when its last round still found old-password records.
      const writing = await othersWrote();
      report.stillWriting = writing && lastRoundOpened > 0;
      // Quiet, yet fewer records read than counted: a record was missed, not written by someone.
      if (!writing) report.unaccounted = unaccounted;
      break;
    }
    report.rounds++;
    if (versionBefore !== null) versionBefore = await store.dataVersion();
    const visitedBefore = ledger.size;
    const source = new ChangedRecords(
      new RecordReader(store, {
        scope,
        pageSize: settings.pageSize,
        pageMaxBytes: settings.pageMaxBytes,
        keyKind: settings.keyKind,
      }),
      ledger,
    );
    const pipeline = new RotationPipeline({
      ...settings,
      scope,
      records: source,
      dryRun: false,
      ledger,
      // A sweep has no resume point of its own: its checkpoint says "redo from the start".
      onCommit: () => undefined,
    });
    const { cancelled } = await pipeline.run();
    const { counts } = pipeline;
    report.examined += counts.scanned;
    report.changed += source.changed;
    report.inserted += source.inserted;
    // A deleted record stays missing in every later round: the last complete round counts them all.
    if (!cancelled) report.deleted = visitedBefore - source.present;
    report.rotated += counts.rotated;
    report.opened += counts.opened;
    report.skipped += counts.skipped;
    report.derivations += counts.derivations;
    report.malformed += counts.failed - counts.changedConcurrently;
    report.failed = report.malformed + counts.changedConcurrently;
    // Malformed records stay as they are (later rounds skip them); a lost write is re-examined next round.
    report.failures = [
      ...report.failures.filter((failure) => failure.reason === 'malformed'),
      ...pipeline.failures,
    ];
    if (cancelled) {
      report.cancelled = true;
      break;
    }
    lastRoundOpened = counts.opened;
    // A deletion needs no other round: nothing is left to rotate.
    lastRoundFound = source.changed + source.inserted + counts.changedConcurrently;
    // A quiet round read the table as the run left it: every record in scope, or one was missed.
    const quiet = !(await othersWrote());
    unaccounted = quiet
      ? (await store.countRecords(scope.table, scopeFilter(scope))) - source.read
      : 0;
  }
  return report;
}
