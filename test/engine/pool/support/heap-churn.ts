/**
 * Run in a child process by young-generation.test.ts: allocates steadily, as
 * a rotation's host thread does (short-lived objects, a few thousand alive
 * at a time), and prints the peak size of its young generation (V8's
 * new_space) in MiB. Node strips the
 * types itself: a loader (tsx) would grow the heap before the churn starts.
 * Usage: node heap-churn.ts [small]
 */
import { getHeapSpaceStatistics } from 'node:v8';
import type * as YoungGenerationModule from '../../../../src/engine/young-generation.js';

type YoungGeneration = typeof YoungGenerationModule;
const source = new URL('../../../../src/engine/young-generation.ts', import.meta.url).href;

if (process.argv[2] === 'small') {
  const { keepYoungGenerationSmall } = (await import(source)) as YoungGeneration;
  keepYoungGenerationSmall();
}
const newSpaceBytes = (): number =>
  getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
const alive: { text: string; pair: number[] }[] = [];
let peak = 0;
for (let i = 0; i < 3_000_000; i++) {
  alive.push({ text: `${'x'.repeat(50)}${i}`, pair: [i, i + 1] });
  if (alive.length > 5000) alive.splice(0, 2500);
  if (i % 10_000 === 0) peak = Math.max(peak, newSpaceBytes());
}
process.stdout.write(`${Math.round(peak / 1024 / 1024)}\n`);
