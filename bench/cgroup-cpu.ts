/**
 * Processes held to a fixed CPU share, each in its own cgroup v1 `cpu` group
 * (cpu.cfs_quota_us of cpu.cfs_period_us, and a high cpu.shares so other load
 * cannot starve it), so a 2-core machine can stand in for many small machines
 * in the distributed benchmark. A matching `cpuacct`
 * group (where that controller is mounted) counts the CPU time they used.
 *
 * A process joins its groups before it runs anything: it is started through
 * /bin/sh, which writes its own pid into cgroup.procs and then execs the
 * command (threads it starts later, e.g. Argon2id workers, inherit the group).
 * Needs root (or a delegated hierarchy); cpuCgroupUnavailable() says why not.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { alive } from '../tools/db-servers/server-process.js';

export const CPU_ROOT = '/sys/fs/cgroup/cpu';
export const CPUACCT_ROOT = '/sys/fs/cgroup/cpuacct';
export const PERIOD_US = 100_000;
export const CPU_SHARES = 8192;
const PREFIX = 'vsa-bench-';

export interface CpuThrottling {
  /** enforcement periods that have elapsed while the group had runnable tasks */
  readonly periods: number;
  /** periods in which the group used up its quota */
  readonly throttled: number;
}

export interface CpuGroup {
  readonly name: string;
  /** CPUs the group may use, e.g. 0.15 */
  readonly share: number;
  readonly quotaUs: number;
  throttling(): CpuThrottling;
  /** CPU time its processes used, in seconds (null without the cpuacct controller) */
  cpuSeconds(): number | null;
  /** Starts `command` inside the group (it joins before it runs). */
  spawn(command: string, args: readonly string[], options?: SpawnOptions): ChildProcess;
  /** Moves what is left to the root group and removes the group. Idempotent. */
  dispose(): void;
}

/** Why CPU groups cannot be made here, or null when they can. */
export function cpuCgroupUnavailable(root = CPU_ROOT): string | null {
  if (!existsSync(join(root, 'cpu.cfs_quota_us'))) {
    return `no cgroup v1 cpu controller at ${root} (cgroup v2 only, or not mounted)`;
  }
  const probe = join(root, `${PREFIX}probe-${process.pid}`);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
    return null;
  } catch (error) {
    return `cannot create a cgroup under ${root} (${(error as NodeJS.ErrnoException).code}): run as root or delegate it`;
  }
}

function moveOutAndRemove(root: string, path: string): void {
  if (!existsSync(path)) return;
  const pids = readFileSync(join(path, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean);
  for (const pid of pids) {
    try {
      writeFileSync(join(root, 'cgroup.procs'), pid);
    } catch {
      // exited meanwhile
    }
  }
  rmdirSync(path);
}

/** Removes groups an earlier benchmark run left behind (its process is gone). */
export function sweepStaleCpuGroups(): void {
  for (const root of [CPU_ROOT, CPUACCT_ROOT]) {
    let names: string[] = [];
    try {
      names = readdirSync(root).filter((name) => name.startsWith(PREFIX));
    } catch {
      continue;
    }
    for (const name of names) {
      const owner = Number(/^vsa-bench-(\d+)-/.exec(name)?.[1]);
      if (!Number.isInteger(owner) || alive(owner)) continue;
      try {
        moveOutAndRemove(root, join(root, name));
      } catch {
        // still busy: a later run tries again
      }
    }
  }
}

let counter = 0;

export function createCpuGroup(label: string, share: number): CpuGroup {
  if (!(share > 0) || share > 64) throw new Error(`a CPU share is > 0 and <= 64 (got ${share})`);
  if (!/^[a-z0-9-]{1,40}$/.test(label)) throw new Error(`unexpected cgroup label ${label}`);
  counter += 1;
  const name = `${PREFIX}${process.pid}-${counter}-${label}`;
  const quotaUs = Math.round(share * PERIOD_US);
  const cpuPath = join(CPU_ROOT, name);
  mkdirSync(cpuPath);
  writeFileSync(join(cpuPath, 'cpu.cfs_period_us'), String(PERIOD_US));
  writeFileSync(join(cpuPath, 'cpu.cfs_quota_us'), String(quotaUs));
  // A high weight against the machine's other load (weight 1024 each): the quota is
  // then the group's floor as well as its ceiling, while the quotas fit the cores.
  writeFileSync(join(cpuPath, 'cpu.shares'), String(CPU_SHARES));
  let acctPath: string | null = join(CPUACCT_ROOT, name);
  try {
    mkdirSync(acctPath);
  } catch {
    acctPath = null; // cpuacct not mounted separately (or joined with cpu): no CPU count
  }
  let disposed = false;
  const procsFiles = [cpuPath, ...(acctPath ? [acctPath] : [])].map((path) =>
    join(path, 'cgroup.procs'),
  );
  return {
    name,
    share,
    quotaUs,
    throttling() {
      const stat = readFileSync(join(cpuPath, 'cpu.stat'), 'utf8');
      const field = (key: string): number =>
        Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(stat)?.[1] ?? NaN);
      return { periods: field('nr_periods'), throttled: field('nr_throttled') };
    },
    cpuSeconds() {
      if (!acctPath) return null;
      return Number(readFileSync(join(acctPath, 'cpuacct.usage'), 'utf8').trim()) / 1e9;
    },
    spawn(command, args, options = {}) {
      // "$@" after the script: the command and its arguments, never parsed by the shell
      const script = `${procsFiles.map((file) => `echo $$ > '${file}' &&`).join(' ')} exec "$@"`;
      return spawn('/bin/sh', ['-c', script, 'sh', command, ...args], options);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      moveOutAndRemove(CPU_ROOT, cpuPath);
      if (acctPath) moveOutAndRemove(CPUACCT_ROOT, acctPath);
    },
  };
}
