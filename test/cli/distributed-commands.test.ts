/**
 * What worker, status and cancel print and exit with, from the engine's
 * outcome and the ledger's status: exit codes per state, event lines, the
 * status table with text from the ledger escaped.
 */
import { ARGON2_PRESETS } from '../../src/core/argon2.js';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/cli/args.js';
import { statusText } from '../../src/cli/commands/ledger-commands.js';
import { completedText } from '../../src/cli/commands/rotate-report.js';
import { workerEventText, workerExitCode } from '../../src/cli/commands/worker.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import type { DistributedStatus, RotationResult, WorkerOutcome } from '../../src/engine/index.js';

function outcome(state: WorkerOutcome['state']): WorkerOutcome {
  return { rotation: 'r1', state, shardsRun: 3, records: 120 };
}

describe('worker', () => {
  it('exits 0 once the rotation is over, 6 incomplete, 3 cancelled or stopped, 1 failed', () => {
    expect(workerExitCode(outcome('completed'))).toBe(EXIT.ok);
    expect(workerExitCode(outcome('finished'))).toBe(EXIT.ok);
    expect(workerExitCode(outcome('incomplete'))).toBe(EXIT.incomplete);
    expect(workerExitCode(outcome('cancelled'))).toBe(EXIT.cancelled);
    expect(workerExitCode(outcome(null))).toBe(EXIT.cancelled);
    expect(workerExitCode(outcome('running'))).toBe(EXIT.cancelled);
    expect(workerExitCode(outcome('failed'))).toBe(EXIT.error);
  });

  it('says what each event means, ids from the ledger escaped', () => {
    expect(workerEventText({ type: 'waiting' })).toMatch(/^Waiting for a rotation/);
    expect(
      workerEventText({ type: 'joined', rotation: 'r\x1b[31m1', worker: 'host:1:ab' }),
    ).not.toContain('\x1b');
    expect(
      workerEventText({
        type: 'shard',
        shard: 4,
        phase: 'sweep',
        round: 2,
        outcome: 'fenced',
        scanned: 1234,
      }),
    ).toBe('Shard 4 (sweep round 2): fenced, 1,234 records.');
    expect(workerEventText({ type: 'left', state: null })).toBe('Left.');
  });
});

describe('status', () => {
  const status: DistributedStatus = {
    rotation: 'rot-1',
    table: 'public.vault',
    state: 'running',
    round: 1,
    rowsAtStart: 2000,
    shards: 16,
    shardsDone: 9,
    counts: {
      scanned: 1000,
      opened: 700,
      rotated: 690,
      skipped: 300,
      failed: 10,
      changed: 2,
      bytes: 0,
      derivations: 1000,
      sweepExamined: 0,
      sweepRotated: 0,
      sweepFailed: 0,
    },
    coordinator: 'db-1:42:aa',
    heartbeatMs: 1_000_000,
    startedMs: 0,
    openConfig: ARGON2_PRESETS.tiny,
    writeConfig: ARGON2_PRESETS.tiny,
    includeSoftDeleted: false,
    workers: [
      {
        worker: 'evil\u202e:1',
        host: 'evil\x1b[2J',
        pool: 4,
        backend: 'native',
        state: 'active',
        records: 500,
        rate: 12.34,
        lastSeenMs: 998_000,
      },
    ],
    failing: [{ shard: 3, code: 'CONNECTION_LOST' }],
  };

  it('state, counts, shards, coordinator and one row per worker, escaped', () => {
    const lines = statusText(status, 1_002_000);
    expect(lines[0]).toBe(
      'Distributed rotation rot-1 of table public.vault: running (sweep round 1), started 1970-01-01T00:00:00.000Z.',
    );
    expect(lines[1]).toBe(
      '  Records: 1,000 of 2,000 (50%): 690 rotated, 300 did not open, 10 failed.',
    );
    expect(lines[2]).toBe(
      '  Shards: 9 of 16 done. 1 failing, retried by the queue: 3 (CONNECTION_LOST).',
    );
    expect(lines[3]).toBe('  Coordinator: db-1:42:aa, last seen 2.0s ago.');
    const table = lines.slice(5).join('\n');
    expect(table).toMatch(/native\s+active\s+500\s+12\.3\s+4\.0s ago/);
    expect(table).not.toContain('\x1b');
    expect(table).not.toContain('\u202e');
  });
});

describe('the summary of a distributed rotation', () => {
  it('says the table was re-read (a server), once', () => {
    const invocation = parseCommandLine([
      'rotate',
      'postgres://admin@db.example/app',
      '--table',
      'vault',
      '--queue',
      'redis://localhost',
    ]);
    if (invocation.command !== 'rotate') throw new Error('not rotate');
    const result = {
      status: 'completed',
      table: 'public.vault',
      dryRun: false,
      scanned: 2000,
      rotated: 1600,
      skipped: 400,
      failed: 0,
      failures: [],
      seconds: 1.4,
      backupPath: null,
      checkpointPath: null,
      derivations: 3300,
      coverage: { rowsAtStart: 2000, visited: 2000, foreignWrites: false },
      sweep: { rounds: 1, examined: 0, changed: 0, inserted: 0, deleted: 0, rotated: 0 },
      distributed: { rotation: 'r', shards: 16, sweepRounds: 1, workers: [] },
    } as unknown as RotationResult;
    const lines = completedText(invocation.args, result);
    expect(lines.filter((line) => line.startsWith('Checked:'))).toEqual([
      'Checked: every one of the 2,000 records in scope was visited exactly once. A database server cannot tell whether other programs wrote during the run, so the table was re-read after the main pass: 0 record(s) changed and 0 added since were re-examined in 1 sweep(s) and 0 rotated; 0 record(s) were deleted.',
    ]);
    expect(lines.join('\n')).not.toContain('Another program wrote');
    expect(lines).toContain('No backup was made by this run (the notes say why).');
  });
});
