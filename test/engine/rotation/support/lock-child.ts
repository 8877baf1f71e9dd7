/**
 * A second process for the rotation-lock tests (bundled by the test, or run with `node --import tsx`).
 *
 *   lock-child.ts hold <vault> <tool>
 *     acquires the lock, prints {"type":"acquired",...} and holds it until
 *     killed (or until stdin closes, then releases it and exits).
 *   lock-child.ts race <vault> <go-at-epoch-ms>
 *     waits until the given time (so that racers start together), tries
 *     once, prints {"type":"acquired",...} or {"type":"refused",...}, then
 *     holds a won lock until stdin closes.
 */
import {
  acquireRotationLock,
  type RotationLock,
} from '../../../../src/engine/rotation/state/rotation-lock.js';
import { isEngineError } from '../../../../src/engine/errors.js';

const [mode, vault, arg] = process.argv.slice(2);
if (!vault || (mode !== 'hold' && mode !== 'race')) {
  process.stderr.write('usage: lock-child.ts hold|race <vault> <tool|go-at>\n');
  process.exit(2);
}

function print(value: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

function holdUntilStdinCloses(lock: RotationLock): void {
  process.stdin.resume();
  process.stdin.on('end', () => {
    lock.release();
    process.exit(0);
  });
}

function attempt(tool: string): void {
  try {
    const lock = acquireRotationLock(vault as string, { tool });
    print({
      type: 'acquired',
      pid: process.pid,
      token: lock.holder.token,
      note: lock.note ?? null,
    });
    holdUntilStdinCloses(lock);
  } catch (error) {
    print({
      type: 'refused',
      pid: process.pid,
      code: isEngineError(error) ? error.code : 'UNEXPECTED',
      message: error instanceof Error ? error.message : String(error),
    });
    process.exit(0);
  }
}

if (mode === 'hold') {
  attempt(arg ?? 'child');
} else {
  const goAt = Number(arg);
  // Sleep, then busy-wait the last milliseconds: timers are too coarse to line two processes up.
  setTimeout(
    () => {
      while (Date.now() < goAt) {
        // spin
      }
      attempt('racer');
    },
    Math.max(0, goAt - Date.now() - 30),
  );
}
