/**
 * The seed's table (issue 20): a rotation of 1,000 / 10,000 / 100,000 /
 * 1,000,000 records at the tiny preset, in SQLite and in PostgreSQL, with its
 * time and the peak RSS of the rotating process (a child process per
 * rotation, memory-child.ts, as the CLI runs the engine). The seed promises
 * "1,000,000 records: 10-20 minutes, ~100 MB".
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ARGON2_PRESETS } from '../src/engine/index.js';
import type { BenchServers } from './bench-servers.js';
import { generateBenchVault } from './bench-vault.js';
import { rotateInChild } from './memory-bench.js';
import type { RotationTarget } from './rotation-bench.js';
import { serverLabel } from './servers-bench.js';

export interface SeedTableRun {
  readonly records: number;
  /** "SQLite", "PostgreSQL 15.14" */
  readonly store: string;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly rotated: number;
  readonly maxRssMiB: number;
}

export interface SeedTableResult {
  readonly runs: readonly SeedTableRun[];
  /** per store that did not run: why */
  readonly skipped: readonly string[];
}

const minutes = (seconds: number): string =>
  seconds < 60
    ? `${seconds.toFixed(1)} s`
    : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;

async function measure(
  records: number,
  store: string,
  target: RotationTarget,
  log: (line: string) => void,
): Promise<SeedTableRun> {
  log(`  rotating ${records} records (tiny preset) in ${store}…`);
  const report = await rotateInChild(target);
  if (report.records !== records) {
    throw new Error(`the ${store} rotation visited ${report.records} of ${records} records`);
  }
  const run = {
    records,
    store,
    seconds: report.seconds,
    recordsPerSecond: report.recordsPerSecond,
    rotated: report.rotated,
    maxRssMiB: report.maxRssKiB / 1024,
  };
  log(`    ${minutes(run.seconds)}, peak RSS ${run.maxRssMiB.toFixed(0)} MiB`);
  return run;
}

export async function benchSeedTable(
  servers: BenchServers | null,
  workDir: string,
  sizes: readonly number[],
  log: (line: string) => void,
): Promise<SeedTableResult> {
  const runs: SeedTableRun[] = [];
  const postgres = servers?.running.get('postgres');
  const skipped = postgres
    ? []
    : [`PostgreSQL: ${servers?.unavailable.postgres ?? 'the servers section was skipped'}`];
  for (const records of sizes) {
    const source = join(workDir, `seed-${records}.db`);
    log(`  generating ${records} records…`);
    await generateBenchVault(source, records, ARGON2_PRESETS.tiny, true);
    try {
      if (postgres) {
        log(`  copying them into PostgreSQL…`);
        const copy = await postgres.copyVault(source, `vsa_seed_${records}`);
        const checkpointDir = join(workDir, `seed-state-${records}`);
        mkdirSync(checkpointDir, { recursive: true });
        const target = {
          vaultPath: copy.vaultPath,
          serverPassword: copy.serverPassword(),
          checkpointDir,
        };
        runs.push(await measure(records, serverLabel(servers!, 'postgres'), target, log));
      }
      // Rotated last: in place, the source itself.
      runs.push(await measure(records, 'SQLite', { vaultPath: source }, log));
    } finally {
      rmSync(source, { force: true });
    }
  }
  return { runs, skipped };
}

/** The table as docs/performance.md shows it (Markdown), and why a store is missing. */
export function seedTableLines(result: SeedTableResult): string[] {
  const lines = [
    "The seed's table, tiny preset (rotation time; peak RSS of the rotating process):",
    '',
    '| records | store | time | records/s | peak RSS |',
    '| ---: | --- | ---: | ---: | ---: |',
  ];
  for (const run of result.runs) {
    lines.push(
      `| ${run.records.toLocaleString('en-US')} | ${run.store} | ${minutes(run.seconds)} | ` +
        `${run.recordsPerSecond.toFixed(0)} | ${run.maxRssMiB.toFixed(0)} MiB |`,
    );
  }
  for (const reason of result.skipped) lines.push(`not run: ${reason}`);
  return [...lines, ''];
}
