/**
 * Records in key order, one keyset page in memory at a time (never OFFSET),
 * each page bounded in records and in bytes of values. Refuses to go on when
 * a page does not advance the cursor: an endless loop or a skipped range is
 * an internal error, never a silent retry.
 */
import { EngineError } from '../../errors.js';
import type { VaultRecord, VaultStore } from '../../storage/types.js';
import { scopeFilter, type RecordScope } from '../job/record-scope.js';

export interface RecordReaderOptions {
  /** the records to read, from the scope's cursor on */
  readonly scope: RecordScope;
  readonly pageSize: number;
  /** bytes of values per page at most (at least one record per page) */
  readonly pageMaxBytes?: number;
  /** what the keys are (store.keyKind of the table) */
  readonly keyKind: 'rowid' | 'id';
}

/** Rowid keys are decimal integers (beyond 2^53 too); id keys follow the column's collation, unknown here. */
export function keyAdvances(kind: 'rowid' | 'id', previous: string | null, next: string): boolean {
  if (previous === null) return true;
  if (kind === 'id') return next !== previous;
  return BigInt(next) > BigInt(previous);
}

export class RecordReader {
  private readonly store: VaultStore;
  private readonly options: RecordReaderOptions;
  private readonly keyKind: 'rowid' | 'id';
  private page: VaultRecord[] = [];
  private index = 0;
  private lastKey: string | null;
  private exhausted = false;

  constructor(store: VaultStore, options: RecordReaderOptions) {
    this.store = store;
    this.options = options;
    this.lastKey = options.scope.afterKey;
    this.keyKind = options.keyKind;
  }

  /** true once the last record has been handed out */
  get done(): boolean {
    return this.exhausted && this.index >= this.page.length;
  }

  /** A record, or a promise of one where a new page must be read first. */
  next(): VaultRecord | null | Promise<VaultRecord | null> {
    if (this.index < this.page.length) return this.take();
    if (this.exhausted) return null;
    return this.readPage().then(() => (this.page.length === 0 ? null : this.take()));
  }

  private async readPage(): Promise<void> {
    this.page = await this.store.readRecords(this.options.scope.table, {
      ...scopeFilter(this.options.scope),
      afterKey: this.lastKey,
      limit: this.options.pageSize,
      maxBytes: this.options.pageMaxBytes,
    });
    this.index = 0;
    // A page bounded by bytes may be short without being the last.
    if (this.page.length === 0) this.exhausted = true;
  }

  private take(): VaultRecord {
    const record = this.page[this.index++]!;
    if (!keyAdvances(this.keyKind, this.lastKey, record.key)) {
      throw new EngineError(
        'INTERNAL',
        `Reading the table ${this.options.scope.table} did not advance past record ${record.id}: stopped rather than ` +
          'visit records twice or skip some. Nothing after the last commit was written; please report this.',
      );
    }
    this.lastKey = record.key;
    return record;
  }
}
