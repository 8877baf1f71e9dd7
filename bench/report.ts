/** The readable summary `npm run bench` prints (the JSON report has everything). */
import type { CancelBenchResult } from './cancel-bench.js';
import type { KdfBenchResult } from './kdf-bench.js';
import type { MemoryBenchResult } from './memory-bench.js';
import { phasesLines, type PhasesBenchResult } from './phases-bench.js';
import { poolSizeLines, type PoolSizeBenchResult } from './pool-size-bench.js';
import type { RotationBenchResult } from './rotation-bench.js';
import { seedTableLines, type SeedTableResult } from './seed-table-bench.js';
import { isNotRun, type ServersBenchResult, type TinyStoresResult } from './servers-bench.js';
import type { VsrefRotateResult } from './vsref-bench.js';

export interface BenchReport {
  readonly version: 1;
  readonly startedAt: string;
  readonly seconds: number;
  readonly machine: {
    readonly cpuModel: string;
    readonly availableParallelism: number;
    readonly totalMemoryMiB: number;
    readonly node: string;
    readonly platform: string;
  };
  readonly quick: boolean;
  readonly kdf: {
    readonly config: string;
    readonly results: readonly KdfBenchResult[];
    /** measured again after the rotation, to bracket the rate it ran at */
    readonly after: readonly KdfBenchResult[] | null;
  } | null;
  readonly rotation: RotationBenchResult | null;
  readonly vsref:
    | (VsrefRotateResult & { readonly ours: number; readonly ratio: number })
    | { readonly skipped: string }
    | null;
  readonly memory: MemoryBenchResult | null;
  /** the seed's table (absent in reports of earlier versions) */
  readonly seedTable?: SeedTableResult | null;
  readonly cancel: CancelBenchResult | null;
  /** whole CLI processes against the reference, per phase (absent in reports of earlier versions) */
  readonly phases?: PhasesBenchResult | { readonly skipped: string } | null;
  /** derivations/s by pool size under CPU limits (absent in reports of earlier versions) */
  readonly poolSize?: PoolSizeBenchResult | { readonly skipped: string } | null;
  /** the vault in PostgreSQL and MariaDB on localhost (section servers) */
  readonly servers: ServersBenchResult | { readonly skipped: string } | null;
  readonly notes: readonly string[];
  /** share of the cores (0..1) other processes used during each in-process section */
  readonly otherCpuShare: Readonly<Record<string, number>>;
}

const fixed = (value: number, digits = 2): string =>
  Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
const mib = (kib: number): string => `${(kib / 1024).toFixed(0)} MiB`;
const verdict = (ok: boolean): string => (ok ? 'ok' : 'BELOW TARGET');

function kdfLines(kdf: NonNullable<BenchReport['kdf']>): string[] {
  const lines = [`Argon2id derivations/s, ${kdf.config}`];
  for (const r of kdf.results) {
    const again = kdf.after?.find((a) => a.backend === r.backend && a.mode === r.mode);
    lines.push(
      `  ${r.backend.padEnd(7)} ${`${r.mode} x${r.threads}`.padEnd(10)} ${fixed(r.perSecond).padStart(8)}/s` +
        (again ? `   (after the rotation: ${fixed(again.perSecond)}/s)` : ''),
    );
  }
  return [...lines, ''];
}

function rotationLines(rotation: RotationBenchResult, where = ''): string[] {
  const lines = [
    `Rotation, default preset${where}: ${rotation.records} records (${rotation.workers ?? '?'} workers, ${rotation.kdfBackend ?? '?'})`,
    `  ${fixed(rotation.recordsPerSecond)} records/s, ${rotation.rotated} rotated, ${rotation.skipped} skipped, ${fixed(rotation.seconds, 1)} s`,
    `  derivations: ${rotation.derivationsNeeded} needed (v2 tested + written), ${rotation.derivationsPerformed} performed, ` +
      `${rotation.checkDerivations} more for the checks before it (settings sample, canaries)`,
  ];
  if (rotation.efficiency !== null) {
    lines.push(
      `  pipeline efficiency ${fixed(rotation.efficiency)} against ${fixed(rotation.poolDerivationsPerSecond ?? Number.NaN)} derivations/s ` +
        `(target >= ${EFFICIENCY_TARGET}: ${verdict(rotation.efficiency >= EFFICIENCY_TARGET)})`,
    );
  }
  lines.push(
    `  host event-loop delay during the rotation: p99 ${fixed(rotation.eventLoopDelayMs.p99, 1)} ms, max ${fixed(rotation.eventLoopDelayMs.max, 1)} ms`,
    '',
  );
  return lines;
}

const EFFICIENCY_TARGET = 0.95;
const SERVER_NAMES = { postgres: 'PostgreSQL', mysql: 'MariaDB' } as const;

function tinyLines(tiny: TinyStoresResult): string[] {
  const lines = [
    `Database path, tiny preset (Argon2id nearly free): ${tiny.records.toLocaleString('en-US')} records per store`,
  ];
  for (const run of tiny.runs) {
    lines.push(
      `  ${run.label.padEnd(18)} ${fixed(run.recordsPerSecond, 0).padStart(8)} records/s ` +
        `(${fixed(run.seconds, 1)} s, ${run.rotated} rotated)` +
        (run.store === 'sqlite' || run.ratioToSqlite === null
          ? ''
          : `: ${fixed(run.ratioToSqlite)}x SQLite`),
    );
  }
  return lines;
}

function serversLines(servers: NonNullable<BenchReport['servers']>): string[] {
  if ('skipped' in servers) return [`Database servers: skipped: ${servers.skipped}`, ''];
  const lines = [
    `Database servers on localhost: ` +
      servers.servers
        .map(
          (s) => `${SERVER_NAMES[s.kind]} ${s.version} (started in ${fixed(s.startSeconds, 1)} s)`,
        )
        .join(', '),
  ];
  for (const [kind, reason] of Object.entries(servers.unavailable)) {
    lines.push(`  ${SERVER_NAMES[kind as keyof typeof SERVER_NAMES]}: skipped: ${reason}`);
  }
  lines.push('');
  const postgres = servers.postgresDefault;
  if (isNotRun(postgres)) {
    lines.push(`Rotation, default preset, in PostgreSQL: skipped: ${postgres.skipped}`, '');
  } else if (postgres) {
    lines.push(...rotationLines(postgres, ', in PostgreSQL'));
  }
  if (servers.tiny) {
    lines.push(...tinyLines(servers.tiny), '');
  }
  return lines;
}

function vsrefLines(vsref: NonNullable<BenchReport['vsref']>): string[] {
  if ('skipped' in vsref) return [`Reference (vsref rotate): skipped: ${vsref.skipped}`, ''];
  return [
    `Reference (vsref rotate, ${vsref.workers} workers, same vault): ${fixed(vsref.recordsPerSecond)} records/s ` +
      `(Argon2id ${fixed(vsref.kdfPerSecond)}/s); ours ${fixed(vsref.ours)} records/s: ${fixed(vsref.ratio)}x ` +
      `(target >= 2x: ${verdict(vsref.ratio >= 2)})`,
    '',
  ];
}

function memoryLines(memory: MemoryBenchResult): string[] {
  const lines = ['Memory, tiny preset (peak RSS of a child process per vault):'];
  for (const run of memory.runs) {
    lines.push(
      `  ${run.records.toLocaleString('en-US').padStart(9)} records: peak ${mib(run.maxRssKiB)} ` +
        `(heap ${mib(run.peakHeapTotalKiB)}, started at ${mib(run.baselineRssKiB)}), ${fixed(run.recordsPerSecond, 0)} records/s` +
        (run.liveHeapKiB
          ? `; live heap after GC ${mib(run.liveHeapKiB.quarter)} at 1/4, ${mib(run.liveHeapKiB.end)} at the end`
          : ''),
    );
  }
  lines.push(
    `  ratio ${fixed(memory.ratio)} (target <= 1.25: ${verdict(memory.ratio <= 1.25)})`,
    '',
  );
  return lines;
}

export function formatReport(report: BenchReport, jsonPath: string): string {
  const lines = [
    `VaultStore Admin benchmark${report.quick ? ' (quick)' : ''}: ${report.machine.availableParallelism} cores ` +
      `(${report.machine.cpuModel}), node ${report.machine.node}, ${fixed(report.seconds, 0)} s`,
    '',
  ];
  if (report.phases) {
    lines.push(
      ...('skipped' in report.phases
        ? [`Whole CLI processes against the reference: skipped: ${report.phases.skipped}`, '']
        : phasesLines(report.phases)),
    );
  }
  if (report.poolSize) lines.push(...poolSizeLines(report.poolSize));
  if (report.kdf) lines.push(...kdfLines(report.kdf));
  if (report.rotation) lines.push(...rotationLines(report.rotation));
  if (report.servers) lines.push(...serversLines(report.servers));
  if (report.vsref) lines.push(...vsrefLines(report.vsref));
  if (report.memory) lines.push(...memoryLines(report.memory));
  if (report.seedTable) lines.push(...seedTableLines(report.seedTable));
  if (report.cancel) {
    lines.push(
      `Cancel latency (default preset, abort -> settled): median ${fixed(report.cancel.medianMs, 0)} ms, ` +
        `max ${fixed(report.cancel.maxMs, 0)} ms over ${report.cancel.trials} trials`,
      '',
    );
  }
  for (const note of report.notes) lines.push(`note: ${note}`);
  lines.push(`JSON report: ${jsonPath}`);
  return lines.join('\n');
}

/** Why a figure misses its target, in words, from what was measured. */
export function explainTargets(report: BenchReport): string[] {
  const notes: string[] = [];
  const servers = report.servers && !('skipped' in report.servers) ? report.servers : null;
  const postgres =
    servers?.postgresDefault && !isNotRun(servers.postgresDefault) ? servers.postgresDefault : null;
  for (const [rotation, where] of [
    [report.rotation, ''],
    [postgres, ' (PostgreSQL)'],
  ] as const) {
    if (!rotation || rotation.efficiency === null || rotation.efficiency >= EFFICIENCY_TARGET) {
      continue;
    }
    const extra = rotation.derivationsPerformed - rotation.derivationsNeeded;
    notes.push(
      `pipeline efficiency${where} ${fixed(rotation.efficiency)} < ${EFFICIENCY_TARGET}: ` +
        (extra > 0
          ? `the engine performed ${extra} derivations more than needed; besides, `
          : 'no derivation was wasted, so the time went to ') +
        'fixed costs (worker start, reading and writing the vault, the last records finishing one by one' +
        (where ? ', the round trips to the server' : '') +
        ') and to other processes competing for the cores.',
    );
  }
  const [small, large] = report.memory?.runs ?? [];
  if (report.memory && report.memory.ratio > 1.25 && small && large) {
    const heapGrowth = large.peakHeapTotalKiB - small.peakHeapTotalKiB;
    const rssGrowth = large.maxRssKiB - small.maxRssKiB;
    notes.push(
      `memory ratio ${fixed(report.memory.ratio)} > 1.25: the peak grew by ${fixed(rssGrowth / 1024, 0)} MiB, ` +
        `${fixed(heapGrowth / 1024, 0)} MiB of it in the host thread's JS heap; the rest is native memory ` +
        '(worker threads and their malloc arenas, SQLite).',
    );
  }
  const vsref = report.vsref;
  if (vsref && !('skipped' in vsref) && vsref.ratio < 2) {
    const ours = report.rotation?.poolDerivationsPerSecond ?? Number.NaN;
    notes.push(
      `speed ratio against the reference ${fixed(vsref.ratio)} < 2: both need the same derivations per record ` +
        `(one per v2 record tested, one per record written), so the ratio is bounded by the Argon2id rates: ` +
        `ours ${fixed(ours)}/s (native pool, around the rotation) against vsref's ${fixed(vsref.kdfPerSecond)}/s.`,
    );
  }
  return notes;
}
