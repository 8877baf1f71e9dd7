/**
 * A distributed-rotation worker in its own process (`node --import tsx
 * worker-child.ts`): its settings, passwords included, come as one JSON line
 * on stdin (never argv or env). Prints one JSON line per worker event and
 * {"event":"outcome",...} or {"event":"error","code":...} at the end.
 */
import { createInterface } from 'node:readline';
import { serveRotation } from '../../../../src/engine/distributed/index.js';

interface ChildSettings {
  readonly vaultUrl: string;
  readonly dbPassword: string;
  readonly table: string;
  readonly queueUrl: string;
  readonly queuePassword: string;
  readonly queueName: string;
  readonly oldPassword: string;
  readonly newPassword: string;
  readonly workers: number;
  readonly batchSize: number;
}

const say = (line: object): void => void process.stdout.write(`${JSON.stringify(line)}\n`);
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

const lines = createInterface({ input: process.stdin });
const settings = JSON.parse(
  await new Promise<string>((resolve) => lines.once('line', resolve)),
) as ChildSettings;
lines.close();
const stop = new AbortController();
process.once('SIGTERM', () => stop.abort());
try {
  const outcome = await serveRotation({
    target: {
      vaultPath: settings.vaultUrl,
      table: settings.table,
      open: { serverPassword: bytes(settings.dbPassword) },
    },
    queue: {
      url: settings.queueUrl,
      name: settings.queueName,
      password: bytes(settings.queuePassword),
    },
    oldPassword: bytes(settings.oldPassword),
    newPassword: bytes(settings.newPassword),
    workers: settings.workers,
    batchSize: settings.batchSize,
    signal: stop.signal,
    onEvent: (event) => say({ event: 'worker', detail: event }),
  });
  say({ event: 'outcome', outcome });
} catch (error) {
  say({ event: 'error', code: (error as { code?: string }).code ?? 'UNKNOWN' });
  process.exitCode = 3;
}
