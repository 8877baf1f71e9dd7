/**
 * Section `pool-size`: Argon2id derivations/s with 1..4 pool workers, each
 * run a child process (pool-rate-child.mjs) held to 1 or 2 CPUs by a cgroup
 * v1 `cpu` group (bench/cgroup-cpu.ts; needs root), for the default preset
 * (p=4) and, for contrast, the same cost on one lane (p=1). The rule
 * src/engine/rotation/job/pool-size.ts applies is printed beside what was
 * measured. Runs alternate the pool sizes; the figures are medians.
 */
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultPoolSize, type Argon2Config } from '../src/engine/index.js';
import { createCpuGroup, cpuCgroupUnavailable, sweepStaleCpuGroups } from './cgroup-cpu.js';
import { otherShareDuring } from './cpu-share.js';
import type { PoolRateSample } from './pool-rate-child.js';
import { median } from './stats.js';

export const POOL_SIZES = [1, 2, 3, 4] as const;
export const CPU_LIMITS = [1, 2] as const;

const CONFIGS: readonly { readonly label: string; readonly config: Argon2Config }[] = [
  {
    label: 'default preset (t=3 m=65536 p=4)',
    config: { iterations: 3, memoryKiB: 65536, parallelism: 4 },
  },
  {
    label: 'one lane (t=3 m=65536 p=1)',
    config: { iterations: 3, memoryKiB: 65536, parallelism: 1 },
  },
];

/** Medians of a pool size's runs (availableParallelism and usableCores: the first run's). */
export interface PoolSizeRow extends Omit<PoolRateSample, 'derivations' | 'seconds'> {
  readonly config: string;
  readonly parallelism: number;
  readonly cpus: number;
  /** each run's derivations/s */
  readonly samples: readonly number[];
  /** share of the cores other processes used during the runs (median) */
  readonly otherShare: number;
}

export interface PoolSizeBenchResult {
  /** cores of this machine: the largest limit that means anything */
  readonly cores: number;
  readonly secondsPerRun: number;
  readonly runs: number;
  readonly rows: readonly PoolSizeRow[];
  /** per config and CPU limit: the measured best and the default's choice inside the group */
  readonly choices: readonly {
    readonly config: string;
    readonly cpus: number;
    /** fewest workers within 5% of the highest rate */
    readonly best: number;
    readonly rule: number;
  }[];
}

const here = dirname(fileURLToPath(import.meta.url));
/** Rates within this share of the best count as the best: the fewest such workers win (less memory). */
const SAME_RATE = 0.05;

function configText(config: Argon2Config): string {
  return `t=${config.iterations},m=${config.memoryKiB},p=${config.parallelism}`;
}

async function runChild(
  group: ReturnType<typeof createCpuGroup>,
  workers: number,
  seconds: number,
  config: Argon2Config,
): Promise<PoolRateSample> {
  const child = group.spawn(
    process.execPath,
    [join(here, 'pool-rate-child.mjs'), String(workers), String(seconds), configText(config)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`pool-rate-child (${workers} workers) exited with ${code}`);
  return JSON.parse(output) as PoolRateSample;
}

/** A run, with the share of the cores other processes used meanwhile. */
async function measuredRun(
  ...args: Parameters<typeof runChild>
): Promise<PoolRateSample & { readonly otherShare: number }> {
  const { value, otherShare } = await otherShareDuring(() => runChild(...args));
  return { ...value, otherShare };
}

export async function benchPoolSize(options: {
  readonly seconds: number;
  readonly runs: number;
  readonly log: (line: string) => void;
}): Promise<PoolSizeBenchResult | { readonly skipped: string }> {
  const unavailable = cpuCgroupUnavailable();
  if (unavailable) return { skipped: unavailable };
  sweepStaleCpuGroups();
  const groups = new Map(
    CPU_LIMITS.map((limit) => [limit, createCpuGroup(`pool-${limit}cpu`, limit)]),
  );
  const samples = new Map<string, (PoolRateSample & { otherShare: number })[]>();
  const key = (label: string, cpus: number, workers: number): string =>
    `${label}|${cpus}|${workers}`;
  try {
    for (let run = 0; run < options.runs; run++) {
      for (const { label, config } of CONFIGS) {
        for (const limit of CPU_LIMITS) {
          // A different order each run: drift in the machine's load hits every size alike.
          const order = POOL_SIZES.map((_, i) => POOL_SIZES[(i + run) % POOL_SIZES.length]!);
          for (const workers of order) {
            const sample = await measuredRun(groups.get(limit)!, workers, options.seconds, config);
            options.log(
              `pool-size: ${label}, ${limit} CPU, ${workers} workers: ${sample.perSecond.toFixed(2)}/s`,
            );
            const list = samples.get(key(label, limit, workers)) ?? [];
            list.push(sample);
            samples.set(key(label, limit, workers), list);
          }
        }
      }
    }
  } finally {
    for (const group of groups.values()) group.dispose();
  }
  const rows: PoolSizeRow[] = [];
  const choices: PoolSizeBenchResult['choices'][number][] = [];
  for (const { label, config } of CONFIGS) {
    for (const limit of CPU_LIMITS) {
      const forLimit = POOL_SIZES.map((workers) => {
        const list = samples.get(key(label, limit, workers)) ?? [];
        return {
          config: label,
          parallelism: config.parallelism,
          cpus: limit,
          workers,
          perSecond: median(list.map((s) => s.perSecond)),
          cpuPerWall: median(list.map((s) => s.cpuPerWall)),
          startMs: median(list.map((s) => s.startMs)),
          maxRssMiB: median(list.map((s) => s.maxRssMiB)),
          availableParallelism: list[0]?.availableParallelism ?? Number.NaN,
          usableCores: list[0]?.usableCores ?? Number.NaN,
          samples: list.map((s) => s.perSecond),
          otherShare: median(list.map((s) => s.otherShare)),
        };
      });
      rows.push(...forLimit);
      const top = Math.max(...forLimit.map((row) => row.perSecond));
      const best = forLimit.find((row) => row.perSecond >= top * (1 - SAME_RATE))!.workers;
      choices.push({
        config: label,
        cpus: limit,
        best,
        rule: defaultPoolSize(forLimit[0]!.usableCores),
      });
    }
  }
  return {
    cores: cpus().length,
    secondsPerRun: options.seconds,
    runs: options.runs,
    rows,
    choices,
  };
}

export function poolSizeLines(
  result: PoolSizeBenchResult | { readonly skipped: string },
): string[] {
  if ('skipped' in result) return [`Pool size: skipped: ${result.skipped}`, ''];
  const lines = [
    `Pool size: Argon2id derivations/s by pool workers, each run held to a CPU limit by a cgroup ` +
      `(${result.cores}-core machine; median of ${result.runs} runs of ${result.secondsPerRun} s)`,
    '',
    '| config | CPU limit | workers | derivations/s | CPU busy / wall | pool start | peak RSS | other processes |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of result.rows) {
    lines.push(
      `| ${row.config} | ${row.cpus} | ${row.workers} | ${row.perSecond.toFixed(2)} | ` +
        `${row.cpuPerWall.toFixed(2)} | ${row.startMs.toFixed(0)} ms | ${row.maxRssMiB.toFixed(0)} MiB | ` +
        `${(row.otherShare * 100).toFixed(0)}% |`,
    );
  }
  lines.push('');
  for (const choice of result.choices) {
    lines.push(
      `  ${choice.config}, ${choice.cpus} CPU: best ${choice.best} worker(s) ` +
        `(fewest within ${SAME_RATE * 100}% of the top rate); the default inside the group picks ${choice.rule}`,
    );
  }
  for (const limit of CPU_LIMITS) {
    const row = result.rows.find((r) => r.cpus === limit);
    lines.push(
      `  inside the ${limit}-CPU group os.availableParallelism() said ${row?.availableParallelism ?? '?'}, ` +
        `the engine's usableCores() ${row?.usableCores ?? '?'}`,
    );
  }
  lines.push('');
  return lines;
}
