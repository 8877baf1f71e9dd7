/**
 * The results of the check before a rotation, kept for its main pass: a
 * sampled record the pass reads holding the same value gets the sample's
 * result (the task the pass would have run, already run) instead of a second
 * derivation. Keyed on the record and its value: a record another program
 * changed since the sample is derived again like any other, and the pass's
 * guarded write (expected value = what the pass read) protects the rest.
 * Everything downstream (counts, visit ledger, batch, checkpoint proof) is
 * the pass's own, so the coverage proof sees the record read once.
 */
import type { CryptoTaskResult } from '../../pool/protocol.js';
import type { VaultRecord } from '../../storage/types.js';

interface Kept {
  readonly value: string;
  readonly result: CryptoTaskResult;
}

export class SampledResults {
  private readonly byKey = new Map<string, Kept>();
  /** derivations the check spent on results the pass took */
  reusedDerivations = 0;
  /** results the pass took */
  reused = 0;

  /**
   * @param op the task the pass runs on each record: a dry run opens, a
   *   rotation rotates; the sample must have run the same one
   */
  constructor(readonly op: 'open' | 'rotate') {}

  /** A sampled record's finished result (aborted ones are not kept: the pass redoes them). */
  keep(record: VaultRecord, result: CryptoTaskResult): void {
    if (result.outcome.kind === 'aborted' || result.derivations === 0) return;
    this.byKey.set(record.key, { value: record.value, result });
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
    if (kept.value !== record.value) return null;
    this.reused++;
    this.reusedDerivations += kept.result.derivations;
    return kept.result;
  }

  get size(): number {
    return this.byKey.size;
  }
}
