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
}

export const SECTIONS = [
  'kdf',
  'rotation',
  'servers',
  'vsref',
  'memory',
  'seed-table',
  'cancel',
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
  --out FILE           JSON report (default bench-results/bench.json)
  --vsref PATH         the reference implementation (default $VSREF or ../shared/tools/vsref)
  --work-dir DIR       where the generated vaults go (default: a temporary folder, removed after)
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
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const quick = values.quick === true;
  const memory = (values.memory ?? (quick ? '5000,50000' : '20000,200000')).split(',');
  if (memory.length !== 2) throw new Error('--memory takes two sizes, e.g. 20000,200000');
  const skip = new Set((values.skip ?? '').split(',').filter((name) => name !== ''));
  for (const name of skip) {
    if (!(SECTIONS as readonly string[]).includes(name))
      throw new Error(`--skip: unknown section ${name}`);
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
  };
}
