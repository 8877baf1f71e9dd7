/**
 * What this run left in each record it visited, so that a sweep after the
 * main pass can tell records another program wrote during the run (changed,
 * inserted behind the cursor) from the run's own writes, without a second
 * derivation for the latter. Per record: its key and a 30-bit fingerprint of
 * the value left there.
 *
 * The main pass visits rowids in increasing order, so they are kept in two
 * typed arrays searched by bisection (12 bytes a record: 200,000
 * records cost about 2.4 MB, not the ~40 MB a Map of that size takes). Keys
 * that arrive out of order (records a sweep finds inserted below the cursor)
 * or that are not safe integers (text ids of server tables and WITHOUT ROWID
 * tables, huge rowids) go to a hash table in typed arrays (hashed-marks.ts).
 */
import { HashedMarks } from './hashed-marks.js';

/** "We do not know what is there now" (a write lost to another program): always re-examined. */
export const UNKNOWN_MARK = -1;
const UNKNOWN = UNKNOWN_MARK;
const INITIAL_CAPACITY = 1024;

/**
 * FNV-1a over the UTF-16 code units, 30 bits: allocates nothing (a hash
 * object per record made the heap of a 200,000-record run grow). It only has
 * to tell "changed by someone else" from "as we left it"; a collision (about
 * one in a billion per changed record) would leave that record to the next run.
 */
export function valueFingerprint(value: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    hash ^= value.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) & 0x3fffffff;
}

function safeIntegerKey(key: string): number | null {
  const asNumber = Number(key);
  return Number.isSafeInteger(asNumber) && String(asNumber) === key ? asNumber : null;
}

export class VisitLedger {
  /** allocated with the first key in key order: a table of text ids never needs them */
  private keys = new Float64Array(0);
  private marks = new Int32Array(0);
  private count = 0;
  private readonly others = new HashedMarks();
  private readonly expectedRecords: number;

  /**
   * `expectedRecords`: the records in scope at the start. Sized for them, the
   * arrays hold 12 bytes a record; grown by doubling, up to 18 while copying.
   * A table whose first key is not a rowid (text ids) sizes the hash table
   * for them instead, and allocates no in-order arrays (issue 20: 12 MiB of
   * a 1,000,000-record PostgreSQL rotation, and the copies of its growth).
   */
  constructor(expectedRecords = 0) {
    this.expectedRecords = Math.ceil(expectedRecords);
  }

  /** bytes its typed arrays take */
  get bytes(): number {
    return this.keys.byteLength + this.marks.byteLength + this.others.bytes;
  }

  get size(): number {
    return this.count + this.others.size;
  }

  /** The run left `value` in the record at `key`. */
  leave(key: string, value: string): void {
    this.set(key, valueFingerprint(value));
  }

  /** The run does not know what the record holds now (its guarded write lost to another program). */
  forget(key: string): void {
    this.set(key, UNKNOWN);
  }

  /** A mark kept elsewhere (a distributed rotation's ledger): a fingerprint, or UNKNOWN_MARK. */
  restore(key: string, mark: number): void {
    this.set(key, mark);
  }

  /** true when the record holds what this run left there */
  holdsWhatWeLeft(key: string, value: string): boolean {
    const left = this.get(key);
    return left !== undefined && left !== UNKNOWN && left === valueFingerprint(value);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  private set(key: string, mark: number): void {
    const rowid = safeIntegerKey(key);
    if (rowid === null) {
      if (this.count === 0 && this.others.size === 0) this.others.reserve(this.expectedRecords);
      this.others.set(key, mark);
      return;
    }
    const at = this.indexOf(rowid);
    if (at >= 0) {
      this.marks[at] = mark;
    } else if (this.count === 0 || rowid > this.keys[this.count - 1]!) {
      this.append(rowid, mark);
    } else {
      this.others.set(key, mark);
    }
  }

  private get(key: string): number | undefined {
    const rowid = safeIntegerKey(key);
    if (rowid !== null) {
      const at = this.indexOf(rowid);
      if (at >= 0) return this.marks[at];
    }
    return this.others.get(key);
  }

  private append(rowid: number, mark: number): void {
    if (this.keys.length === 0) {
      const capacity = Math.max(INITIAL_CAPACITY, this.expectedRecords);
      this.keys = new Float64Array(capacity);
      this.marks = new Int32Array(capacity);
    } else if (this.count === this.keys.length) {
      const keys = new Float64Array(this.keys.length * 2);
      keys.set(this.keys);
      this.keys = keys;
      const marks = new Int32Array(this.marks.length * 2);
      marks.set(this.marks);
      this.marks = marks;
    }
    this.keys[this.count] = rowid;
    this.marks[this.count] = mark;
    this.count++;
  }

  /** Bisection over the in-order keys; -1 when absent. */
  private indexOf(rowid: number): number {
    let low = 0;
    let high = this.count - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const at = this.keys[middle]!;
      if (at === rowid) return middle;
      if (at < rowid) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }
}
