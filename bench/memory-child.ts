/**
 * The memory benchmark's child process (out/cli/memory-child.mjs): rotates one
 * vault and prints its report. An entry of its own, so that its start-up RSS
 * is the engine's, as in the CLI, not the whole benchmark's (servers, pg,
 * mysql2). A server vault's password comes on stdin.
 * Usage: node memory-child.mjs <vault.db | connection string> [checkpoint dir]
 */
import { buffer } from 'node:stream/consumers';
import {
  isServerTarget,
  keepYoungGenerationSmall,
  shareBuiltinsWithWorkers,
} from '../src/engine/index.js';
import { runMemoryChild } from './memory-bench.js';

// As the CLI does (src/cli/main.ts): the engine runs on this thread.
keepYoungGenerationSmall();
shareBuiltinsWithWorkers();
const [vaultPath, checkpointDir] = process.argv.slice(2);
if (!vaultPath) throw new Error('usage: memory-child.mjs <vault> [checkpoint dir]');
const password = isServerTarget(vaultPath) ? new Uint8Array(await buffer(process.stdin)) : null;
await runMemoryChild({
  vaultPath,
  ...(password && { serverPassword: password }),
  ...(checkpointDir && { checkpointDir }),
});
