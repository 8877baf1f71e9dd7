/** Records in key order, one keyset page in memory at a time (never OFFSET). */
import type { VaultRecord, VaultStore } from '../storage/types.js';

export interface RecordReaderOptions {
  readonly table: string;
  /** start after this id (resume cursor); null: from the first record */
  readonly afterId: string | null;
  readonly includeSoftDeleted: boolean;
  readonly now: Date;
  readonly pageSize: number;
}

export class RecordReader {
  private readonly store: VaultStore;
  private readonly options: RecordReaderOptions;
  private page: VaultRecord[] = [];
  private index = 0;
  private lastId: string | null;
  private exhausted = false;

  constructor(store: VaultStore, options: RecordReaderOptions) {
    this.store = store;
    this.options = options;
    this.lastId = options.afterId;
  }

  /** true once the last record has been handed out */
  get done(): boolean {
    return this.exhausted && this.index >= this.page.length;
  }

  next(): VaultRecord | null {
    if (this.index >= this.page.length) {
      if (this.exhausted) return null;
      this.page = this.store.readRecords(this.options.table, {
        afterId: this.lastId,
        limit: this.options.pageSize,
        includeSoftDeleted: this.options.includeSoftDeleted,
        now: this.options.now,
      });
      this.index = 0;
      if (this.page.length < this.options.pageSize) this.exhausted = true;
      if (this.page.length === 0) return null;
    }
    const record = this.page[this.index++]!;
    this.lastId = record.id;
    return record;
  }
}
