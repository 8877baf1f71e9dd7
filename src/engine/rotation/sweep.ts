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
 */
import type { VaultRecord } from '../storage/types.js';
import type { RecordFailure } from './types.js';
import { RecordReader } from './record-reader.js';
import { scopeAfter } from './record-scope.js';
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
  readonly cancelled: boolean;
  readonly failures: readonly RecordFailure[];
}

/** Hands out only the records whose content this run did not leave there. */
class ChangedRecords implements RecordSource {
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
  const anotherRoundNeeded = async (): Promise<boolean> =>
    versionBefore === null ? lastRoundFound > 0 : (await store.dataVersion()) !== versionBefore;
  while (await anotherRoundNeeded()) {
    if (report.rounds === maxRounds) {
      // Still committing: "not complete" when its last round still found old-password records.
      report.stillWriting = lastRoundOpened > 0;
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
  }
  return report;
}
