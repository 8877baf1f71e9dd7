/**
 * The distributed benchmark's CPU groups (bench/cgroup-cpu.ts): a process
 * started in a group is in it from its first instruction, its quota holds it
 * back (the kernel counts the periods it was throttled in: no clock involved),
 * its CPU time is counted, and the group is gone after dispose().
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CPU_ROOT,
  createCpuGroup,
  cpuCgroupUnavailable,
  type CpuGroup,
} from '../../bench/cgroup-cpu.js';

const unavailable = cpuCgroupUnavailable();
if (unavailable) console.warn(`[skip] cgroup CPU runner: ${unavailable}`);

/** Burns `ms` of its own CPU time (not wall time), after printing its cgroups. */
const BURN = (ms: number): string =>
  `process.stdout.write(require('fs').readFileSync('/proc/self/cgroup','utf8'));` +
  `const end=${ms * 1000};let x=0;` +
  `while(process.cpuUsage().user+process.cpuUsage().system<end){x+=Math.sqrt(x+1)}`;

describe.skipIf(unavailable)('cgroup v1 CPU runner', () => {
  let group: CpuGroup | null = null;
  afterEach(() => group?.dispose());

  it('holds a process to its share from its first instruction, and counts its CPU', async () => {
    group = createCpuGroup('test', 0.15);
    expect(readFileSync(join(CPU_ROOT, group.name, 'cpu.cfs_quota_us'), 'utf8').trim()).toBe(
      '15000',
    );
    expect(readFileSync(join(CPU_ROOT, group.name, 'cpu.cfs_period_us'), 'utf8').trim()).toBe(
      '100000',
    );
    expect(readFileSync(join(CPU_ROOT, group.name, 'cpu.shares'), 'utf8').trim()).toBe('8192');
    const child = group.spawn(process.execPath, ['-e', BURN(200)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(output).toMatch(new RegExp(`^\\d+:cpu:/${group.name}$`, 'm'));
    // 200 ms of CPU at 15 ms per 100 ms period cannot fit in fewer than 14 periods
    // (on a loaded machine it may get less than its quota in some: throttled in fewer)
    const { periods, throttled } = group.throttling();
    expect(periods).toBeGreaterThanOrEqual(13);
    expect(throttled).toBeGreaterThanOrEqual(1);
    const cpu = group.cpuSeconds();
    if (cpu !== null) expect(cpu).toBeGreaterThanOrEqual(0.2);
    const path = join(CPU_ROOT, group.name);
    group.dispose();
    expect(existsSync(path)).toBe(false);
  });
});
