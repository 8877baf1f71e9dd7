/**
 * The CPU quota of this process's cgroup, in cores: what a container or a
 * systemd unit limited it to. os.availableParallelism() does not read it
 * (inside a cgroup v1 group held to 1 CPU on a 2-core machine it said 2:
 * docs/performance.md, "Pool size"), so a default pool would start workers
 * that only take turns, each holding its Argon2id memory.
 */
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';

export interface CgroupRoots {
  /** /proc/self/cgroup */
  readonly procSelfCgroup: string;
  /** where cgroup v1's cpu controller is mounted */
  readonly v1Cpu: string;
  /** where the cgroup v2 hierarchy is mounted */
  readonly v2: string;
}

const SYSTEM_ROOTS: CgroupRoots = {
  procSelfCgroup: '/proc/self/cgroup',
  v1Cpu: '/sys/fs/cgroup/cpu',
  v2: '/sys/fs/cgroup',
};

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

/** The group's path and each ancestor's, up to the root ('/'): a limit on any of them applies. */
function withAncestors(path: string): string[] {
  const paths: string[] = [];
  for (let current = posix.normalize(path); ; current = posix.dirname(current)) {
    paths.push(current);
    if (current === '/' || current === '.') return paths;
  }
}

/** quota / period of one group, or null when it has no limit (or no such files). */
function v1Limit(dir: string): number | null {
  const quota = Number(read(join(dir, 'cpu.cfs_quota_us')));
  const period = Number(read(join(dir, 'cpu.cfs_period_us')));
  return quota > 0 && period > 0 ? quota / period : null;
}

function v2Limit(dir: string): number | null {
  const [quota, period] = (read(join(dir, 'cpu.max')) ?? '').split(' ');
  const q = Number(quota);
  const p = Number(period);
  return quota !== 'max' && q > 0 && p > 0 ? q / p : null;
}

/**
 * The tightest CPU limit on this process's group and its ancestors, in
 * cores (e.g. 1.5), or null without one (or where cgroups cannot be read).
 * A container sees its own group as the root of the mount: its files are
 * read there too.
 */
export function cgroupCpuLimit(roots: CgroupRoots = SYSTEM_ROOTS): number | null {
  const lines = read(roots.procSelfCgroup)?.split('\n') ?? [];
  const limits: number[] = [];
  for (const line of lines) {
    // "hierarchy-id:controllers:path"; cgroup v2's line has no controllers
    const match = /^\d+:([^:]*):(\/.*)$/.exec(line);
    if (!match) continue;
    const [, controllers = '', path = '/'] = match;
    const v1 = controllers.split(',').includes('cpu');
    const v2 = controllers === '';
    if (!v1 && !v2) continue;
    const mount = v1 ? roots.v1Cpu : roots.v2;
    const limitOf = v1 ? v1Limit : v2Limit;
    for (const group of withAncestors(path)) {
      const limit = limitOf(join(mount, group));
      if (limit !== null) limits.push(limit);
    }
  }
  return limits.length > 0 ? Math.min(...limits) : null;
}
