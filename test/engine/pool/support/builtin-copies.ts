/**
 * Run in a child process by builtin-copies.test.ts: starts a worker thread
 * and prints how many executable mappings of the node binary the process
 * gained (V8's per-isolate copy of the builtins' code is one such mapping).
 * Usage: node builtin-copies.ts [shared]
 */
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type * as YoungGenerationModule from '../../../../src/engine/young-generation.js';

type YoungGeneration = typeof YoungGenerationModule;
const source = new URL('../../../../src/engine/young-generation.ts', import.meta.url).href;

if (process.argv[2] === 'shared') {
  const { shareBuiltinsWithWorkers } = (await import(source)) as YoungGeneration;
  shareBuiltinsWithWorkers();
}

/** r-xp mappings of this process's node binary. */
function executableMappings(): number {
  return readFileSync('/proc/self/maps', 'utf8')
    .split('\n')
    .filter((line) => line.endsWith(process.execPath) && line.split(/\s+/)[1] === 'r-xp').length;
}

const before = executableMappings();
const worker = new Worker('require("node:worker_threads").parentPort.postMessage("up")', {
  eval: true,
});
await new Promise((resolve) => worker.once('message', resolve));
const after = executableMappings();
await worker.terminate();
process.stdout.write(`${after - before}\n`);
