/**
 * The benchmark's servers section end to end, small: its own PostgreSQL and
 * MariaDB start, a tiny-preset vault is copied in through the benchmark
 * login and rotated in SQLite and both servers (every record the old
 * password opens is rewritten), and dispose() leaves no server or folder.
 * The report shows the PostgreSQL efficiency verdict. Figures are not asserted.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBenchServers, type BenchServers } from '../../bench/bench-servers.js';
import { formatReport, type BenchReport } from '../../bench/report.js';
import type { RotationBenchResult } from '../../bench/rotation-bench.js';
import { benchTinyStores, isNotRun } from '../../bench/servers-bench.js';
import { findServerPrograms } from '../../tools/db-servers/binaries.js';
import { makeTempDir, type TempDir } from '../support/fixtures.js';

const missing = (['postgres', 'mysql'] as const)
  .map((kind) => findServerPrograms(kind))
  .filter((found): found is string => typeof found === 'string');
const skipReason = missing.length > 0 ? `[skip] bench servers: ${missing.join('; ')}` : null;
if (skipReason) console.warn(skipReason);

describe.skipIf(skipReason !== null)('bench servers section', () => {
  let servers: BenchServers;
  let dir: TempDir;
  beforeAll(async () => {
    dir = makeTempDir('vsa-bench-servers-');
    servers = await startBenchServers();
  });
  afterAll(async () => {
    await servers?.dispose();
    dir?.dispose();
  });

  it('rotates one tiny-preset vault in SQLite, PostgreSQL and MariaDB, then removes the servers', async () => {
    expect(servers.unavailable).toEqual({});
    expect([...servers.running.keys()].sort()).toEqual(['mysql', 'postgres']);
    for (const server of servers.running.values()) expect(server.version).toMatch(/^\d+\.\d+/);

    const tiny = await benchTinyStores(servers, dir.path, 120, () => undefined);
    expect(tiny.runs.map((run) => run.store)).toEqual(['sqlite', 'postgres', 'mysql']);
    const [sqlite] = tiny.runs;
    // 70% of the records are under the old password (bench/bench-vault.ts MIXED): all rotate, in every store.
    expect(sqlite?.rotated).toBeGreaterThan(0);
    for (const run of tiny.runs) {
      expect(run.rotated).toBe(sqlite?.rotated);
      expect(run.ratioToSqlite).toBeCloseTo(run.recordsPerSecond / (sqlite?.recordsPerSecond ?? 0));
    }

    const folders = [...servers.running.values()].map((server) => server.folder);
    for (const folder of folders) expect(existsSync(folder)).toBe(true);
    await servers.dispose();
    await servers.dispose(); // idempotent
    for (const folder of folders) expect(existsSync(folder)).toBe(false);
  });
});

describe('bench report, servers section', () => {
  const rotation = (efficiency: number): RotationBenchResult => ({
    records: 300,
    workers: 2,
    kdfBackend: 'native',
    seconds: 60,
    recordsPerSecond: 5,
    rotated: 210,
    skipped: 90,
    failed: 0,
    derivationsNeeded: 480,
    derivationsPerformed: 480,
    checkDerivations: 20,
    poolDerivationsPerSecond: 8,
    efficiency,
    eventLoopDelayMs: { p50: 1, p99: 2, max: 3 },
  });
  const report = (postgresEfficiency: number): BenchReport => ({
    version: 1,
    startedAt: '2026-01-01T00:00:00.000Z',
    seconds: 100,
    machine: {
      cpuModel: 'cpu',
      availableParallelism: 2,
      totalMemoryMiB: 4096,
      node: 'v20',
      platform: 'linux-x64',
    },
    quick: false,
    kdf: null,
    rotation: rotation(0.97),
    vsref: null,
    memory: null,
    cancel: null,
    servers: {
      servers: [{ kind: 'postgres', version: '15.14', startSeconds: 1.5 }],
      unavailable: { mysql: 'MariaDB is not installed' },
      postgresDefault: rotation(postgresEfficiency),
      tiny: {
        records: 20000,
        generateSeconds: 1,
        copySeconds: 2,
        runs: [
          {
            store: 'sqlite',
            label: 'SQLite',
            seconds: 2,
            recordsPerSecond: 10000,
            rotated: 14000,
            ratioToSqlite: 1,
          },
          {
            store: 'postgres',
            label: 'PostgreSQL 15.14',
            seconds: 4,
            recordsPerSecond: 5000,
            rotated: 14000,
            ratioToSqlite: 0.5,
          },
        ],
      },
    },
    notes: [],
    otherCpuShare: {},
  });

  it('gives the PostgreSQL efficiency its verdict and the tiny-preset rates side by side', () => {
    const text = formatReport(report(0.9), 'bench.json');
    expect(text).toContain('Rotation, default preset, in PostgreSQL: 300 records');
    expect(text).toMatch(/in PostgreSQL[^]*pipeline efficiency 0\.90 .*BELOW TARGET/);
    expect(text).toMatch(/PostgreSQL 15\.14 +5000 records\/s .*0\.50x SQLite/);
    expect(text).toContain('MariaDB: skipped: MariaDB is not installed');
    expect(formatReport(report(0.96), 'bench.json')).toMatch(
      /in PostgreSQL[^]*pipeline efficiency 0\.96 .*: ok\)/,
    );
  });

  it('tells a skipped case from a rotation result (whose `skipped` counts records)', () => {
    expect(isNotRun(rotation(1))).toBe(false);
    expect(isNotRun({ skipped: 'PostgreSQL is not installed' })).toBe(true);
    expect(isNotRun(null)).toBe(false);
  });
});
