/**
 * The vault in a database server on localhost:
 * - the default-preset vault of the rotation section, copied into PostgreSQL
 *   and rotated there: records/s and pipeline efficiency against the same
 *   pool rate as the SQLite rotation (index.ts applies it);
 * - one tiny-preset vault (Argon2id nearly free, so the database path is the
 *   bottleneck) rotated in SQLite, PostgreSQL and MariaDB: records/s side by
 *   side and the ratio to SQLite.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ARGON2_PRESETS } from '../src/engine/index.js';
import type { ServerKind } from '../tools/db-servers/binaries.js';
import { generateBenchVault } from './bench-vault.js';
import {
  SERVER_KINDS,
  SERVER_LABELS,
  type BenchServers,
  type ServerVault,
} from './bench-servers.js';
import {
  measureRotation,
  type RotationBenchResult,
  type RotationTarget,
} from './rotation-bench.js';
import type { GeneratedVault } from './vault-generator.js';

export type VaultStoreKind = 'sqlite' | ServerKind;

export interface StoreRun {
  readonly store: VaultStoreKind;
  /** "SQLite (better-sqlite3)", "PostgreSQL 15.14", ... */
  readonly label: string;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly rotated: number;
  /** records/s / SQLite's records/s */
  readonly ratioToSqlite: number | null;
}

export interface TinyStoresResult {
  readonly records: number;
  readonly generateSeconds: number;
  /** copying the vault into the servers (not part of any measured rotation) */
  readonly copySeconds: number;
  readonly runs: readonly StoreRun[];
}

/** A case that did not run, and why. */
export interface NotRun {
  readonly skipped: string;
}

/**
 * Whether `value` is a NotRun. Not `'skipped' in value`: a rotation result
 * has a numeric `skipped` (records it left alone).
 */
export function isNotRun(value: object | null): value is NotRun {
  return typeof (value as { skipped?: unknown } | null)?.skipped === 'string';
}

export interface ServersBenchResult {
  readonly servers: readonly {
    readonly kind: ServerKind;
    readonly version: string;
    readonly startSeconds: number;
  }[];
  readonly unavailable: Readonly<Partial<Record<ServerKind, string>>>;
  /** the default-preset vault in PostgreSQL (efficiency set by index.ts), or why it did not run */
  readonly postgresDefault: RotationBenchResult | NotRun | null;
  readonly tiny: TinyStoresResult | null;
}

export function serverLabel(servers: BenchServers, kind: ServerKind): string {
  const version = servers.running.get(kind)?.version;
  return version ? `${SERVER_LABELS[kind]} ${version}` : SERVER_LABELS[kind];
}

function serverTarget(vault: ServerVault, checkpointDir: string): RotationTarget {
  mkdirSync(checkpointDir, { recursive: true });
  return { vaultPath: vault.vaultPath, serverPassword: vault.serverPassword(), checkpointDir };
}

/** Copies the default-preset vault into PostgreSQL; the rotation runs later, next to the SQLite one. */
export async function prepareDefaultOnPostgres(
  servers: BenchServers,
  vault: GeneratedVault,
  workDir: string,
): Promise<RotationTarget | NotRun> {
  const postgres = servers.running.get('postgres');
  if (!postgres) return { skipped: servers.unavailable.postgres ?? 'PostgreSQL is not running' };
  const copy = await postgres.copyVault(vault.path, 'vsa_bench_default');
  return serverTarget(copy, join(workDir, 'state-postgres-default'));
}

export function rotateDefaultOnPostgres(
  vault: GeneratedVault,
  target: RotationTarget,
): Promise<RotationBenchResult> {
  return measureRotation(vault, target, ARGON2_PRESETS.default);
}

/** The tiny-preset vault of `records` records, rotated in SQLite and in every running server. */
export async function benchTinyStores(
  servers: BenchServers,
  workDir: string,
  records: number,
  log: (line: string) => void,
): Promise<TinyStoresResult> {
  const config = ARGON2_PRESETS.tiny;
  const source = join(workDir, 'tiny-source.db');
  let startedAt = performance.now();
  const vault = await generateBenchVault(source, records, config, true);
  const generateSeconds = (performance.now() - startedAt) / 1000;

  startedAt = performance.now();
  const targets: { store: VaultStoreKind; label: string; target: RotationTarget }[] = [];
  const sqliteCopy = join(workDir, 'tiny-sqlite.db');
  copyFileSync(source, sqliteCopy);
  targets.push({ store: 'sqlite', label: 'SQLite', target: { vaultPath: sqliteCopy } });
  for (const kind of SERVER_KINDS) {
    const server = servers.running.get(kind);
    if (!server) continue;
    log(`  copying it into ${SERVER_LABELS[kind]}…`);
    const copy = await server.copyVault(source, 'vsa_bench_tiny');
    targets.push({
      store: kind,
      label: serverLabel(servers, kind),
      target: serverTarget(copy, join(workDir, `state-${kind}-tiny`)),
    });
  }
  const copySeconds = (performance.now() - startedAt) / 1000;

  const measured: Omit<StoreRun, 'ratioToSqlite'>[] = [];
  for (const { store, label, target } of targets) {
    log(`  rotating ${records} records (tiny preset) in ${label}…`);
    const result = await measureRotation(vault, target, config);
    measured.push({
      store,
      label,
      seconds: result.seconds,
      recordsPerSecond: result.recordsPerSecond,
      rotated: result.rotated,
    });
  }
  const sqlite = measured.find((run) => run.store === 'sqlite')?.recordsPerSecond ?? null;
  return {
    records,
    generateSeconds,
    copySeconds,
    runs: measured.map((run) => ({
      ...run,
      ratioToSqlite: sqlite ? run.recordsPerSecond / sqlite : null,
    })),
  };
}
