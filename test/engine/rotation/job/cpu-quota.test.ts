/**
 * The cgroup CPU quota the default pool size respects
 * (src/engine/rotation/job/cpu-quota.ts): read from real cgroup files laid
 * out in a temporary folder (v1 and v2, limits on the group or an ancestor,
 * a container's view), and from a real process held to 1 CPU by a cgroup v1
 * group (root only; skipped with the reason otherwise).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCpuGroup, cpuCgroupUnavailable } from '../../../../bench/cgroup-cpu.js';
import { cgroupCpuLimit, type CgroupRoots } from '../../../../src/engine/rotation/job/cpu-quota.js';
import { usableCores } from '../../../../src/engine/rotation/job/pool-size.js';
import { makeTempDir, type TempDir } from '../../../support/fixtures.js';

const here = dirname(fileURLToPath(import.meta.url));
let temp: TempDir;
let roots: CgroupRoots;

beforeEach(() => {
  temp = makeTempDir('vsa-cpu-quota-');
  roots = {
    procSelfCgroup: join(temp.path, 'proc-self-cgroup'),
    v1Cpu: join(temp.path, 'sys/fs/cgroup/cpu'),
    v2: join(temp.path, 'sys/fs/cgroup'),
  };
});
afterEach(() => temp.dispose());

function file(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${text}\n`);
}

function v1Group(group: string, quota: number, period = 100_000): void {
  file(join(roots.v1Cpu, group, 'cpu.cfs_quota_us'), String(quota));
  file(join(roots.v1Cpu, group, 'cpu.cfs_period_us'), String(period));
}

describe('cgroupCpuLimit', () => {
  it('reads a cgroup v1 quota of the group, and the tightest of its ancestors', () => {
    file(roots.procSelfCgroup, '4:memory:/x\n1:cpu,cpuacct:/jobs/rotate\n0::/');
    v1Group('/', -1);
    v1Group('/jobs', -1);
    v1Group('/jobs/rotate', 150_000);
    expect(cgroupCpuLimit(roots)).toBe(1.5);
    v1Group('/jobs', 50_000);
    expect(cgroupCpuLimit(roots)).toBe(0.5);
  });

  it('reads cgroup v2 cpu.max, and "max" as no limit', () => {
    file(roots.procSelfCgroup, '0::/app.slice/rotate.service');
    file(join(roots.v2, 'app.slice/rotate.service/cpu.max'), 'max 100000');
    expect(cgroupCpuLimit(roots)).toBeNull();
    file(join(roots.v2, 'app.slice/cpu.max'), '200000 100000');
    expect(cgroupCpuLimit(roots)).toBe(2);
  });

  it("reads a container's limit at the mount's root when its host path is not mounted", () => {
    file(roots.procSelfCgroup, '1:cpu:/kubepods/pod1/abc');
    v1Group('/', 100_000);
    expect(cgroupCpuLimit(roots)).toBe(1);
  });

  it('says null without a limit or without cgroup files', () => {
    file(roots.procSelfCgroup, '1:cpu:/\n0::/');
    v1Group('/', -1);
    expect(cgroupCpuLimit(roots)).toBeNull();
    expect(cgroupCpuLimit({ ...roots, procSelfCgroup: join(temp.path, 'absent') })).toBeNull();
  });
});

describe('usableCores', () => {
  it('is the available cores, or the quota rounded up when it is lower', () => {
    expect(usableCores(8, null)).toBe(8);
    expect(usableCores(8, 1)).toBe(1);
    expect(usableCores(8, 1.5)).toBe(2);
    expect(usableCores(8, 0.15)).toBe(1);
    expect(usableCores(2, 16)).toBe(2);
  });
});

const unavailable = cpuCgroupUnavailable();
if (unavailable) console.warn(`[skip] usable cores in a real cgroup: ${unavailable}`);

describe.skipIf(unavailable)('in a real cgroup v1 group held to 1 CPU', () => {
  it('the engine counts 1 usable core, whatever os.availableParallelism() says', async () => {
    const group = createCpuGroup('quota-test', 1);
    try {
      const child = group.spawn(
        process.execPath,
        ['--import', 'tsx', join(here, 'support/usable-cores-child.ts')],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(0);
      expect(JSON.parse(output)).toMatchObject({ limit: 1, usable: 1 });
    } finally {
      group.dispose();
    }
  });
});
