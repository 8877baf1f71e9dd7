/**
 * A worker and a coordinator writing to the ledger from another machine's
 * clock (the test runs this under libfaketime): reports itself once, beats
 * the rotation's heartbeat once, and prints its own Date.now(). Settings,
 * the database password included, come as one JSON line on stdin.
 */
import { createInterface } from 'node:readline';
import { Ledger } from '../../../../src/engine/distributed/ledger/ledger.js';
import { openVault } from '../../../../src/engine/storage/index.js';

interface ChildSettings {
  readonly url: string;
  readonly password: string;
  readonly rotation: string;
}

const lines = createInterface({ input: process.stdin });
const settings = JSON.parse(
  await new Promise<string>((resolve) => lines.once('line', resolve)),
) as ChildSettings;
lines.close();
const store = await openVault(settings.url, {
  serverPassword: new TextEncoder().encode(settings.password),
});
try {
  const ledger = Ledger.of(store, null);
  await ledger.registerWorker(settings.rotation, {
    worker: 'skewed-worker',
    host: 'skewed-host',
    pool: 1,
    backend: 'native',
    state: 'working',
    records: 0,
    rate: 0,
  });
  await ledger.heartbeat(settings.rotation, 'skewed-coordinator');
  process.stdout.write(`${JSON.stringify({ nowMs: Date.now() })}\n`);
} finally {
  await store.close();
}
