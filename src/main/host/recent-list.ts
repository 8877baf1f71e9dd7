/**
 * A short list of things used before (database connections, queues), newest
 * first, in one private (0600) JSON file of the app's data folder. Never a
 * password: each entry is rebuilt from exactly its fields, and entries are
 * checked again when read (the file is ours, but another program could edit it).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFileAtomically } from '../../engine/index.js';

export interface RecentListSpec<T> {
  readonly fileName: string;
  /** the file's field holding the entries */
  readonly field: string;
  readonly max: number;
  /** exactly the entry's fields, checked; throws when the entry no longer validates */
  readonly read: (entry: unknown) => T;
  /** the same place (a newer entry replaces it) */
  readonly same: (a: T, b: T) => boolean;
}

export class RecentList<T> {
  private readonly file: string;

  constructor(
    private readonly dataDir: string,
    private readonly spec: RecentListSpec<T>,
  ) {
    this.file = join(dataDir, spec.fileName);
  }

  /** A missing or damaged file reads as an empty list; entries that no longer validate are dropped. */
  list(): T[] {
    let entries: unknown;
    try {
      entries = (JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, unknown> | null)?.[
        this.spec.field
      ];
    } catch {
      return [];
    }
    if (!Array.isArray(entries)) return [];
    const kept: T[] = [];
    for (const entry of entries.slice(0, this.spec.max)) {
      try {
        kept.push(this.spec.read(entry));
      } catch {
        // skip it
      }
    }
    return kept;
  }

  /** Moves `entry` to the front (replacing the same place's older entry). */
  remember(entry: T): T[] {
    const fresh = this.spec.read(entry);
    const entries = [fresh, ...this.list().filter((known) => !this.spec.same(known, fresh))].slice(
      0,
      this.spec.max,
    );
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    const contents = { version: 1, [this.spec.field]: entries };
    writePrivateFileAtomically(this.file, `${JSON.stringify(contents, null, 2)}\n`);
    return entries;
  }
}
