/** The small Electron-free helpers of main: errors, recent vaults, OS feedback (driver choice: packaging.test.ts). */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/errors.js';
import type { RotationProgress, RotationResult } from '../../src/engine/rotation/types.js';
import { toIpcError } from '../../src/main/common/ipc-errors.js';
import {
  distributedProgressBarValue,
  errorNotification,
  NOTIFY_AFTER_MS,
  progressBarValue,
  resultNotification,
  shouldNotify,
  stopRotationText,
} from '../../src/main/host/job-feedback.js';
import { RECENT_QUEUES_FILE, RecentQueues } from '../../src/main/host/recent-queues.js';
import type { DistributedProgress } from '../../src/shared/ipc-contract.js';
import {
  MAX_RECENT_VAULTS,
  RECENT_VAULTS_FILE,
  RecentVaults,
} from '../../src/main/host/recent-vaults.js';
import { makeTempDir, type TempDir } from '../support/fixtures.js';

let temp: TempDir;
beforeEach(() => {
  temp = makeTempDir('vsa-helpers-');
});
afterEach(() => temp.dispose());

describe('toIpcError', () => {
  it('keeps an EngineError code and message', () => {
    const error = new EngineError(
      'LOCKED',
      'The vault is locked by another program. Close it and try again.',
    );
    expect(toIpcError(error)).toEqual({ code: 'LOCKED', message: error.message });
  });

  it('marks anything else INTERNAL with a short detail', () => {
    const ipc = toIpcError(new TypeError(`boom ${'x'.repeat(1000)}`));
    expect(ipc.code).toBe('INTERNAL');
    expect(ipc.message).toContain('TypeError: boom');
    expect(ipc.message.length).toBeLessThan(500);
    expect(toIpcError('plain string').message).toContain('plain string');
  });
});

describe('RecentVaults', () => {
  it('keeps at most the last ten paths, most recent first, in a JSON file', () => {
    const recent = new RecentVaults(join(temp.path, 'data'));
    expect(recent.list()).toEqual([]);
    for (let i = 0; i < MAX_RECENT_VAULTS + 3; i++) recent.remember(`/vaults/${i}.db`);
    recent.remember('/vaults/5.db');
    const expected = [
      '/vaults/5.db',
      '/vaults/12.db',
      '/vaults/11.db',
      '/vaults/10.db',
      '/vaults/9.db',
    ];
    expect(recent.list().slice(0, 5)).toEqual(expected);
    expect(recent.list()).toHaveLength(MAX_RECENT_VAULTS);
    expect(new Set(recent.list()).size).toBe(MAX_RECENT_VAULTS);
    const file: unknown = JSON.parse(
      readFileSync(join(temp.path, 'data', RECENT_VAULTS_FILE), 'utf8'),
    );
    expect(file).toEqual({ version: 1, paths: recent.list() });
    recent.forget('/vaults/5.db');
    expect(recent.list()[0]).toBe('/vaults/12.db');
  });

  it('reads a damaged file as empty and repairs it on the next write', () => {
    mkdirSync(join(temp.path, 'data'));
    writeFileSync(join(temp.path, 'data', RECENT_VAULTS_FILE), '{ not json');
    const recent = new RecentVaults(join(temp.path, 'data'));
    expect(recent.list()).toEqual([]);
    recent.remember('/v.db');
    expect(new RecentVaults(join(temp.path, 'data')).list()).toEqual(['/v.db']);
  });
});

const progress = (overrides: Partial<RotationProgress>): RotationProgress => ({
  phase: 'rotating',
  total: 200,
  scanned: 50,
  rotated: 40,
  skipped: 10,
  failed: 0,
  bytes: 1000,
  ratePerSecond: 100,
  elapsedMs: 500,
  etaMs: 1500,
  ...overrides,
});

const result = (overrides: Partial<RotationResult>): RotationResult => ({
  status: 'completed',
  table: 'vault',
  dryRun: false,
  scanned: 200,
  rotated: 150,
  skipped: 50,
  failed: 0,
  failures: [],
  seconds: 12,
  backupPath: null,
  checkpointPath: null,
  derivations: 340,
  ...overrides,
});

describe('OS feedback', () => {
  it('task bar progress follows scanned of total, indeterminate before scanning starts', () => {
    expect(progressBarValue(progress({}))).toBe(0.25);
    expect(progressBarValue(progress({ scanned: 200 }))).toBe(1);
    expect(progressBarValue(progress({ phase: 'backing-up', scanned: 0 }))).toBe(2);
    expect(progressBarValue(progress({ total: 0, scanned: 0 }))).toBe(2);
  });

  it('notifies only for rotations that took a while', () => {
    expect(shouldNotify(1000, 1000 + NOTIFY_AFTER_MS - 1)).toBe(false);
    expect(shouldNotify(1000, 1000 + NOTIFY_AFTER_MS)).toBe(true);
  });

  it('says what happened in counts and the file name only', () => {
    expect(resultNotification('prod.db', result({}))).toEqual({
      title: 'Password rotation finished',
      body: 'prod.db: 150 records rotated, 50 skipped, 0 failed.',
    });
    expect(
      resultNotification('prod.db', result({ status: 'cancelled', rotated: 1 })).body,
    ).toContain('1 record rotated');
    expect(resultNotification('prod.db', result({ status: 'cancelled' })).body).toContain('resume');
    expect(
      resultNotification('prod.db', result({ status: 'nothing-opened', rotated: 0 })).title,
    ).toContain('nothing');
    expect(
      resultNotification(
        'prod.db',
        result({
          status: 'nothing-opened',
          rotated: 0,
          newPasswordSample: { sampled: 8, opened: 8 },
        }),
      ).title,
    ).toBe('This vault looks already rotated');
    expect(resultNotification('prod.db', result({ dryRun: true })).title).toBe('Dry run finished');
    expect(errorNotification('prod.db', { code: 'LOCKED', message: 'Locked.' })).toEqual({
      title: 'Password rotation stopped',
      body: 'prod.db: Locked.',
    });
  });
});

describe('a distributed rotation in the OS and the recent list', () => {
  const distributed = (extra: Partial<DistributedProgress>): DistributedProgress => ({
    rotation: 'r1',
    phase: 'pass',
    round: 0,
    total: 400,
    scanned: 100,
    rotated: 90,
    skipped: 10,
    failed: 0,
    shards: 8,
    shardsDone: 2,
    workers: [],
    failing: [],
    ...extra,
  });

  it('task bar progress is the whole rotation, indeterminate while it is planned', () => {
    expect(distributedProgressBarValue(distributed({}))).toBe(0.25);
    expect(distributedProgressBarValue(distributed({ phase: 'sweep', scanned: 420 }))).toBe(1);
    expect(distributedProgressBarValue(distributed({ phase: 'planning' }))).toBe(2);
    expect(distributedProgressBarValue(distributed({ total: 0, scanned: 0 }))).toBe(2);
  });

  it('quitting asks about every worker when the app coordinates', () => {
    expect(stopRotationText(true).message).toMatch(/distributed rotation.*every machine/);
    expect(stopRotationText(true).detail).toMatch(/resume/);
    expect(stopRotationText(false).message).toMatch(/Stop it and quit\?/);
  });

  it('remembers queues newest first, never a password, and drops entries that no longer validate', () => {
    const queues = new RecentQueues(temp.path);
    const secret = 'Queue-Secret-77a1';
    // What the form sends: the request with its password.
    const typed = { url: 'rediss://q1.example:6380/0', caFile: null, password: secret };
    queues.remember(typed);
    queues.remember({ url: 'redis://127.0.0.1:6379/1', caFile: null });
    queues.remember({ url: 'rediss://q1.example:6380/0', caFile: '/etc/ssl/q.pem' });
    expect(queues.list()).toEqual([
      { url: 'rediss://q1.example:6380/0', caFile: '/etc/ssl/q.pem' },
      { url: 'redis://127.0.0.1:6379/1', caFile: null },
    ]);
    const file = join(temp.path, RECENT_QUEUES_FILE);
    expect(readFileSync(file, 'utf8')).not.toContain(secret);
    // Another program wrote a password into the URL, or another scheme: those entries are dropped.
    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        queues: [
          { url: `redis://:${secret}@h:6379`, caFile: null },
          { url: 'http://h:6379', caFile: null },
          { url: 'redis://h:6379/2', caFile: null },
        ],
      }),
    );
    expect(queues.list()).toEqual([{ url: 'redis://h:6379/2', caFile: null }]);
  });
});
