/**
 * Entry point of the vaultstore-admin bundle (out/cli/vaultstore-admin.mjs).
 * Sets the exit code and lets Node exit on its own once every worker and
 * handle is released; a watchdog reports (and ends) a process that would hang.
 */
import { keepYoungGenerationSmall, shareBuiltinsWithWorkers } from '../engine/index.js';
import { runCli } from './cli.js';
import { processIo } from './io.js';
import { printTimingsIfAsked } from './timings.js';

// The engine runs on this thread: a rotation's steady allocation would grow the heap ~10x its live size.
keepYoungGenerationSmall();
// Before any crypto worker starts: no copy of V8's builtins per worker.
shareBuiltinsWithWorkers();
// Opt-in (npm run bench): start-up ends here, every module loaded.
printTimingsIfAsked(process.env, process.stderr, (listener) => process.on('exit', listener));

const EXIT_WATCHDOG_MS = 10_000;

// A reader that goes away (`... --json | head -1`) or a terminal that hung up
// (SSH disconnect: writes fail with EIO) must not crash a rotation mid-way:
// the job goes on (or cancels on SIGHUP), its output is dropped.
const GONE_READER = new Set(['EPIPE', 'EIO']);
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (!GONE_READER.has(error.code ?? '')) throw error;
  });
}

const exitCode = await runCli(process.argv.slice(2), {
  io: processIo(),
  signals: process,
  exit: (code) => process.exit(code),
});
process.exitCode = exitCode;

const watchdog = setTimeout(() => {
  process.stderr.write(
    'warning: vaultstore-admin did not release its resources after finishing; exiting.\n',
  );
  process.exit(exitCode);
}, EXIT_WATCHDOG_MS);
watchdog.unref();
