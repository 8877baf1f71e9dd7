/** Copies of the fixture vaults in a fresh temporary folder (never the originals). */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const fixturesDir = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures');

export type FixtureName = 'tiny200' | 'default60';

export interface ManifestRecord {
  token: string;
  password: string;
  version: 'v1' | 'v2';
  plaintext_sha256: string;
  plaintext_len: number;
  soft_deleted: boolean;
  expired: boolean;
  value_sha256: string;
  created_at: string;
  updated_at: string;
  expires_at: string;
  soft_deleted_at: string;
}

export interface VaultManifest {
  table: string;
  meta_table: string;
  config: {
    iterations: number;
    memory_kib: number;
    parallelism: number;
    key_length?: number;
    salt_size?: number;
  };
  spec_entries: { percent: number; version: 'v1' | 'v2'; password: string; count: number }[];
  n: number;
  soft_deleted: number;
  expired: number;
  records: Record<string, ManifestRecord>;
}

export function readManifest(name: FixtureName): VaultManifest {
  return JSON.parse(
    readFileSync(join(fixturesDir, `${name}.db.manifest.json`), 'utf8'),
  ) as VaultManifest;
}

/**
 * Records whose expiry has passed on the clock of this run (as the tool counts them:
 * `expires_at <= now`), never the count the manifest recorded when the fixture was made,
 * so no test rots with the calendar (or fails under a faked clock).
 */
export function expiredNow(manifest: VaultManifest, now: Date = new Date()): number {
  const nowText = now.toISOString().slice(0, 19).replace('T', ' ');
  return Object.values(manifest.records).filter((record) => record.expires_at <= nowText).length;
}

export interface TempDir {
  path: string;
  dispose(): void;
}

export function makeTempDir(prefix = 'vsa-test-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, dispose: () => rmSync(path, { recursive: true, force: true }) };
}

/** Copies fixture `name` (and its manifest) into `dir`; returns the db path. */
export function copyFixture(name: FixtureName, dir: string): string {
  const db = join(dir, `${name}.db`);
  copyFileSync(join(fixturesDir, `${name}.db`), db);
  copyFileSync(join(fixturesDir, `${name}.db.manifest.json`), `${db}.manifest.json`);
  return db;
}
