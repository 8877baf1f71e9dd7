/**
 * Section `phases`: whole CLI processes, as an administrator runs them, on
 * default-preset vaults (40 and 200 records by default) side by side with
 * the reference: `node out/cli/vaultstore-admin.mjs rotate` (started
 * directly, not through npx) and `vsref rotate` (the Go library's rotation
 * algorithm) on identical copies, alternating which goes first, several
 * times; medians. Our runs print timing marks (VAULTSTORE_ADMIN_TIMINGS=1,
 * src/cli/timings.ts), from which each run's wall time is split into
 * start-up, open, checks, pass and finish. A second CLI bundle
 * (`--compare-cli`, e.g. one built before a change) runs in the same
 * rotation, so before and after are measured side by side too.
 *
 * Passwords go to our CLI in 0600 files (never argv or env); vsref takes
 * them on its command line: throwaway benchmark constants.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARGON2_PRESETS } from '../src/engine/index.js';
import {
  BENCH_NEW_PASSWORD,
  BENCH_OLD_PASSWORD,
  derivationsNeeded,
  generateBenchVault,
} from './bench-vault.js';
import { vsrefRotateArgs } from './vsref-bench.js';
import { endedChildrenCpuMs, otherShareDuring } from './cpu-share.js';
import { median } from './stats.js';
import type { GeneratedVault } from './vault-generator.js';

/** A run during which other processes used at most this share of the cores counts as quiet. */
export const QUIET_SHARE = 0.1;

/** The targets: the reference's time / ours, by vault size. */
export const RATIO_TARGETS: Readonly<Record<number, number>> = { 40: 1.6, 200: 1.75 };

export const PHASES = ['start-up', 'open', 'checks', 'pass', 'finish', 'exit'] as const;
export type Phase = (typeof PHASES)[number];

export interface Mark {
  readonly label: string;
  readonly at: number;
}

/** What one of our runs' marks say besides the phases. */
export interface MarkFacts {
  /** pools started (the pre-flight's own pool and the rotation's, or one) */
  readonly pools: number;
  /** ms spent starting pools (pool-start to pool-ready, summed) */
  readonly poolStartMs: number;
  /** ms from the first vault opened to the rotation job's start when a pre-flight job of its own ran, else 0 */
  readonly beforeJobMs: number;
  readonly vaultOpens: number;
}

export interface ProcessRun {
  readonly wallMs: number;
  readonly cpuMs: number;
  /** share of the cores other processes used during the run */
  readonly otherShare: number;
}

export interface OurRun extends ProcessRun {
  readonly phasesMs: Readonly<Record<Phase, number>>;
  readonly facts: MarkFacts;
  readonly derivations: number;
  readonly checkDerivations: number;
  /** derivations of a pre-flight run as a job of its own (its sample's v2 records), not in the summary's */
  readonly preflightJobDerivations: number;
  readonly rotated: number;
}

export interface ReferenceRun extends ProcessRun {
  /** vsref's own timing of the rotation (its JSON `seconds`), ms */
  readonly rotationMs: number;
  readonly workers: number;
  readonly kdfCalls: number;
  readonly rotated: number;
}

export interface CliMedians {
  readonly label: string;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly phasesMs: Readonly<Record<Phase, number>>;
  readonly facts: MarkFacts;
  readonly derivations: number;
  readonly checkDerivations: number;
  readonly preflightJobDerivations: number;
  /** reference rotation time / this CLI's whole-process wall time, median of the paired runs */
  readonly ratio: number;
  /** the same from the medians */
  readonly ratioOfMedians: number;
  /** the paired runs in which other processes used at most QUIET_SHARE of the cores, on both sides */
  readonly quiet: {
    readonly runs: number;
    readonly ratio: number;
    readonly wallMs: number;
    readonly referenceMs: number;
  };
  readonly runs: readonly OurRun[];
}

export interface PhasesSizeResult {
  readonly records: number;
  /** Argon2id derivations the format makes necessary: v2 records tested + records written */
  readonly derivationsNeeded: number;
  readonly rotated: number;
  readonly reference: {
    readonly rotationMs: number;
    readonly wallMs: number;
    readonly cpuMs: number;
    readonly workers: number;
    readonly kdfCalls: number;
    readonly runs: readonly ReferenceRun[];
  };
  /** ours, then the compared CLI if any */
  readonly clis: readonly CliMedians[];
  readonly target: number | null;
  readonly otherShareMedian: number;
}

export interface PhasesBenchResult {
  readonly runs: number;
  readonly sizes: readonly PhasesSizeResult[];
}

const TIMING_LINE = /^timing: ([\d.]+) ms (\S+)$/;

export function parseMarks(stderr: string): Mark[] {
  const marks: Mark[] = [];
  for (const line of stderr.split('\n')) {
    const match = TIMING_LINE.exec(line);
    if (match) marks.push({ label: match[2]!, at: Number(match[1]) });
  }
  return marks;
}

/**
 * A run's wall time split at its marks: start-up (process start to every
 * module loaded), open (to the first vault opened), checks (to the pass:
 * pre-flight, the rotation's own open, pools, settings check, canaries),
 * pass, finish (to the exit mark) and exit (the process ending after it).
 * A mark that is missing makes its phases NaN.
 */
export function phasesFromMarks(marks: readonly Mark[], wallMs: number): Record<Phase, number> {
  const first = (label: string): number => marks.find((m) => m.label === label)?.at ?? Number.NaN;
  const start = first('cli-start');
  const opened = first('vault-opened');
  const rotating = first('phase:rotating');
  const finishing = first('phase:finishing');
  const exit = first('exit');
  return {
    'start-up': start,
    open: opened - start,
    checks: rotating - opened,
    pass: finishing - rotating,
    finish: exit - finishing,
    exit: wallMs - exit,
  };
}

/** A pool closed before the rotation job began: the pre-flight ran as a job of its own. */
export function separatePreflightJob(marks: readonly Mark[]): boolean {
  const labels = marks.map((mark) => mark.label);
  const closed = labels.indexOf('pool-closed');
  return closed >= 0 && closed < labels.indexOf('phase:validating');
}

export function factsFromMarks(marks: readonly Mark[]): MarkFacts {
  let poolStartMs = 0;
  let startedAt: number | null = null;
  for (const mark of marks) {
    if (mark.label === 'pool-start') startedAt = mark.at;
    if (mark.label === 'pool-ready' && startedAt !== null) {
      poolStartMs += mark.at - startedAt;
      startedAt = null;
    }
  }
  const first = (label: string): number => marks.find((m) => m.label === label)?.at ?? Number.NaN;
  return {
    pools: marks.filter((m) => m.label === 'pool-start').length,
    poolStartMs,
    beforeJobMs: separatePreflightJob(marks)
      ? first('phase:validating') - first('vault-opened')
      : 0,
    vaultOpens: marks.filter((m) => m.label === 'vault-opened').length,
  };
}

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** Runs a process to its end: wall time from spawn to exit, its CPU time (it is waited for). */
async function runProcess(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<Finished> {
  const cpuBefore = endedChildrenCpuMs();
  const startedAt = performance.now();
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const code = await exited;
  const wallMs = performance.now() - startedAt;
  await closed;
  return { code, stdout, stderr, wallMs, cpuMs: endedChildrenCpuMs() - cpuBefore };
}

interface Vault {
  readonly generated: GeneratedVault;
  readonly expectedRotated: number;
  readonly needed: number;
}

interface Secrets {
  readonly oldFile: string;
  readonly newFile: string;
}

async function runOurs(
  cli: string,
  vault: Vault,
  copyPath: string,
  secrets: Secrets,
): Promise<OurRun> {
  copyFileSync(vault.generated.path, copyPath);
  const { value: run, otherShare } = await otherShareDuring(() =>
    runProcess(
      process.execPath,
      [
        cli,
        'rotate',
        copyPath,
        '--table',
        vault.generated.table,
        '--old-password-file',
        secrets.oldFile,
        '--new-password-file',
        secrets.newFile,
        '--json',
      ],
      { ...process.env, VAULTSTORE_ADMIN_TIMINGS: '1' },
    ),
  );
  const lines = run.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const summary = lines.find((line) => line.type === 'summary');
  const preflight = lines.find((line) => line.type === 'preflight') as
    { v2?: { sampled?: number } } | undefined;
  if (run.code !== 0 || summary?.status !== 'completed') {
    throw new Error(`${cli} rotate exited ${run.code}: ${run.stderr.slice(-500)}`);
  }
  if (summary.scanned !== vault.generated.records || summary.rotated !== vault.expectedRotated) {
    throw new Error(
      `${cli} rotated ${String(summary.rotated)} of ${String(summary.scanned)} records; ` +
        `expected ${vault.expectedRotated} of ${vault.generated.records}`,
    );
  }
  const marks = parseMarks(run.stderr);
  return {
    wallMs: run.wallMs,
    cpuMs: run.cpuMs,
    otherShare,
    phasesMs: phasesFromMarks(marks, run.wallMs),
    facts: factsFromMarks(marks),
    derivations: Number(summary.derivations),
    checkDerivations: Number(summary.checkDerivations ?? 0),
    preflightJobDerivations: separatePreflightJob(marks) ? (preflight?.v2?.sampled ?? 0) : 0,
    rotated: Number(summary.rotated),
  };
}

interface VsrefJson {
  workers: number;
  scanned: number;
  rotated: number;
  kdf_calls: number;
  seconds: number;
}

async function runReference(vsref: string, vault: Vault, copyPath: string): Promise<ReferenceRun> {
  copyFileSync(vault.generated.path, copyPath);
  const jsonPath = `${copyPath}.vsref.json`;
  rmSync(jsonPath, { force: true });
  const { value: run, otherShare } = await otherShareDuring(() =>
    runProcess(vsref, vsrefRotateArgs(copyPath, vault.generated.table, jsonPath), process.env),
  );
  if (run.code !== 0) throw new Error(`vsref rotate exited ${run.code}: ${run.stderr.slice(-500)}`);
  const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as VsrefJson;
  if (json.scanned !== vault.generated.records || json.rotated !== vault.expectedRotated) {
    throw new Error(
      `vsref rotated ${json.rotated} of ${json.scanned} records; ` +
        `expected ${vault.expectedRotated} of ${vault.generated.records}`,
    );
  }
  return {
    wallMs: run.wallMs,
    cpuMs: run.cpuMs,
    otherShare,
    rotationMs: json.seconds * 1000,
    workers: json.workers,
    kdfCalls: json.kdf_calls,
    rotated: json.rotated,
  };
}

function quietPairs(
  ours: readonly OurRun[],
  reference: readonly ReferenceRun[],
): CliMedians['quiet'] {
  const pairs = ours.flatMap((run, i) => {
    const ref = reference[i];
    return ref && run.otherShare <= QUIET_SHARE && ref.otherShare <= QUIET_SHARE
      ? [{ run, ref }]
      : [];
  });
  return {
    runs: pairs.length,
    ratio: median(pairs.map(({ run, ref }) => ref.rotationMs / run.wallMs)),
    wallMs: median(pairs.map(({ run }) => run.wallMs)),
    referenceMs: median(pairs.map(({ ref }) => ref.rotationMs)),
  };
}

function medianPhases(runs: readonly OurRun[]): Record<Phase, number> {
  return Object.fromEntries(
    PHASES.map((phase) => [phase, median(runs.map((run) => run.phasesMs[phase]))]),
  ) as Record<Phase, number>;
}

function medianFacts(runs: readonly OurRun[]): MarkFacts {
  return {
    pools: median(runs.map((r) => r.facts.pools)),
    poolStartMs: median(runs.map((r) => r.facts.poolStartMs)),
    beforeJobMs: median(runs.map((r) => r.facts.beforeJobMs)),
    vaultOpens: median(runs.map((r) => r.facts.vaultOpens)),
  };
}

export interface PhasesBenchOptions {
  readonly sizes: readonly number[];
  readonly runs: number;
  /** our CLI bundle, started directly */
  readonly cli: string;
  /** another bundle to run side by side (e.g. built before a change), or null */
  readonly compareCli: { readonly label: string; readonly path: string } | null;
  readonly vsref: string;
  readonly workDir: string;
  readonly log: (line: string) => void;
}

export async function benchPhases(options: PhasesBenchOptions): Promise<PhasesBenchResult> {
  const { workDir, log } = options;
  const secrets: Secrets = {
    oldFile: join(workDir, 'phases-old.txt'),
    newFile: join(workDir, 'phases-new.txt'),
  };
  writeFileSync(secrets.oldFile, BENCH_OLD_PASSWORD, { mode: 0o600 });
  writeFileSync(secrets.newFile, BENCH_NEW_PASSWORD, { mode: 0o600 });
  try {
    const vaults: Vault[] = [];
    for (const size of options.sizes) {
      log(`phases: generating a default-preset vault of ${size} records…`);
      const generated = await generateBenchVault(
        join(workDir, `phases-${size}.db`),
        size,
        ARGON2_PRESETS.default,
        false,
      );
      const { tested, written } = derivationsNeeded(generated);
      vaults.push({ generated, expectedRotated: written, needed: tested + written });
    }
    const clis = [
      { label: 'ours', path: options.cli },
      ...(options.compareCli ? [options.compareCli] : []),
    ];
    const ours = vaults.map(() => clis.map((): OurRun[] => []));
    const reference = vaults.map((): ReferenceRun[] => []);
    for (let run = 0; run < options.runs; run++) {
      for (const [v, vault] of vaults.entries()) {
        // Each contender goes first in turn: the machine's drift hits them alike.
        const contenders = [...clis.map((_, c) => c), -1];
        const order = contenders.map((_, i) => contenders[(i + run) % contenders.length]!);
        for (const c of order) {
          const copy = join(workDir, `phases-copy-${vault.generated.records}.db`);
          if (c === -1) {
            reference[v]!.push(await runReference(options.vsref, vault, copy));
          } else {
            ours[v]![c]!.push(await runOurs(clis[c]!.path, vault, copy, secrets));
          }
          rmSync(copy, { force: true });
        }
        const last = (list: readonly ProcessRun[]): string =>
          `${((list.at(-1)?.wallMs ?? Number.NaN) / 1000).toFixed(2)} s`;
        log(
          `phases: run ${run + 1}/${options.runs}, ${vault.generated.records} records: ` +
            clis.map((cli, c) => `${cli.label} ${last(ours[v]![c]!)}`).join(', ') +
            `, reference ${last(reference[v]!)}`,
        );
      }
    }
    return {
      runs: options.runs,
      sizes: vaults.map((vault, v) => {
        const refRuns = reference[v]!;
        const refRotationMs = median(refRuns.map((r) => r.rotationMs));
        const all: ProcessRun[] = [...refRuns, ...ours[v]!.flat()];
        return {
          records: vault.generated.records,
          derivationsNeeded: vault.needed,
          rotated: vault.expectedRotated,
          reference: {
            rotationMs: refRotationMs,
            wallMs: median(refRuns.map((r) => r.wallMs)),
            cpuMs: median(refRuns.map((r) => r.cpuMs)),
            workers: refRuns[0]?.workers ?? Number.NaN,
            kdfCalls: median(refRuns.map((r) => r.kdfCalls)),
            runs: refRuns,
          },
          clis: clis.map((cli, c) => {
            const runs = ours[v]![c]!;
            const wallMs = median(runs.map((r) => r.wallMs));
            return {
              label: cli.label,
              wallMs,
              cpuMs: median(runs.map((r) => r.cpuMs)),
              phasesMs: medianPhases(runs),
              facts: medianFacts(runs),
              derivations: median(runs.map((r) => r.derivations)),
              checkDerivations: median(runs.map((r) => r.checkDerivations)),
              preflightJobDerivations: median(runs.map((r) => r.preflightJobDerivations)),
              ratio: median(runs.map((r, i) => (refRuns[i]?.rotationMs ?? Number.NaN) / r.wallMs)),
              ratioOfMedians: refRotationMs / wallMs,
              quiet: quietPairs(runs, refRuns),
              runs,
            };
          }),
          target: RATIO_TARGETS[vault.generated.records] ?? null,
          otherShareMedian: median(all.map((r) => r.otherShare)),
        };
      }),
    };
  } finally {
    rmSync(secrets.oldFile, { force: true });
    rmSync(secrets.newFile, { force: true });
  }
}

const seconds = (ms: number): string => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : 'n/a');
const percent = (share: number): string => `${(share * 100).toFixed(0)}%`;

/** Markdown tables (they go into docs/performance.md as printed). */
export function phasesLines(result: PhasesBenchResult): string[] {
  const lines = [
    `Whole CLI processes against the reference (vsref rotate), default preset, medians of ${result.runs} runs, side by side`,
    '(each phase its own median: they need not add up to the whole)',
    '',
  ];
  const header = result.sizes.flatMap((size) =>
    size.clis.map((cli) => `${cli.label}, ${size.records}`),
  );
  lines.push(
    `| seconds | ${header.join(' | ')} |`,
    `| --- | ${header.map(() => '---:').join(' | ')} |`,
  );
  const row = (name: string, value: (cli: CliMedians, size: PhasesSizeResult) => string): void => {
    lines.push(
      `| ${name} | ${result.sizes.flatMap((size) => size.clis.map((cli) => value(cli, size))).join(' | ')} |`,
    );
  };
  for (const phase of PHASES) row(phase, (cli) => seconds(cli.phasesMs[phase]));
  row('**whole process**', (cli) => `**${seconds(cli.wallMs)}**`);
  row('of the checks: a pre-flight job of its own', (cli) => seconds(cli.facts.beforeJobMs));
  row(
    'pools started (their start-up)',
    (cli) => `${cli.facts.pools} (${seconds(cli.facts.poolStartMs)})`,
  );
  row('vault opened', (cli) => `${cli.facts.vaultOpens}x`);
  row(
    'derivations: pass + checks + a pre-flight job (needed)',
    (cli, size) =>
      `${cli.derivations} + ${cli.checkDerivations} + ${cli.preflightJobDerivations} (${size.derivationsNeeded})`,
  );
  row('CPU seconds', (cli) => seconds(cli.cpuMs));
  row(
    'reference: rotation (whole process)',
    (_, size) => `${seconds(size.reference.rotationMs)} (${seconds(size.reference.wallMs)})`,
  );
  row('reference CPU seconds', (_, size) => seconds(size.reference.cpuMs));
  row('**ratio** reference / ours', (cli) => `**${cli.ratio.toFixed(2)}x**`);
  row(
    'CPU ratio reference / ours',
    (cli, size) => `${(size.reference.cpuMs / cli.cpuMs).toFixed(2)}x`,
  );
  row('other processes (median)', (_, size) => percent(size.otherShareMedian));
  row(`quiet runs (others <= ${percent(QUIET_SHARE)}): ours / reference`, (cli) =>
    cli.quiet.runs === 0
      ? 'none'
      : `${cli.quiet.runs}: ${seconds(cli.quiet.wallMs)} / ${seconds(cli.quiet.referenceMs)}`,
  );
  row('**ratio in quiet runs**', (cli) =>
    cli.quiet.runs === 0 ? 'n/a' : `**${cli.quiet.ratio.toFixed(2)}x**`,
  );
  lines.push('');
  for (const size of result.sizes) {
    for (const cli of size.clis) {
      const verdict = (ratio: number): string =>
        size.target === null
          ? ''
          : `, target >= ${size.target}: ${ratio >= size.target ? 'met' : 'NOT MET'}`;
      lines.push(
        `  ${size.records} records, ${cli.label}: ${cli.ratio.toFixed(2)}x the reference's rotation time ` +
          `(median of paired runs${verdict(cli.ratio)}; ${cli.ratioOfMedians.toFixed(2)}x from the medians)` +
          (cli.quiet.runs > 0
            ? `; ${cli.quiet.ratio.toFixed(2)}x in the ${cli.quiet.runs} quiet run(s)${verdict(cli.quiet.ratio)}`
            : '; no quiet run'),
      );
    }
    lines.push(
      `  ${size.records} records: vsref ran ${size.reference.workers} workers (its default), ` +
        `${size.reference.kdfCalls} derivations; ${size.rotated} records rotated by each run, checked`,
    );
  }
  lines.push('');
  return lines;
}
