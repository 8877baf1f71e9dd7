/**
 * `npm run bench`: Argon2id rates, a default-preset rotation (records/s,
 * pipeline efficiency, host event-loop delay), the reference implementation
 * on the same vault, peak memory against vault size, and cancel latency.
 * Writes bench-results/bench.json and prints a summary. Not run in CI.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { ARGON2_PRESETS } from '../src/engine/index.js';
import { generateBenchVault } from './bench-vault.js';
import { benchCancel } from './cancel-bench.js';
import { SectionCpuMeter } from './cpu-share.js';
import { benchmarkKdf, type KdfBenchResult } from './kdf-bench.js';
import { benchMemory, MEMORY_CHILD_FLAG, runMemoryChild } from './memory-bench.js';
import { BENCH_HELP, parseBenchOptions, type BenchOptions } from './options.js';
import { explainTargets, formatReport, type BenchReport } from './report.js';
import { benchRotation, withPoolRate } from './rotation-bench.js';
import { benchVsrefRotate, vsrefAvailable } from './vsref-bench.js';

/** Other processes using more than this share of the cores make a section's figures noisy. */
const NOISY_OTHER_SHARE = 0.15;

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

async function runBench(options: BenchOptions): Promise<void> {
  const startedAt = performance.now();
  const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), 'vsa-bench-'));
  mkdirSync(workDir, { recursive: true });
  const skip = (section: string): boolean => options.skip.has(section);
  const poolSize = availableParallelism();
  const config = ARGON2_PRESETS.default;
  const notes: string[] = [];
  let report: BenchReport = {
    version: 1,
    startedAt: new Date().toISOString(),
    seconds: 0,
    machine: {
      cpuModel: cpus()[0]?.model ?? 'unknown',
      availableParallelism: poolSize,
      totalMemoryMiB: Math.round(totalmem() / 1024 / 1024),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    quick: options.quick,
    kdf: null,
    rotation: null,
    vsref: null,
    memory: null,
    cancel: null,
    notes,
    otherCpuShare: {},
  };
  const meter = new SectionCpuMeter();
  const section = (name: string, line: string, measured = true): void => {
    meter.start(name, measured);
    log(line);
  };
  const nativePoolRate = (results: readonly KdfBenchResult[] | undefined): number | null =>
    results?.find((r) => r.backend === 'native' && r.mode === 'pool')?.perSecond ?? null;
  try {
    // The vault first: the Argon2id rates are measured right before (and after) the rotation they explain.
    const needsDefaultVault = !skip('rotation') || !skip('vsref') || !skip('cancel');
    const defaultVaultPath = join(workDir, 'default.db');
    if (needsDefaultVault)
      section('generate', `generating a default-preset vault of ${options.records} records…`);
    const defaultVault = needsDefaultVault
      ? await generateBenchVault(defaultVaultPath, options.records, config, false)
      : null;

    if (!skip('kdf')) {
      section('kdf', `kdf: Argon2id default preset, ${options.kdfSeconds} s per backend and mode…`);
      const results = await benchmarkKdf({ config, seconds: options.kdfSeconds, poolSize });
      report = {
        ...report,
        kdf: { config: 't=3 m=65536 KiB p=4 (default)', results, after: null },
      };
    }

    if (defaultVault && !skip('rotation')) {
      section('rotation', 'rotation: rotating it with the default preset…');
      const before = nativePoolRate(report.kdf?.results);
      const rotation = await benchRotation(defaultVault, join(workDir, 'ours.db'));
      if (report.kdf) {
        section('kdf-after', 'kdf: the pool rate again, after the rotation…');
        const after = await benchmarkKdf({
          config,
          seconds: Math.max(2, Math.round(options.kdfSeconds / 2)),
          poolSize,
        });
        report = { ...report, kdf: { ...report.kdf, after } };
      }
      const afterRate = nativePoolRate(report.kdf?.after ?? undefined);
      const poolRate = before !== null && afterRate !== null ? (before + afterRate) / 2 : before;
      report = { ...report, rotation: withPoolRate(rotation, poolRate) };
    }

    if (defaultVault && !skip('vsref')) {
      if (!vsrefAvailable(options.vsref)) {
        report = { ...report, vsref: { skipped: `vsref not found at ${options.vsref}` } };
      } else if (!report.rotation) {
        report = { ...report, vsref: { skipped: 'needs the rotation section for the comparison' } };
      } else {
        section(
          'vsref',
          `vsref: the reference rotation on an identical copy (${poolSize} workers)…`,
          false,
        );
        const reference = await benchVsrefRotate(
          options.vsref,
          defaultVaultPath,
          join(workDir, 'vsref.db'),
          poolSize,
        );
        const ours = report.rotation.recordsPerSecond;
        report = {
          ...report,
          vsref: { ...reference, ours, ratio: ours / reference.recordsPerSecond },
        };
      }
    }

    if (defaultVault && !skip('cancel')) {
      section('cancel', `cancel: ${options.cancelTrials} cancelled rotations…`);
      report = {
        ...report,
        cancel: await benchCancel(
          defaultVaultPath,
          join(workDir, 'cancel.db'),
          options.cancelTrials,
        ),
      };
    }

    if (!skip('memory')) {
      section(
        'memory',
        `memory: vaults of ${options.memoryRecords.join(' and ')} records (tiny preset)…`,
        false,
      );
      report = { ...report, memory: await benchMemory(workDir, options.memoryRecords, log) };
    }
  } finally {
    if (!options.workDir) rmSync(workDir, { recursive: true, force: true });
  }
  meter.end();
  for (const [name, share] of Object.entries(meter.otherShare)) {
    if (share > NOISY_OTHER_SHARE) {
      notes.push(
        `other processes used ${(share * 100).toFixed(0)}% of the cores during "${name}": its figures are noisy`,
      );
    }
  }
  notes.push(...explainTargets(report));
  report = {
    ...report,
    seconds: (performance.now() - startedAt) / 1000,
    otherCpuShare: meter.otherShare,
  };
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${formatReport(report, options.out)}\n`);
}

async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === MEMORY_CHILD_FLAG) {
    const vault = argv[1];
    if (!vault) throw new Error(`${MEMORY_CHILD_FLAG} needs a vault path`);
    await runMemoryChild(vault);
    return;
  }
  const options = parseBenchOptions(argv);
  if (options === 'help') {
    process.stdout.write(BENCH_HELP);
    return;
  }
  await runBench(options);
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
