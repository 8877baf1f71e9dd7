/** Command line of `npm run bench` (node out/cli/bench.mjs [options]). */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

export interface BenchOptions {
  readonly quick: boolean;
  /** seconds per KDF measurement */
  readonly kdfSeconds: number;
  /** records of the default-preset vault */
  readonly records: number;
  /** the two vault sizes of the memory measurement (tiny preset) */
  readonly memoryRecords: readonly [number, number];
  /** vault sizes of the seed's table (tiny preset, SQLite and PostgreSQL) */
  readonly seedSizes: readonly number[];
  readonly cancelTrials: number;
  /** records of the tiny-preset vault rotated in SQLite, PostgreSQL and MariaDB */
  readonly serverRecords: number;
  readonly out: string;
  readonly vsref: string | null;
  readonly workDir: string | null;
  readonly skip: ReadonlySet<string>;
  /** section phases: vault sizes and runs of each contender */
  readonly phaseSizes: readonly number[];
  readonly phaseRuns: number;
  /** another CLI bundle rotated side by side in section phases (e.g. built before a change) */
  readonly compareCli: { readonly label: string; readonly path: string } | null;
  /** section pool-size: seconds per measurement, runs of each */
  readonly poolSeconds: number;
  readonly poolRuns: number;
}

export const SECTIONS = [
  'kdf',
  'rotation',
  'servers',
  'vsref',
  'memory',
  'seed-table',
  'cancel',
  'phases',
  'pool-size',
] as const;

export const BENCH_HELP = `Usage: npm run bench -- [options]   (or: node out/cli/bench.mjs [options])

  --quick              a short run (smaller vaults, shorter KDF measurements)
  --records N          records in the default-preset vault (default 300, quick 60)
  --memory A,B         vault sizes for the memory measurement (default 20000,200000)
  --seed-sizes LIST     vault sizes of the seed's table, tiny preset, SQLite and
                       PostgreSQL (section seed-table; default 1000,10000,100000,1000000,
                       quick 1000,10000)
  --server-records N   records in the tiny-preset vault rotated in SQLite, PostgreSQL
                       and MariaDB (section servers; default 20000, quick 2000)
  --kdf-seconds S      seconds per Argon2id measurement (default 5, quick 2)
  --skip LIST          sections to skip: ${SECTIONS.join(',')}
  --only LIST          run these sections alone (the others skipped)
  --phase-sizes LIST   section phases: default-preset vault sizes rotated by whole CLI
                       processes and by vsref side by side (default 40,200, quick 40)
  --phase-runs N       section phases: runs of each, alternating (default 5, quick 2)
  --compare-cli PATH   section phases: another vaultstore-admin.mjs bundle (e.g. built
                       before a change) rotated in the same runs
  --compare-label TEXT its label in the table (default "before")
  --pool-seconds S     section pool-size: seconds per measurement (default 5, quick 2)
  --pool-runs N        section pool-size: runs of each (default 3, quick 1)
  --out FILE           JSON report (default bench-results/bench.json)
  --vsref PATH         the reference implementation (default $VSREF or ../shared/tools/vsref)
  --work-dir DIR       where the generated vaults go (default: a temporary folder, removed after)

  npm run bench -- distributed --help   the distributed rotation's scaling (run alone)
`;

function positiveInteger(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1)
    throw new Error(`--${name} must be a whole number >= 1`);
  return value;
}

export function parseBenchOptions(argv: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean' },
      records: { type: 'string' },
      memory: { type: 'string' },
      'server-records': { type: 'string' },
      'seed-sizes': { type: 'string' },
      'kdf-seconds': { type: 'string' },
      skip: { type: 'string' },
      out: { type: 'string' },
      vsref: { type: 'string' },
      'work-dir': { type: 'string' },
      only: { type: 'string' },
      'phase-sizes': { type: 'string' },
      'phase-runs': { type: 'string' },
      'compare-cli': { type: 'string' },
      'compare-label': { type: 'string' },
      'pool-seconds': { type: 'string' },
      'pool-runs': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const quick = values.quick === true;
  const memory = (values.memory ?? (quick ? '5000,50000' : '20000,200000')).split(',');
  if (memory.length !== 2) throw new Error('--memory takes two sizes, e.g. 20000,200000');
  const skip = sectionList(values.skip, '--skip');
  if (values.only !== undefined) {
    const only = sectionList(values.only, '--only');
    for (const name of SECTIONS) if (!only.has(name)) skip.add(name);
  }
  return {
    quick,
    kdfSeconds: positiveInteger(values['kdf-seconds'], 'kdf-seconds', quick ? 2 : 5),
    records: positiveInteger(values.records, 'records', quick ? 60 : 300),
    memoryRecords: [
      positiveInteger(memory[0], 'memory', 1),
      positiveInteger(memory[1], 'memory', 1),
    ],
    seedSizes: (values['seed-sizes'] ?? (quick ? '1000,10000' : '1000,10000,100000,1000000'))
      .split(',')
      .map((size) => positiveInteger(size, 'seed-sizes', 1)),
    cancelTrials: quick ? 2 : 3,
    serverRecords: positiveInteger(
      values['server-records'],
      'server-records',
      quick ? 2000 : 20000,
    ),
    out: resolve(values.out ?? 'bench-results/bench.json'),
    vsref: values.vsref ?? process.env.VSREF ?? resolve('../shared/tools/vsref'),
    workDir: values['work-dir'] ? resolve(values['work-dir']) : null,
    skip,
    phaseSizes: (values['phase-sizes'] ?? (quick ? '40' : '40,200'))
      .split(',')
      .map((size) => positiveInteger(size, 'phase-sizes', 1)),
    phaseRuns: positiveInteger(values['phase-runs'], 'phase-runs', quick ? 2 : 5),
    compareCli: values['compare-cli']
      ? { label: values['compare-label'] ?? 'before', path: resolve(values['compare-cli']) }
      : null,
    poolSeconds: positiveInteger(values['pool-seconds'], 'pool-seconds', quick ? 2 : 5),
    poolRuns: positiveInteger(values['pool-runs'], 'pool-runs', quick ? 1 : 3),
  };
}

function sectionList(text: string | undefined, option: string): Set<string> {
  const names = new Set((text ?? '').split(',').filter((name) => name !== ''));
  for (const name of names) {
    if (!(SECTIONS as readonly string[]).includes(name))
      throw new Error(`${option}: unknown section ${name}`);
  }
  return names;
}

/** `npm run bench -- distributed [options]` */
export interface DistributedCliOptions {
  readonly workers: readonly number[];
  readonly cpuShare: number;
  readonly recordsPerWorker: number;
  readonly preset: 'default' | 'lightweight' | 'high' | 'tiny';
  readonly database: 'postgres' | 'mysql';
  readonly kill: boolean;
  readonly out: string;
  readonly workDir: string | null;
}

export const DISTRIBUTED_HELP = `Usage: npm run bench -- distributed [options]

Records/s of a distributed rotation (rotate --queue --no-local-worker and
worker processes) against the number of workers, each held to a CPU share
by its own cgroup v1 cpu group (needs root). Starts a private Redis and
database server.

  --workers LIST         worker counts (default 1,2,4,8)
  --cpu SHARE            CPUs per worker process (default 0.15)
  --records-per-worker N records per worker: W workers rotate W x N (default 60)
  --preset NAME          Argon2id preset of the vault (default: default)
  --database KIND        postgres or mysql (default postgres)
  --no-kill              skip the run that SIGKILLs a worker
  --out FILE             JSON report (default bench-results/distributed.json)
  --work-dir DIR         vaults, logs and password files (default: a temporary folder)
`;

export function parseDistributedOptions(argv: readonly string[]): DistributedCliOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      workers: { type: 'string' },
      cpu: { type: 'string' },
      'records-per-worker': { type: 'string' },
      preset: { type: 'string' },
      database: { type: 'string' },
      'no-kill': { type: 'boolean' },
      out: { type: 'string' },
      'work-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const workers = (values.workers ?? '1,2,4,8')
    .split(',')
    .map((text) => positiveInteger(text, 'workers', 1));
  const cpuShare = Number(values.cpu ?? '0.15');
  if (!(cpuShare > 0 && cpuShare <= 64)) throw new Error('--cpu is a share of one CPU, e.g. 0.15');
  const preset = values.preset ?? 'default';
  if (!['default', 'lightweight', 'high', 'tiny'].includes(preset)) {
    throw new Error('--preset is default, lightweight, high or tiny');
  }
  const database = values.database ?? 'postgres';
  if (database !== 'postgres' && database !== 'mysql') {
    throw new Error('--database is postgres or mysql');
  }
  return {
    workers,
    cpuShare,
    recordsPerWorker: positiveInteger(values['records-per-worker'], 'records-per-worker', 60),
    preset: preset as DistributedCliOptions['preset'],
    database,
    kill: values['no-kill'] !== true,
    out: resolve(values.out ?? 'bench-results/distributed.json'),
    workDir: values['work-dir'] ? resolve(values['work-dir']) : null,
  };
}
