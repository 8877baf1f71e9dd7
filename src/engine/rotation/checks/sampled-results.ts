/**
 * The results of the check before a rotation, kept for its main pass: a
 * sampled record the pass reads holding the same value gets the sample's
 * result (the task the pass would have run, already run) instead of a second
 * derivation. Keyed on the record and its value: a record another program
 * changed since the sample is derived again like any other, and the pass's
 * guarded write (expected value = what the pass read) protects the rest.
 * Everything downstream (counts, visit ledger, batch, checkpoint proof) is
 * the pass's own, so the coverage proof sees the record read once.
 * Kept within a byte budget (a digest of the old value, the new value): a
 * sample of large values would otherwise hold every new value until the pass
 * reaches it; past the budget a sampled record is only opened, as the
 * pre-flight did, and derived again by the pass.
 */
import { createHash } from 'node:crypto';
import type { CryptoTaskResult } from '../../pool/protocol.js';
import type { VaultRecord } from '../../storage/types.js';

interface Kept {
  /** SHA-256 of the sampled value: the pass's value must be the same */
  readonly digest: string;
  readonly result: CryptoTaskResult;
  readonly bytes: number;
}

/** What the kept results may hold at most: a quarter of the pipeline's in-flight budget. */
export const MAX_KEPT_BYTES = 16 * 1024 * 1024;

const digestOf = (value: string): string => createHash('sha256').update(value).digest('base64');

function resultBytes(result: CryptoTaskResult): number {
  const { outcome } = result;
  return outcome.kind === 'rotated' || outcome.kind === 'sealed' ? outcome.newValue.length : 0;
}

export class SampledResults {
  private readonly byKey = new Map<string, Kept>();
  /** bytes set aside for records whose task runs (see reserve) */
  private readonly reserved = new Map<string, number>();
  /** reserved + kept */
  private bytes = 0;
  /** derivations the check spent on results the pass took */
  reusedDerivations = 0;
  /** results the pass took */
  reused = 0;

  /**
   * @param op the task the pass runs on each record: a dry run opens, a
   *   rotation rotates; the sample must have run the same one
   */
  constructor(
    readonly op: 'open' | 'rotate',
    private readonly maxBytes = MAX_KEPT_BYTES,
  ) {}

  /**
   * Before a sampled record's task is queued: sets its result's bytes aside if the budget has
   * room. Only a reserved record runs the pass's task (a rotation's re-encryption), so a sample
   * of large values spends no write derivation whose result could not be kept.
   */
  reserve(record: VaultRecord): boolean {
    const bytes = record.key.length + (this.op === 'rotate' ? record.value.length : 0);
    if (this.reserved.has(record.key) || this.bytes + bytes > this.maxBytes) return false;
    this.bytes += bytes;
    this.reserved.set(record.key, bytes);
    return true;
  }

  /** A reserved record's finished result (aborted ones are not kept: the pass redoes them). */
  keep(record: VaultRecord, result: CryptoTaskResult): void {
    const reserved = this.reserved.get(record.key);
    if (reserved === undefined) return;
    this.reserved.delete(record.key);
    this.bytes -= reserved;
    if (result.outcome.kind === 'aborted' || result.derivations === 0) return;
    const bytes = resultBytes(result) + record.key.length;
    this.bytes += bytes;
    this.byKey.set(record.key, { digest: digestOf(record.value), result, bytes });
  }

  /**
   * The kept result for this record if it still holds the sampled value (once:
   * the entry is dropped). Its derivations are the pass's from now on: the
   * result moves them out of the check's count, so each is counted once.
   */
  take(record: VaultRecord): CryptoTaskResult | null {
    const kept = this.byKey.get(record.key);
    if (!kept) return null;
    this.byKey.delete(record.key);
    this.bytes -= kept.bytes;
    if (kept.digest !== digestOf(record.value)) return null;
    this.reused++;
    this.reusedDerivations += kept.result.derivations;
    return kept.result;
  }

  get size(): number {
    return this.byKey.size;
  }
}
