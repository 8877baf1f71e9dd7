/**
 * `npm run bench -- distributed`: records/s of a distributed rotation against
 * the number of worker processes, each held to a fixed CPU share by its own
 * cgroup (bench/cgroup-cpu.ts), so 2 cores stand in for many small machines.
 *
 * Weak scaling: W workers rotate W x N records (N per worker), so every run
 * has the same per-worker work and start-up; efficiency = rate(W) / (W x
 * rate(1)). Per run it also counts the database's statements and commits per
 * record (PostgreSQL: pg_stat_statements and pg_stat_database, whose
 * active_time gives the database time per record; MariaDB: Questions and
 * Com_commit), and Redis operations per shard (INFO commandstats). A last
 * run SIGKILLs one worker a third of the way in and reports the CPU the
 * workers spent beyond the same run without a kill: the derivations wasted.
 *
 * It drives the real commands (`vaultstore-admin rotate --queue
 * --no-local-worker` and `vaultstore-admin worker`) from the CLI bundle next
 * to this one, with passwords in 0600 files (never argv or env), against a
 * private Redis and database server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ARGON2_PRESETS, type Argon2PresetName } from '../src/engine/index.js';
import { findServerPrograms, type ServerKind } from '../tools/db-servers/binaries.js';
import { launchRedis, redisAvailable, findRedisServer } from '../tools/db-servers/redis-server.js';
import {
  BENCH_NEW_PASSWORD,
  BENCH_OLD_PASSWORD,
  derivationsNeeded,
  generateBenchVault,
} from './bench-vault.js';
import { machineBusyMs } from './cpu-share.js';
import { startBenchServers, type BenchServer, type ServerVault } from './bench-servers.js';
import {
  createCpuGroup,
  cpuCgroupUnavailable,
  sweepStaleCpuGroups,
  type CpuGroup,
} from './cgroup-cpu.js';

export interface DistributedBenchOptions {
  readonly workers: readonly number[];
  /** CPUs per worker process, e.g. 0.15 */
  readonly cpuShare: number;
  readonly recordsPerWorker: number;
  readonly preset: Argon2PresetName;
  readonly database: ServerKind;
  /** also measure the derivations wasted when a worker is SIGKILLed */
  readonly kill: boolean;
  /** the CLI bundle (out/cli/vaultstore-admin.mjs) */
  readonly cli: string;
  readonly workDir: string;
  readonly log: (line: string) => void;
}

export interface DistributedRun {
  readonly workers: number;
  readonly records: number;
  readonly shards: number;
  /** from the coordinator's start to its exit (planning and start-up included) */
  readonly seconds: number;
  /**
   * records / seconds of the rotating itself: from the coordinator's first progress
   * line with a record done to the one with all done (start-up and planning, the same
   * per worker whatever W, left out; the last shards' tail kept)
   */
  readonly recordsPerSecond: number;
  /** records / seconds */
  readonly wallRecordsPerSecond: number;
  readonly coordinatorExit: number | null;
  readonly workerExits: readonly (number | string | null)[];
  /** CPU seconds the worker processes used (cpuacct), null where not counted */
  readonly workerCpuSeconds: number | null;
  /** share of the workers' CPU quota they used over the run (below 1: waiting or starved) */
  readonly quotaUsed: number | null;
  /** derivations the vault needs (tested + written) */
  readonly derivations: number;
  readonly statementsPerRecord: number | null;
  readonly commitsPerRecord: number | null;
  /** PostgreSQL: time the database spent executing statements, per record */
  readonly dbMsPerRecord: number | null;
  readonly redisOpsPerShard: number;
  /** PostgreSQL: the statements that took the most database time (pg_stat_statements, normalised) */
  readonly topStatements: readonly TopStatement[];
  /** share of the machine's cores busy during the run (all processes) */
  readonly machineBusyShare: number;
}

export interface TopStatement {
  readonly query: string;
  readonly calls: number;
  readonly totalMs: number;
  readonly meanMs: number;
}

/** The 6 statements with the most execution time in `database` (PostgreSQL with pg_stat_statements). */
async function topStatements(server: BenchServer, database: string): Promise<TopStatement[]> {
  if (server.kind !== 'postgres') return [];
  const admin = await server.admin('postgres');
  try {
    const rows = await admin.query<{ query: string; calls: string; total: string; mean: string }>(
      'SELECT s.query, s.calls, s.total_exec_time AS total, s.mean_exec_time AS mean ' +
        'FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = $1 ' +
        'ORDER BY s.total_exec_time DESC LIMIT 6',
      [database],
    );
    return rows.map((row) => ({
      query: row.query.replace(/\s+/g, ' ').slice(0, 160),
      calls: Number(row.calls),
      totalMs: Number(row.total),
      meanMs: Number(row.mean),
    }));
  } catch {
    return [];
  } finally {
    await admin.close();
  }
}

export interface DistributedBenchResult {
  readonly cpuShare: number;
  readonly preset: Argon2PresetName;
  readonly database: ServerKind;
  readonly recordsPerWorker: number;
  readonly runs: readonly (DistributedRun & { readonly efficiency: number })[];
  readonly kill: {
    readonly workers: number;
    readonly killedAfterCpuSeconds: number;
    readonly run: DistributedRun;
    readonly extraCpuSeconds: number;
    readonly derivationsWasted: number;
    readonly extraSeconds: number;
  } | null;
  /** workers of this CPU share one database core could keep busy (PostgreSQL) */
  readonly dbBottleneckWorkers: number | null;
}

/** Why the section cannot run here, or null. */
export function distributedUnavailable(database: ServerKind): string | null {
  const programs = findServerPrograms(database);
  return (
    cpuCgroupUnavailable() ??
    (redisAvailable() ? null : findRedisServer()) ??
    (typeof programs === 'string' ? programs : null)
  );
}

interface Counters {
  readonly statements: number | null;
  readonly commits: number | null;
  readonly activeMs: number | null;
  readonly redisCalls: number;
  readonly busyMs: number;
  readonly at: number;
}

async function redisCalls(client: Redis): Promise<number> {
  const info = await client.info('commandstats');
  let calls = 0;
  for (const match of info.matchAll(/^cmdstat_[^:]+:calls=(\d+)/gm)) calls += Number(match[1]);
  return calls;
}

async function readCounters(
  server: BenchServer,
  database: string,
  redis: Redis,
): Promise<Counters> {
  const admin = await server.admin(server.kind === 'postgres' ? 'postgres' : undefined);
  try {
    let statements: number | null = null;
    let commits: number | null = null;
    let activeMs: number | null = null;
    if (server.kind === 'postgres') {
      const [db] = await admin.query<{ commits: string; active: string }>(
        'SELECT xact_commit AS commits, active_time AS active FROM pg_stat_database WHERE datname = $1',
        [database],
      );
      commits = Number(db?.commits ?? NaN);
      activeMs = Number(db?.active ?? NaN);
      const [calls] = await admin
        .query<{ calls: string }>(
          'SELECT coalesce(sum(s.calls), 0) AS calls FROM pg_stat_statements s ' +
            'JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = $1',
          [database],
        )
        .catch(() => [{ calls: 'NaN' }]);
      statements = Number(calls?.calls ?? NaN);
    } else {
      const rows = await admin.query<{ Variable_name: string; Value: string }>(
        "SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions', 'Com_commit')",
      );
      const value = (name: string): number =>
        Number(rows.find((row) => row.Variable_name === name)?.Value ?? NaN);
      statements = value('Questions');
      commits = value('Com_commit');
    }
    const finite = (n: number | null): number | null =>
      n !== null && Number.isFinite(n) ? n : null;
    return {
      statements: finite(statements),
      commits: finite(commits),
      activeMs: finite(activeMs),
      redisCalls: await redisCalls(redis),
      busyMs: machineBusyMs(),
      at: performance.now(),
    };
  } finally {
    await admin.close();
  }
}

/**
 * The rate between the coordinator's first progress line (`--json`, about one a
 * second) that counts a record done and the first that counts its last record
 * (`total` only bounds the count).
 */
export function rotatingRate(logFile: string, total: number): number {
  let first: { ms: number; scanned: number } | null = null;
  let last: { ms: number; scanned: number } | null = null;
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.startsWith('{"type":"progress"')) continue;
    const { scanned, elapsedMs: ms } = JSON.parse(line) as { scanned: number; elapsedMs: number };
    if (scanned <= 0 || scanned > total) continue;
    first ??= { ms, scanned };
    if (scanned > (last?.scanned ?? first.scanned)) last = { ms, scanned };
  }
  return first && last ? ((last.scanned - first.scanned) * 1000) / (last.ms - first.ms) : NaN;
}

function exited(child: ChildProcess): Promise<number | string | null> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve(child.exitCode ?? child.signalCode);
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
}

interface RunContext {
  readonly options: DistributedBenchOptions;
  readonly server: BenchServer;
  readonly redisUrl: string;
  readonly redis: Redis;
  readonly files: { old: string; new: string; db: (vault: ServerVault) => string; queue: string };
}

/** One rotation by `workers` processes; `killAfterCpu`: SIGKILL worker 0 once it used that much CPU. */
async function runOnce(
  context: RunContext,
  workers: number,
  label: string,
  killAfterCpu: number | null,
): Promise<DistributedRun> {
  const { options, server } = context;
  const records = workers * options.recordsPerWorker;
  const shards = 8 * workers;
  const name = `vsa_dist_${label}`;
  const file = join(options.workDir, `${name}.db`);
  const config = ARGON2_PRESETS[options.preset];
  const vault = await generateBenchVault(file, records, config, true);
  const needed = derivationsNeeded(vault);
  const target = await server.copyVault(file, name);
  const dbPasswordFile = context.files.db(target);
  const common = [
    target.vaultPath,
    '--table',
    vault.table,
    '--queue',
    context.redisUrl,
    '--queue-password-file',
    context.files.queue,
    '--old-password-file',
    context.files.old,
    '--new-password-file',
    context.files.new,
    '--db-password-file',
    dbPasswordFile,
  ];
  const logFile = (who: string): number =>
    openSync(join(options.workDir, `${name}.${who}.log`), 'w');
  const before = await readCounters(server, name, context.redis);
  const groups: CpuGroup[] = [];
  const children: ChildProcess[] = [];
  try {
    for (let index = 0; index < workers; index += 1) {
      const group = createCpuGroup(`w${index}`, options.cpuShare);
      groups.push(group);
      const out = logFile(`worker${index}`);
      children.push(
        group.spawn(process.execPath, [options.cli, 'worker', ...common, '--workers', '1'], {
          stdio: ['ignore', out, out],
        }),
      );
      closeSync(out);
    }
    const coordinatorLog = join(options.workDir, `${name}.coordinator.log`);
    const out = logFile('coordinator');
    const coordinator = spawn(
      process.execPath,
      [
        options.cli,
        'rotate',
        ...common,
        '--crypto',
        options.preset,
        '--no-local-worker',
        // throwaway data: no backup (it would land in the user's state folder)
        '--no-backup',
        '--shards',
        String(shards),
        '--json',
      ],
      { stdio: ['ignore', out, out] },
    );
    closeSync(out);
    const coordinatorExit = exited(coordinator);
    if (killAfterCpu !== null) {
      const victim = groups[0]!;
      while ((victim.cpuSeconds() ?? 0) < killAfterCpu && children[0]!.exitCode === null) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      options.log(`distributed: SIGKILL worker 0 after ${victim.cpuSeconds()?.toFixed(1)} CPU-s`);
      children[0]!.kill('SIGKILL');
    }
    const code = await coordinatorExit;
    const seconds = (performance.now() - before.at) / 1000;
    // workers leave once the rotation is finished; give them a minute, then stop them
    const stop = setTimeout(() => children.forEach((child) => child.kill('SIGTERM')), 60_000);
    const workerExits = await Promise.all(children.map(exited));
    clearTimeout(stop);
    // after the workers' exit: their sessions' statistics are flushed by then
    const after = await readCounters(server, name, context.redis);
    const cpu = groups.map((group) => group.cpuSeconds());
    const top = await topStatements(server, name);
    const delta = (a: number | null, b: number | null): number | null =>
      a !== null && b !== null ? (b - a) / records : null;
    return {
      workers,
      records,
      shards,
      seconds,
      // a rotation that did not complete has no rate
      recordsPerSecond: code === 0 ? rotatingRate(coordinatorLog, records) : NaN,
      wallRecordsPerSecond: code === 0 ? records / seconds : NaN,
      coordinatorExit: typeof code === 'number' ? code : null,
      workerExits,
      workerCpuSeconds: cpu.every((c) => c !== null) ? cpu.reduce((a, b) => a! + b!, 0) : null,
      quotaUsed: cpu.every((c) => c !== null)
        ? cpu.reduce((a, b) => a! + b!, 0)! / (workers * options.cpuShare * seconds)
        : null,
      derivations: needed.tested + needed.written,
      statementsPerRecord: delta(before.statements, after.statements),
      commitsPerRecord: delta(before.commits, after.commits),
      dbMsPerRecord: delta(before.activeMs, after.activeMs),
      redisOpsPerShard: (after.redisCalls - before.redisCalls) / shards,
      topStatements: top,
      machineBusyShare: (after.busyMs - before.busyMs) / ((after.at - before.at) * cpus().length),
    };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all(children.map(exited));
    for (const group of groups) group.dispose();
  }
}

export async function benchDistributed(
  options: DistributedBenchOptions,
): Promise<DistributedBenchResult> {
  sweepStaleCpuGroups();
  mkdirSync(options.workDir, { recursive: true, mode: 0o700 });
  const secretDir = join(options.workDir, 'secrets');
  mkdirSync(secretDir, { mode: 0o700 });
  const secret = (name: string, value: string | Uint8Array): string => {
    const path = join(secretDir, name);
    writeFileSync(path, value, { mode: 0o600 });
    return path;
  };
  options.log('distributed: starting a private Redis and database server…');
  const redisServer = await launchRedis();
  const servers = await startBenchServers({
    kinds: [options.database],
    extraArgs: { postgres: ['-c', 'shared_preload_libraries=pg_stat_statements'] },
  });
  const redis = new Redis({
    host: redisServer.info.host,
    port: redisServer.info.port,
    password: redisServer.info.password,
  });
  try {
    const server = servers.running.get(options.database);
    if (!server) throw new Error(`${options.database}: ${servers.unavailable[options.database]}`);
    if (server.kind === 'postgres') {
      const admin = await server.admin('postgres');
      await admin
        .query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements')
        .finally(() => admin.close());
    }
    const context: RunContext = {
      options,
      server,
      redis,
      redisUrl: `redis://${redisServer.info.host}:${redisServer.info.port}/0`,
      files: {
        old: secret('old', BENCH_OLD_PASSWORD),
        new: secret('new', BENCH_NEW_PASSWORD),
        queue: secret('redis', redisServer.info.password),
        db: (vault) => secret('db', vault.serverPassword()),
      },
    };
    const runs: DistributedRun[] = [];
    for (const workers of options.workers) {
      options.log(
        `distributed: ${workers} worker(s) at ${options.cpuShare} CPU, ${workers * options.recordsPerWorker} records…`,
      );
      const run = await runOnce(context, workers, `w${workers}`, null);
      options.log(
        `distributed: ${workers} worker(s): ${run.recordsPerSecond.toFixed(2)} records/s (exit ${run.coordinatorExit})`,
      );
      runs.push(run);
    }
    const one = runs.find((run) => run.workers === 1);
    const withEfficiency = runs.map((run) => ({
      ...run,
      efficiency: one ? run.recordsPerSecond / (run.workers * one.recordsPerSecond) : NaN,
    }));

    let kill: DistributedBenchResult['kill'] = null;
    const killWorkers = Math.max(...options.workers.filter((w) => w >= 2 && w <= 4));
    const baseline = runs.find((run) => run.workers === killWorkers);
    if (options.kill && baseline && baseline.workerCpuSeconds !== null) {
      const killAfter = baseline.workerCpuSeconds / killWorkers / 3;
      options.log(`distributed: ${killWorkers} workers, one SIGKILLed a third of the way in…`);
      const run = await runOnce(context, killWorkers, `w${killWorkers}_kill`, killAfter);
      const extraCpu = (run.workerCpuSeconds ?? NaN) - baseline.workerCpuSeconds;
      kill = {
        workers: killWorkers,
        killedAfterCpuSeconds: killAfter,
        run,
        extraCpuSeconds: extraCpu,
        derivationsWasted: extraCpu / (baseline.workerCpuSeconds / baseline.derivations),
        extraSeconds: run.seconds - baseline.seconds,
      };
    }
    const widest = runs.reduce((a, b) => (b.workers > a.workers ? b : a), runs[0]!);
    const dbMs = widest?.dbMsPerRecord ?? null;
    return {
      cpuShare: options.cpuShare,
      preset: options.preset,
      database: options.database,
      recordsPerWorker: options.recordsPerWorker,
      runs: withEfficiency,
      kill,
      dbBottleneckWorkers:
        dbMs !== null && dbMs > 0 && one ? 1000 / dbMs / one.recordsPerSecond : null,
    };
  } finally {
    redis.disconnect();
    await servers.dispose();
    await redisServer.dispose();
  }
}

const fixed = (value: number | null, digits = 2): string =>
  value !== null && Number.isFinite(value) ? value.toFixed(digits) : 'n/a';

export function formatDistributed(result: DistributedBenchResult): string {
  const lines = [
    `Distributed rotation, ${result.database}, preset ${result.preset}, ${result.recordsPerWorker} records per worker, each worker ${result.cpuShare} CPU (cgroup):`,
    '| workers | records/s | efficiency | records/s incl. start-up | quota used | statements/record | commits/record | DB ms/record | Redis ops/shard | machine busy |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const run of result.runs) {
    lines.push(
      `| ${run.workers} | ${fixed(run.recordsPerSecond)} | ${fixed(run.efficiency)} | ${fixed(run.wallRecordsPerSecond)} | ${fixed((run.quotaUsed ?? NaN) * 100, 0)}% | ${fixed(run.statementsPerRecord)} | ` +
        `${fixed(run.commitsPerRecord)} | ${fixed(run.dbMsPerRecord, 3)} | ${fixed(run.redisOpsPerShard, 1)} | ` +
        `${fixed(run.machineBusyShare * 100, 0)}% |`,
    );
  }
  for (const run of result.runs) {
    if (run.coordinatorExit !== 0 || run.workerExits.some((code) => code !== 0)) {
      lines.push(
        `  ${run.workers} worker(s): coordinator exit ${run.coordinatorExit}, workers ${run.workerExits.join(',')}: see the logs`,
      );
    }
  }
  const eight = result.runs.find((run) => run.workers === 8);
  if (eight) {
    lines.push(
      `Scaling efficiency at 8 workers: ${fixed(eight.efficiency)} (target >= 0.9: ${eight.efficiency >= 0.9 ? 'ok' : 'BELOW TARGET'})`,
    );
  }
  if (result.kill) {
    const k = result.kill;
    lines.push(
      `A worker SIGKILLed after ${fixed(k.killedAfterCpuSeconds, 1)} CPU-s (${k.workers} workers): ` +
        `${fixed(k.extraCpuSeconds, 1)} CPU-s more than without the kill ~ ${fixed(k.derivationsWasted, 0)} derivations wasted, ` +
        `${fixed(k.extraSeconds, 1)} s longer (lock expiry before redelivery); coordinator exit ${k.run.coordinatorExit}`,
    );
  }
  if (result.dbBottleneckWorkers !== null) {
    lines.push(
      `One database core keeps ~${fixed(result.dbBottleneckWorkers, 0)} such workers busy ` +
        `(${fixed(result.runs.at(-1)?.dbMsPerRecord ?? null, 3)} ms of database time per record).`,
    );
  }
  return lines.join('\n');
}
