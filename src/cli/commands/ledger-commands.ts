/**
 * `vaultstore-admin status` and `cancel`: read or stop a distributed rotation
 * through its ledger in the vault's database (no Redis, no vault password).
 */
import { cancelRotation, readRotationStatus, type DistributedStatus } from '../../engine/index.js';
import { CliError } from '../cli-error.js';
import type { CancelArgs, LedgerArgs, StatusArgs } from '../distributed-args.js';
import { readDistributedLogin } from '../distributed-login.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { formatCount, formatDuration, formatTable, percentOf } from '../format.js';
import { writeJsonLine, writeLine, type CliIo } from '../io.js';
import { printable } from '../terminal-text.js';

/** "3s ago" from a time in ms since the epoch, against `now`. */
function ago(ms: number | null, now: number): string {
  return ms === null ? 'never' : `${formatDuration(Math.max(0, now - ms))} ago`;
}

/** " 2 failing, retried by the queue: 3 (CONNECTION_LOST), 7 (QUEUE_UNREACHABLE)." or "" */
export function failingText(failing: readonly { shard: number; code: string }[]): string {
  if (failing.length === 0) return '';
  const each = failing.map((failure) => `${failure.shard} (${printable(failure.code)})`);
  return ` ${failing.length} failing, retried by the queue: ${each.join(', ')}.`;
}

export function statusText(status: DistributedStatus, now: number): string[] {
  const { counts } = status;
  const percent = percentOf(counts.scanned, status.rowsAtStart).toFixed(0);
  const lines = [
    `Distributed rotation ${printable(status.rotation)} of table ${printable(status.table)}: ${status.state}` +
      `${status.round > 0 ? ` (sweep round ${status.round})` : ''}, started ${new Date(status.startedMs).toISOString()}.`,
    `  Records: ${formatCount(counts.scanned)} of ${formatCount(status.rowsAtStart)} (${percent}%): ` +
      `${formatCount(counts.rotated)} rotated, ${formatCount(counts.skipped)} did not open, ` +
      `${formatCount(counts.failed)} failed.`,
    `  Shards: ${formatCount(status.shardsDone)} of ${formatCount(status.shards)} done.` +
      failingText(status.failing),
    `  Coordinator: ${status.coordinator === null ? 'none' : `${printable(status.coordinator)}, last seen ${ago(status.heartbeatMs, now)}`}.`,
  ];
  if (status.workers.length === 0) {
    lines.push('  Workers: none has joined.');
  } else {
    lines.push('  Workers:');
    const header = ['worker', 'host', 'pool', 'argon2', 'state', 'records', 'rate/s', 'last seen'];
    const rows = status.workers.map((worker) => [
      printable(worker.worker),
      printable(worker.host),
      String(worker.pool),
      printable(worker.backend),
      printable(worker.state),
      formatCount(worker.records),
      worker.rate.toFixed(1),
      ago(worker.lastSeenMs, now),
    ]);
    lines.push(...formatTable([header, ...rows]).map((line) => `    ${line}`));
  }
  return lines;
}

async function withLedger<T>(
  args: LedgerArgs,
  io: CliIo,
  command: string,
  run: (target: Parameters<typeof readRotationStatus>[0]) => Promise<T>,
): Promise<T> {
  const login = await readDistributedLogin(args, io, command);
  try {
    return await run(login.target);
  } finally {
    login.dispose();
  }
}

function noRotation(args: LedgerArgs): string {
  return `No distributed rotation of table ${printable(args.table)} in the ledger${args.ledgerSchema === undefined ? '' : ` (schema ${printable(args.ledgerSchema)})`}.`;
}

export async function runStatus(args: StatusArgs, io: CliIo): Promise<ExitCode> {
  const status = await withLedger(args, io, 'status', readRotationStatus);
  if (args.json) writeJsonLine(io.stdout, { type: 'status', rotation: status });
  else if (status === null) writeLine(io.stdout, noRotation(args));
  else for (const line of statusText(status, Date.now())) writeLine(io.stdout, line);
  return EXIT.ok;
}

export async function runCancel(args: CancelArgs, io: CliIo): Promise<ExitCode> {
  const status = await withLedger(args, io, 'cancel', cancelRotation);
  if (status === null) throw new CliError(EXIT.error, `${noRotation(args)} Nothing to cancel.`);
  if (args.json) writeJsonLine(io.stdout, { type: 'status', rotation: status });
  else {
    writeLine(
      io.stdout,
      status.state === 'cancelled'
        ? 'Cancelled: every worker stops within about a second; committed batches are kept. ' +
            'rotate --queue --resume continues it.'
        : `The rotation had already ended (${status.state}): nothing to cancel.`,
    );
    for (const line of statusText(status, Date.now())) writeLine(io.stdout, line);
  }
  return EXIT.ok;
}
