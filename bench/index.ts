/**
 * `npm run bench`: whole CLI processes against the reference per phase
 * (section phases), Argon2id derivations/s by pool size under cgroup CPU
 * limits (pool-size), Argon2id rates, a default-preset rotation (records/s,
 * pipeline efficiency, host event-loop delay), the same vault in PostgreSQL
 * and a tiny-preset vault in SQLite, PostgreSQL and MariaDB (private servers
 * on localhost), the reference implementation on the same vault, peak memory
 * against vault size, and cancel latency. Writes bench-results/bench.json and
 * prints a summary. Not run in CI.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARGON2_PRESETS } from '../src/engine/index.js';
import { generateBenchVault } from './bench-vault.js';
import { benchCancel } from './cancel-bench.js';
import { SectionCpuMeter } from './cpu-share.js';
import { benchmarkKdf, type KdfBenchResult } from './kdf-bench.js';
import { benchMemory } from './memory-bench.js';
import { benchSeedTable } from './seed-table-bench.js';
import {
  BENCH_HELP,
  DISTRIBUTED_HELP,
  parseBenchOptions,
  parseDistributedOptions,
  type BenchOptions,
} from './options.js';
import {
  benchDistributed,
  distributedUnavailable,
  formatDistributed,
} from './distributed-bench.js';
import { explainTargets, formatReport, type BenchReport } from './report.js';
import { startBenchServers, type BenchServers } from './bench-servers.js';
import { benchRotation, withPoolRate, type RotationBenchResult } from './rotation-bench.js';
import {
  benchTinyStores,
  isNotRun,
  prepareDefaultOnPostgres,
  rotateDefaultOnPostgres,
  type NotRun,
  type ServersBenchResult,
} from './servers-bench.js';
import { benchVsrefRotate, vsrefAvailable } from './vsref-bench.js';
import { benchPhases } from './phases-bench.js';
import { benchPoolSize } from './pool-size-bench.js';

/** Other processes using more than this share of the cores make a section's figures noisy. */
const NOISY_OTHER_SHARE = 0.15;

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/**
 * Ctrl-C / SIGTERM: stop the servers and remove the temporary files before
 * exiting (a second signal exits at once; the server launcher's exit hook
 * still kills the servers then). Returns the function that uninstalls it.
 */
function cleanUpOnSignal(cleanup: () => Promise<void>): () => void {
  let exiting = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    const code = signal === 'SIGINT' ? 130 : 143;
    if (exiting) process.exit(code);
    exiting = true;
    log(`bench: ${signal}: stopping the database servers and removing temporary files…`);
    void cleanup().finally(() => process.exit(code));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

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
    seedTable: null,
    cancel: null,
    phases: null,
    poolSize: null,
    servers: null,
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
  let servers: BenchServers | null = null;
  let cleanedUp: Promise<void> | null = null;
  const cleanup = (): Promise<void> =>
    (cleanedUp ??= (async () => {
      await servers?.dispose();
      if (!options.workDir) rmSync(workDir, { recursive: true, force: true });
    })());
  const uninstallSignalCleanup = cleanUpOnSignal(cleanup);
  try {
    // Whole processes first, while the benchmark itself has started nothing else.
    if (!skip('phases')) {
      if (!vsrefAvailable(options.vsref)) {
        report = { ...report, phases: { skipped: `vsref not found at ${options.vsref}` } };
      } else {
        // measured=false: the runs are child processes; each run measures the others' share itself.
        section(
          'phases',
          `phases: ${options.phaseSizes.join(' and ')} records, ${options.phaseRuns} runs each…`,
          false,
        );
        report = {
          ...report,
          phases: await benchPhases({
            sizes: options.phaseSizes,
            runs: options.phaseRuns,
            // the CLI bundle next to this one (out/cli), built by `npm run bench`
            cli: join(dirname(fileURLToPath(import.meta.url)), 'vaultstore-admin.mjs'),
            compareCli: options.compareCli,
            vsref: options.vsref,
            workDir,
            log,
          }),
        };
      }
    }
    if (!skip('pool-size')) {
      section('pool-size', 'pool-size: derivations/s by pool size under CPU limits…', false);
      report = {
        ...report,
        poolSize: await benchPoolSize({
          seconds: options.poolSeconds,
          runs: options.poolRuns,
          log,
        }),
      };
    }

    // The vault first: the Argon2id rates are measured right before (and after) the rotation they explain.
    const needsDefaultVault =
      !skip('rotation') || !skip('vsref') || !skip('cancel') || !skip('servers');
    const defaultVaultPath = join(workDir, 'default.db');
    if (needsDefaultVault)
      section('generate', `generating a default-preset vault of ${options.records} records…`);
    const defaultVault = needsDefaultVault
      ? await generateBenchVault(defaultVaultPath, options.records, config, false)
      : null;

    // The servers next, and the vault copied in, so the rotations below run back to back.
    let serversResult: ServersBenchResult | { skipped: string } | null = null;
    let postgresTarget: Awaited<ReturnType<typeof prepareDefaultOnPostgres>> | null = null;
    // The seed's table rotates in PostgreSQL too.
    if (!skip('servers') || !skip('seed-table')) {
      // measured=false: the servers' own CPU time would count as other processes'.
      section('servers', 'servers: starting a private PostgreSQL and MariaDB on localhost…', false);
      servers = await startBenchServers();
      for (const [kind, reason] of Object.entries(servers.unavailable)) {
        log(`servers: ${kind} skipped: ${reason}`);
      }
      if (servers.running.size === 0) {
        serversResult = {
          skipped: Object.values(servers.unavailable).join('; ') || 'no server available',
        };
      } else {
        serversResult = {
          servers: [...servers.running.values()].map(({ kind, version, startSeconds }) => ({
            kind,
            version,
            startSeconds,
          })),
          unavailable: servers.unavailable,
          postgresDefault: null,
          tiny: null,
        };
        if (defaultVault && !skip('servers')) {
          log('servers: copying the default-preset vault into PostgreSQL…');
          postgresTarget = await prepareDefaultOnPostgres(servers, defaultVault, workDir);
        }
      }
    }

    if (!skip('kdf')) {
      section('kdf', `kdf: Argon2id default preset, ${options.kdfSeconds} s per backend and mode…`);
      const results = await benchmarkKdf({ config, seconds: options.kdfSeconds, poolSize });
      report = {
        ...report,
        kdf: { config: 't=3 m=65536 KiB p=4 (default)', results, after: null },
      };
    }

    let sqliteRotation: RotationBenchResult | null = null;
    if (defaultVault && !skip('rotation')) {
      section('rotation', 'rotation: rotating it with the default preset…');
      sqliteRotation = await benchRotation(defaultVault, join(workDir, 'ours.db'));
    }
    let postgresRotation: RotationBenchResult | NotRun | null = isNotRun(postgresTarget)
      ? postgresTarget
      : null;
    if (defaultVault && postgresTarget && !isNotRun(postgresTarget)) {
      section(
        'rotation-postgres',
        'servers: rotating the same vault in PostgreSQL with the default preset…',
        false,
      );
      postgresRotation = await rotateDefaultOnPostgres(defaultVault, postgresTarget);
    }
    const rotated = sqliteRotation ?? postgresRotation;
    if (report.kdf && rotated && !isNotRun(rotated)) {
      section('kdf-after', 'kdf: the pool rate again, after the rotation…');
      const after = await benchmarkKdf({
        config,
        seconds: Math.max(2, Math.round(options.kdfSeconds / 2)),
        poolSize,
      });
      report = { ...report, kdf: { ...report.kdf, after } };
    }
    // One pool rate for both rotations: the mean of the rates measured before and after them.
    const before = nativePoolRate(report.kdf?.results);
    const afterRate = nativePoolRate(report.kdf?.after ?? undefined);
    const poolRate = before !== null && afterRate !== null ? (before + afterRate) / 2 : before;
    if (sqliteRotation) report = { ...report, rotation: withPoolRate(sqliteRotation, poolRate) };
    if (serversResult && !('skipped' in serversResult) && postgresRotation) {
      serversResult = {
        ...serversResult,
        postgresDefault: isNotRun(postgresRotation)
          ? postgresRotation
          : withPoolRate(postgresRotation, poolRate),
      };
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

    if (servers && serversResult && !('skipped' in serversResult) && !skip('servers')) {
      section(
        'servers-tiny',
        `servers: a tiny-preset vault of ${options.serverRecords} records in SQLite, PostgreSQL and MariaDB…`,
        false,
      );
      serversResult = {
        ...serversResult,
        tiny: await benchTinyStores(servers, workDir, options.serverRecords, log),
      };
    }
    report = { ...report, servers: serversResult };

    if (!skip('memory')) {
      section(
        'memory',
        `memory: vaults of ${options.memoryRecords.join(' and ')} records (tiny preset)…`,
        false,
      );
      report = { ...report, memory: await benchMemory(workDir, options.memoryRecords, log) };
    }

    if (!skip('seed-table')) {
      section('seed-table', `seed-table: ${options.seedSizes.join(', ')} records…`, false);
      report = {
        ...report,
        seedTable: await benchSeedTable(servers, workDir, options.seedSizes, log),
      };
    }
  } finally {
    await cleanup();
    uninstallSignalCleanup();
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

/** `npm run bench -- distributed`: its own section, run alone (it needs root for cgroups). */
async function runDistributed(argv: readonly string[]): Promise<void> {
  const options = parseDistributedOptions(argv);
  if (options === 'help') {
    process.stdout.write(DISTRIBUTED_HELP);
    return;
  }
  const unavailable = distributedUnavailable(options.database);
  if (unavailable) {
    log(`bench distributed: skipped: ${unavailable}`);
    return;
  }
  const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), 'vsa-bench-distributed-'));
  const result = await benchDistributed({
    ...options,
    // the CLI bundle next to this one (out/cli), built by `npm run bench`
    cli: join(dirname(fileURLToPath(import.meta.url)), 'vaultstore-admin.mjs'),
    workDir,
    log,
  });
  const failed = [...result.runs, ...(result.kill ? [result.kill.run] : [])].some(
    (run) => run.coordinatorExit !== 0,
  );
  // a failed run's logs stay for reading (the password files are removed either way)
  if (failed) {
    rmSync(join(workDir, 'secrets'), { recursive: true, force: true });
    log(`bench distributed: a rotation failed; its logs are in ${workDir}`);
  } else if (!options.workDir) {
    rmSync(workDir, { recursive: true, force: true });
  }
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${formatDistributed(result)}\nReport: ${options.out}\n`);
}

async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === 'distributed') {
    await runDistributed(argv.slice(1));
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
