/**
 * Start-up of the CLI, two bundles side by side: runs `--version` and `info`
 * on a vault N times each, alternating the bundles, and prints the median wall
 * time of each (whole processes, started directly) with the share of the
 * machine other processes used in 3 s windows before and after (the runs'
 * own children would count as "other" during them).
 * Usage: node --import tsx bench/startup-timing.ts <before.mjs> <after.mjs> <vault> [N]
 */
import { spawnSync } from 'node:child_process';
import { SectionCpuMeter } from './cpu-share.js';

function wallMs(entry: string, args: readonly string[]): number {
  const startedAt = process.hrtime.bigint();
  const run = spawnSync(process.execPath, [entry, ...args], { stdio: 'ignore' });
  if (run.status !== 0) throw new Error(`${entry} ${args.join(' ')} exited with ${run.status}`);
  return Number(process.hrtime.bigint() - startedAt) / 1e6;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

const [before, after, vault, times = '15'] = process.argv.slice(2);
if (!before || !after || !vault) {
  throw new Error('usage: startup-timing.ts <before.mjs> <after.mjs> <vault> [N]');
}
const meter = new SectionCpuMeter();
const idleShare = async (name: string): Promise<string> => {
  meter.start(name);
  await new Promise((resolveWait) => setTimeout(resolveWait, 3000));
  meter.end();
  return `${((meter.otherShare[name] ?? 0) * 100).toFixed(0)}%`;
};
const loadBefore = await idleShare('before');
for (const args of [['--version'], ['info', vault, '--json']]) {
  const samples: Record<'before' | 'after', number[]> = { before: [], after: [] };
  for (let i = 0; i < Number(times); i++) {
    samples.before.push(wallMs(before, args));
    samples.after.push(wallMs(after, args));
  }
  const [b, a] = [median(samples.before), median(samples.after)];
  process.stdout.write(
    `${args[0]}: before ${b.toFixed(0)} ms, after ${a.toFixed(0)} ms (median of ${times}), ` +
      `after/before ${(a / b).toFixed(2)}\n`,
  );
}
process.stdout.write(
  `other processes used ${loadBefore} of the cores before, ${await idleShare('after')} after\n`,
);
