/**
 * What this run left in each record it visited, so that a sweep after the
 * main pass can tell records another program wrote during the run (changed,
 * inserted behind the cursor) from the run's own writes, without a second
 * derivation for the latter. Per record: its key and a 30-bit fingerprint of
 * the value left there (rowid keys are small integers: about 20 bytes a record).
 */
import { createHash } from 'node:crypto';

/** "We do not know what is there now" (a write lost to another program): always re-examined. */
const UNKNOWN = -1;

export function valueFingerprint(value: string): number {
  return createHash('sha256').update(value).digest().readUInt32LE(0) & 0x3fffffff;
}

export class VisitLedger {
  private readonly entries = new Map<number | string, number>();

  /** Rowids that are safe integers are stored as numbers (no string per record). */
  private static slot(key: string): number | string {
    const asNumber = Number(key);
    return Number.isSafeInteger(asNumber) && String(asNumber) === key ? asNumber : key;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The run left `value` in the record at `key`. */
  leave(key: string, value: string): void {
    this.entries.set(VisitLedger.slot(key), valueFingerprint(value));
  }

  /** The run does not know what the record holds now (its guarded write lost to another program). */
  forget(key: string): void {
    this.entries.set(VisitLedger.slot(key), UNKNOWN);
  }

  /** true when the record holds what this run left there */
  holdsWhatWeLeft(key: string, value: string): boolean {
    const left = this.entries.get(VisitLedger.slot(key));
    return left !== undefined && left !== UNKNOWN && left === valueFingerprint(value);
  }

  has(key: string): boolean {
    return this.entries.has(VisitLedger.slot(key));
  }
}
