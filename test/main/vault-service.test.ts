/**
 * VaultService against real vault copies, real engine-host threads, real
 * worker pools and real Argon2id (tiny preset).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RECENT_VAULTS_FILE } from '../../src/main/host/recent-vaults.js';
import { VaultService, type VaultServiceOptions } from '../../src/main/host/vault-service.js';
import type { IpcResult, RecentVault, RotationRequest } from '../../src/shared/ipc-contract.js';
import { expiredNow, makeTempDir, type TempDir } from '../support/fixtures.js';
import { EventLog } from './support/events.js';
import { secretForms } from '../support/passwords.js';
import { sha256File } from '../support/vault-builder.js';
import {
  expectConsistentWithFixture,
  makeVault,
  NEW_PASSWORD,
  OLD_PASSWORD,
  readText,
  type TestVault,
} from './support/vaults.js';

let temp: TempDir;
let service: VaultService;
let log: EventLog;

function startService(options: Partial<VaultServiceOptions> = {}): VaultService {
  // One pool worker: the machine is shared, and these tests are about the shell, not throughput.
  service = new VaultService({ dataDir: join(temp.path, 'app-data'), workers: 1, ...options });
  log = new EventLog(service);
  return service;
}

function rotation(vault: TestVault, overrides: Partial<RotationRequest> = {}): RotationRequest {
  return {
    vault: chosen(vault.path),
    table: vault.table,
    oldPassword: OLD_PASSWORD,
    newPassword: NEW_PASSWORD,
    crypto: { preset: 'tiny' },
    includeSoftDeleted: true,
    backup: false,
    dryRun: false,
    resume: false,
    ...overrides,
  };
}

function paths(result: IpcResult<RecentVault[]>): string[] {
  return valueOf(result).map((entry) => entry.path);
}

/** The handle of a vault the user chose (as the open dialog would give it). */
function chosen(path: string): string {
  return valueOf(service.chooseVault(path));
}

function valueOf<T>(result: IpcResult<T>): T {
  if (!result.ok)
    throw new Error(`expected success, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

function errorOf<T>(result: IpcResult<T>): { code: string; message: string } {
  if (result.ok) throw new Error('expected an error');
  return result.error;
}

/** Starts a rotation and cancels it once a few batches are committed. */
async function startAndCancelMidway(vault: TestVault, overrides: Partial<RotationRequest> = {}) {
  const { jobId } = valueOf(await service.startRotation(rotation(vault, overrides)));
  await log.waitFor(jobId, (event) => event.type === 'progress' && event.progress.rotated >= 16);
  valueOf(await service.cancelJob(jobId));
  const final = await log.final(jobId);
  if (final.type !== 'result') throw new Error(`expected a result, got ${JSON.stringify(final)}`);
  return { jobId, result: final.result };
}

beforeEach(() => {
  temp = makeTempDir('vsa-service-');
});

afterEach(async () => {
  await service?.dispose();
  log?.dispose();
  temp.dispose();
});

describe('VaultService', () => {
  it('opens a vault: file facts, tables with counts, driver, nothing to resume', async () => {
    const vault = makeVault(temp.path);
    startService();
    const summary = valueOf(await service.openChosenPath(vault.path));
    expect(summary.path).toBe(vault.path);
    expect(summary.fileName).toBe('tiny200.db');
    expect(summary.fileSizeBytes).toBeGreaterThan(0);
    expect(summary.driver).toBe('better-sqlite3');
    expect(summary.unfinishedRotations).toEqual([]);
    expect(summary.checkpointProblem).toBeNull();
    expect(summary.tables).toHaveLength(1);
    const [table] = summary.tables;
    const v1 = vault.manifest.spec_entries
      .filter((entry) => entry.version === 'v1')
      .reduce((n, e) => n + e.count, 0);
    expect(table).toMatchObject({
      name: vault.table,
      records: vault.manifest.n,
      softDeleted: vault.manifest.soft_deleted,
      expired: expiredNow(vault.manifest),
      v1,
      v2: vault.manifest.n - v1,
    });
  });

  it('reports the sql.js driver when asked to use it', async () => {
    const vault = makeVault(temp.path);
    startService({ driver: 'sql.js' });
    const summary = valueOf(await service.openChosenPath(vault.path));
    expect(summary.driver).toBe('sql.js');
    expect(summary.tables[0]?.records).toBe(vault.manifest.n);
  });

  it('remembers opened vaults as paths only, most recent first, and forgets missing ones', async () => {
    const first = makeVault(join(temp.path, '.'));
    const secondDir = makeTempDir('vsa-service-second-');
    try {
      const second = makeVault(secondDir.path);
      startService();
      valueOf(await service.openChosenPath(first.path));
      valueOf(await service.openChosenPath(second.path));
      valueOf(await service.openChosenPath(first.path));
      expect(paths(await service.recentVaults())).toEqual([first.path, second.path]);
      const stored: unknown = JSON.parse(readText(join(temp.path, 'app-data', RECENT_VAULTS_FILE)));
      expect(stored).toEqual({ version: 1, paths: [first.path, second.path] });

      secondDir.dispose();
      const missing = errorOf(await service.openChosenPath(second.path));
      expect(missing.code).toBe('FILE_NOT_FOUND');
      expect(paths(await service.recentVaults())).toEqual([first.path]);
    } finally {
      secondDir.dispose();
    }
  });

  it('answers bad paths and non-vault files with human errors', async () => {
    startService();
    expect(errorOf(await service.openChosenPath('relative/vault.db')).code).toBe(
      'INVALID_ARGUMENT',
    );
    const notSqlite = join(temp.path, 'notes.db');
    writeFileSync(notSqlite, 'these are not the droids you are looking for\n'.repeat(100));
    const error = errorOf(await service.openChosenPath(notSqlite));
    expect(error.code).toBe('NOT_SQLITE');
    expect(error.message.length).toBeGreaterThan(20);
    expect(valueOf(await service.recentVaults())).toEqual([]);
  });

  it('pre-flight checks the old password on a sample', async () => {
    const vault = makeVault(temp.path);
    startService();
    const request = {
      vault: chosen(vault.path),
      table: vault.table,
      oldPassword: OLD_PASSWORD,
      crypto: { preset: 'tiny' as const },
      includeSoftDeleted: true,
    };
    const good = valueOf(await service.preflight(request));
    expect(good.table).toBe(vault.table);
    expect(good.total).toBe(vault.records);
    expect(good.sampled).toBeGreaterThan(0);
    expect(good.opened).toBeGreaterThan(0);
    const wrong = valueOf(
      await service.preflight({ ...request, oldPassword: 'not-the-password-at-all' }),
    );
    expect(wrong.opened).toBe(0);
  });

  it('rotates with progress events, then verifies with the new password', async () => {
    const vault = makeVault(temp.path);
    startService({ progressIntervalMs: 0, batchSize: 16 });
    const { jobId } = valueOf(await service.startRotation(rotation(vault)));
    expect(service.activeRotation()?.jobId).toBe(jobId);
    const final = await log.final(jobId);
    if (final.type !== 'result') throw new Error(JSON.stringify(final));
    expect(final.result).toMatchObject({
      status: 'completed',
      table: vault.table,
      scanned: vault.records,
      rotated: vault.underOld,
      skipped: vault.records - vault.underOld,
      failed: 0,
      checkpointPath: null,
    });
    const progress = log.progressOf(jobId).map((event) => event.progress);
    expect(progress.length).toBeGreaterThan(1);
    const scanned = progress.map((p) => p.scanned);
    expect(scanned).toEqual([...scanned].sort((a, b) => a - b));
    expect(progress.some((p) => p.scanned > 0 && p.scanned < vault.records)).toBe(true);
    expect(service.activeRotation()).toBeNull();

    expect(await expectConsistentWithFixture(vault)).toEqual({
      underOld: 0,
      underNew: vault.underOld,
    });
    const verified = valueOf(
      await service.verify({
        vault: chosen(vault.path),
        table: vault.table,
        password: NEW_PASSWORD,
        crypto: { preset: 'tiny' },
      }),
    );
    expect(verified).toMatchObject({
      checked: vault.records,
      opened: vault.underOld,
      malformed: 0,
    });
  });

  it('cancels midway: cancelled result, resumable table, consistent vault; resume completes', async () => {
    const vault = makeVault(temp.path, 4);
    startService({ progressIntervalMs: 0, batchSize: 8 });
    const { result } = await startAndCancelMidway(vault);
    expect(result.status).toBe('cancelled');
    expect(result.checkpointPath).not.toBeNull();
    expect(result.scanned).toBeLessThan(vault.records);
    expect(existsSync(result.checkpointPath ?? '')).toBe(true);

    const partial = await expectConsistentWithFixture(vault);
    expect(partial.underNew).toBe(result.rotated);
    expect(partial.underOld).toBe(vault.underOld - result.rotated);
    const unfinished = valueOf(await service.openChosenPath(vault.path)).unfinishedRotations;
    expect(unfinished).toMatchObject([
      { table: vault.table, includeSoftDeleted: true, counts: { scanned: result.scanned } },
    ]);

    const { jobId } = valueOf(await service.startRotation(rotation(vault, { resume: true })));
    const final = await log.final(jobId);
    if (final.type !== 'result') throw new Error(JSON.stringify(final));
    expect(final.result).toMatchObject({
      status: 'completed',
      rotated: vault.underOld,
      checkpointPath: null,
    });
    expect(await expectConsistentWithFixture(vault)).toEqual({
      underOld: 0,
      underNew: vault.underOld,
    });
    expect(valueOf(await service.openChosenPath(vault.path)).unfinishedRotations).toEqual([]);
  });

  it('runs one rotation at a time and keeps other work off the vault being rotated', async () => {
    const vault = makeVault(temp.path, 4);
    startService({ progressIntervalMs: 0, batchSize: 8 });
    const { jobId } = valueOf(await service.startRotation(rotation(vault)));
    expect(errorOf(await service.startRotation(rotation(vault))).code).toBe('BUSY');
    const verifyDuring = await service.verify({
      vault: chosen(vault.path),
      table: vault.table,
      password: NEW_PASSWORD,
      crypto: { preset: 'tiny' },
    });
    expect(errorOf(verifyDuring).code).toBe('BUSY');
    // cancelling a job that is not running is not an error
    expect(valueOf(await service.cancelJob('00000000-0000-0000-0000-000000000000'))).toBeNull();
    expect(service.activeRotation()?.jobId).toBe(jobId);
    valueOf(await service.cancelJob(jobId));
    await log.final(jobId);
    expect(service.activeRotation()).toBeNull();
  });

  it('answers input mistakes at once, before any work', async () => {
    const vault = makeVault(temp.path);
    startService();
    const same = errorOf(
      await service.startRotation(rotation(vault, { newPassword: OLD_PASSWORD })),
    );
    expect(same.code).toBe('PASSWORD_SAME');
    const short = errorOf(await service.startRotation(rotation(vault, { newPassword: 'short' })));
    expect(short.code).toBe('PASSWORD_POLICY');
    const empty = errorOf(await service.startRotation(rotation(vault, { oldPassword: '' })));
    expect(empty.code).toBe('PASSWORD_EMPTY');
    expect(service.activeRotation()).toBeNull();
    expect(log.events).toEqual([]);
  });

  it('refuses a rotation whose sample opens nothing, unless the person asked to scan anyway', async () => {
    const vault = makeVault(temp.path);
    startService();
    const before = sha256File(vault.path);
    const wrong = { oldPassword: 'not-the-password-at-all', newPassword: `${NEW_PASSWORD}x` };
    // The check tells it too, with the new password when given
    const check = valueOf(
      await service.preflight({
        vault: chosen(vault.path),
        table: vault.table,
        ...wrong,
        crypto: { preset: 'tiny' },
        includeSoftDeleted: true,
      }),
    );
    expect(check).toMatchObject({
      canRotate: false,
      refusal: 'nothing-opened',
      newPasswordSample: { opened: 0 },
    });
    const refused = valueOf(await service.startRotation(rotation(vault, wrong)));
    const final = await log.final(refused.jobId);
    expect(final.type === 'error' && final.error.code).toBe('NOTHING_OPENED');
    // no record scanned: the run never reached its main pass
    expect(
      log.events.filter((event) => event.type === 'progress' && event.progress.scanned > 0),
    ).toEqual([]);
    expect(sha256File(vault.path)).toBe(before);

    const anyway = valueOf(
      await service.startRotation(rotation(vault, { ...wrong, scanAnyway: true })),
    );
    const scanned = await log.final(anyway.jobId);
    expect(scanned.type === 'result' && scanned.result).toMatchObject({
      status: 'nothing-opened',
      scanned: vault.records,
    });
    expect(sha256File(vault.path)).toBe(before);
    // The library presets are tried twice on one worker (check and run): real Argon2id at 128 MiB.
  });

  it('reports engine failures during a job as an error event', async () => {
    const vault = makeVault(temp.path);
    startService();
    const { jobId } = valueOf(
      await service.startRotation(rotation(vault, { table: 'no_such_table' })),
    );
    const final = await log.final(jobId);
    expect(final.type).toBe('error');
    if (final.type === 'error') expect(final.error.code).toBe('TABLE_NOT_FOUND');
    expect(service.activeRotation()).toBeNull();
  });

  it('dispose cancels a running rotation cleanly and refuses new work', async () => {
    const vault = makeVault(temp.path, 4);
    startService({ progressIntervalMs: 0, batchSize: 8 });
    const { jobId } = valueOf(await service.startRotation(rotation(vault)));
    await log.waitFor(jobId, (event) => event.type === 'progress' && event.progress.rotated > 0);
    await service.dispose();
    const final = await log.final(jobId);
    expect(final.type === 'result' && final.result.status).toBe('cancelled');
    expect(service.activeRotation()).toBeNull();
    await expectConsistentWithFixture(vault);
    expect(errorOf(await service.startRotation(rotation(vault))).code).toBe('BUSY');
  });

  it('never lets a password out: events, results, errors, logs and files', async () => {
    const console_ = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
      vi.spyOn(console, method),
    );
    const vault = makeVault(temp.path, 3);
    startService({ progressIntervalMs: 0, batchSize: 8 });
    const answers: unknown[] = [];
    const keep = <T>(answer: T): T => {
      answers.push(answer);
      return answer;
    };
    try {
      keep(await service.openChosenPath(vault.path));
      keep(
        await service.preflight({
          vault: chosen(vault.path),
          table: vault.table,
          oldPassword: OLD_PASSWORD,
          crypto: { preset: 'tiny' },
          includeSoftDeleted: true,
        }),
      );
      keep(await service.startRotation(rotation(vault, { newPassword: OLD_PASSWORD })));
      // a password that opens nothing: the job ends with "nothing-opened"
      const opensNothing = keep(
        valueOf(
          await service.startRotation(
            rotation(vault, { oldPassword: NEW_PASSWORD, newPassword: `${NEW_PASSWORD}x` }),
          ),
        ),
      );
      await log.final(opensNothing.jobId);
      const failing = keep(
        valueOf(await service.startRotation(rotation(vault, { table: 'missing' }))),
      );
      await log.final(failing.jobId);
      const { result } = await startAndCancelMidway(vault, { backup: true });
      const checkpoint = readText(result.checkpointPath ?? '');
      keep(await service.openChosenPath(vault.path));
      const { jobId } = keep(
        valueOf(await service.startRotation(rotation(vault, { resume: true }))),
      );
      await log.final(jobId);
      keep(
        await service.verify({
          vault: chosen(vault.path),
          table: vault.table,
          password: NEW_PASSWORD,
          crypto: { preset: 'tiny' },
        }),
      );
      keep(await service.recentVaults());

      const dataFiles = readdirSync(join(temp.path, 'app-data')).map((file) =>
        readText(join(temp.path, 'app-data', file)),
      );
      const logged = console_.flatMap((spy) => spy.mock.calls);
      const haystack = JSON.stringify({
        events: log.events,
        answers,
        checkpoint,
        dataFiles,
        logged,
      });
      expect(log.events.some((event) => event.type === 'error')).toBe(true);
      expect(answers.some((answer) => (answer as IpcResult<unknown>).ok === false)).toBe(true);
      for (const secret of [...secretForms(OLD_PASSWORD), ...secretForms(NEW_PASSWORD)]) {
        expect(
          haystack.includes(secret),
          `a form of a password leaked: ${secret.slice(0, 3)}…`,
        ).toBe(false);
      }
    } finally {
      for (const spy of console_) spy.mockRestore();
    }
  });
});

describe('VaultService: only vaults the user chose, one job per vault', () => {
  const verifyOf = (vault: TestVault, handle: string) => ({
    vault: handle,
    table: vault.table,
    password: OLD_PASSWORD,
    crypto: { preset: 'tiny' as const },
  });

  it('refuses a handle main never gave out, and a path in place of a handle', async () => {
    const vault = makeVault(temp.path);
    startService();
    const unknown = errorOf(await service.openVault('0b7e7a4e-6a38-4a53-9a77-3f1c2f0d9a11'));
    expect(unknown.code).toBe('VAULT_NOT_CHOSEN');
    expect(unknown.message).toContain('Open vault');
    // A path in place of a handle is no handle either (the router refuses its shape before this).
    expect(errorOf(await service.openVault(vault.path)).code).toBe('VAULT_NOT_CHOSEN');
    expect(errorOf(await service.verify(verifyOf(vault, vault.path))).code).toBe(
      'VAULT_NOT_CHOSEN',
    );
    const rotate = errorOf(
      await service.startRotation({ ...rotation(vault), vault: randomUUID() }),
    );
    expect(rotate.code).toBe('VAULT_NOT_CHOSEN');
    expect(log.events).toEqual([]);
    // Nothing was remembered either.
    expect(valueOf(await service.recentVaults())).toEqual([]);
  });

  it('gives the same handle to the same file, and handles for the recent list', async () => {
    const vault = makeVault(temp.path);
    startService();
    const opened = valueOf(await service.openChosenPath(vault.path));
    expect(opened.handle).toMatch(/^[0-9a-f-]{36}$/);
    expect(valueOf(await service.openChosenPath(join(temp.path, '.', 'tiny200.db'))).handle).toBe(
      opened.handle,
    );
    expect(valueOf(await service.recentVaults())).toEqual([
      { handle: opened.handle, path: vault.path },
    ]);
    // A new session (a new service) gives new handles for the same recent file.
    await service.dispose();
    startService();
    const [recent] = valueOf(await service.recentVaults());
    expect(recent?.path).toBe(vault.path);
    expect(recent?.handle).not.toBe(opened.handle);
    expect(valueOf(await service.openVault(recent!.handle)).tables[0]?.records).toBe(vault.records);
  });

  it('uses the job id it is given, and refuses one used before in this session', async () => {
    const vault = makeVault(temp.path);
    startService();
    const jobId = randomUUID();
    expect(valueOf(await service.startRotation(rotation(vault, { dryRun: true }), jobId))).toEqual({
      jobId,
    });
    expect((await log.final(jobId)).type).toBe('result');
    // Finished or not, the id named that job: a second start with it is refused, nothing runs.
    const reused = errorOf(await service.startRotation(rotation(vault), jobId));
    expect(reused.code).toBe('INVALID_ARGUMENT');
    expect(reused.message).toContain('already used');
    expect(service.activeRotation()).toBeNull();
    // One end (its own check's events aside): the refused start ran nothing.
    const ends = log.events.filter((event) => event.type === 'result' || event.type === 'error');
    expect(ends).toHaveLength(1);
  });

  it('refuses network (UNC) and device paths with a way forward', async () => {
    startService();
    for (const path of [
      '\\\\server\\share\\vault.db',
      '//server/share/vault.db',
      '\\\\?\\C:\\v.db',
    ]) {
      const error = errorOf(await service.openChosenPath(path));
      expect(error.code, path).toBe('INVALID_ARGUMENT');
      expect(error.message, path).toContain('network (UNC)');
    }
  });

  it('runs one job per vault: a second one (or via a symlink) is refused; another vault is not', async () => {
    const vault = makeVault(temp.path, 10);
    const otherDir = join(temp.path, 'other');
    mkdirSync(otherDir);
    const other = makeVault(otherDir);
    const alias = join(temp.path, 'alias.db');
    symlinkSync(vault.path, alias);
    startService();
    const handle = chosen(vault.path);
    const verifyJob = randomUUID();
    const running = service.verify(verifyOf(vault, handle), verifyJob);

    const second = errorOf(
      await service.preflight({
        vault: handle,
        table: vault.table,
        oldPassword: OLD_PASSWORD,
        crypto: { preset: 'tiny' },
        includeSoftDeleted: true,
      }),
    );
    expect(second.code).toBe('BUSY');
    expect(second.message).toBe(
      'A verification of this vault is running. Wait for it to finish, or cancel it, then try again.',
    );
    expect(errorOf(await service.verify(verifyOf(vault, chosen(alias)))).code).toBe('BUSY');
    expect(errorOf(await service.startRotation(rotation(vault, { vault: handle }))).code).toBe(
      'BUSY',
    );
    // Another vault is free.
    const otherRunning = service.verify({ ...verifyOf(other, chosen(other.path)), sampleSize: 4 });

    // The renderer's Cancel: the verification answers early, marked cancelled.
    valueOf(await service.cancelJob(verifyJob));
    expect(valueOf(await otherRunning).checked).toBe(4);
    const cancelled = valueOf(await running);
    expect(cancelled.cancelled).toBe(true);
    expect(cancelled.checked).toBeLessThan(vault.records);
    // The vault is free again.
    expect(
      valueOf(await service.verify({ ...verifyOf(vault, handle), sampleSize: 2 })).checked,
    ).toBe(2);
  });

  it('cancels a pre-flight check by its job id, and cancelling nothing is not an error', async () => {
    const vault = makeVault(temp.path, 10);
    startService();
    const handle = chosen(vault.path);
    const jobId = randomUUID();
    // Not started yet (or long over): nothing to cancel, not an error.
    valueOf(await service.cancelJob(jobId));
    const running = service.preflight(
      {
        vault: handle,
        table: vault.table,
        oldPassword: OLD_PASSWORD,
        crypto: { preset: 'tiny' },
        includeSoftDeleted: true,
      },
      jobId,
    );
    // Another job's id leaves it running.
    valueOf(await service.cancelJob(randomUUID()));
    valueOf(await service.cancelJob(jobId));
    const result = valueOf(await running);
    expect(result.cancelled).toBe(true);
    // Its progress carried its id and said it was cancelled last.
    const progress = log.events.filter((event) => event.jobId === jobId);
    expect(progress.every((event) => event.type === 'preflight-progress')).toBe(true);
    const last = progress.at(-1);
    expect(last?.type === 'preflight-progress' && last.progress.phase).toBe('cancelled');
  });

  it('runs a verify as a job: progress under its id, counts that add up, cancelled by id', async () => {
    const vault = makeVault(temp.path, 10);
    startService({ progressIntervalMs: 0 });
    const handle = chosen(vault.path);
    const jobId = randomUUID();
    const running = service.verify(verifyOf(vault, handle), jobId);
    const midway = await log.waitFor(
      jobId,
      (event) => event.type === 'verify-progress' && event.progress.checked >= 8,
    );
    valueOf(await service.cancelJob(jobId));
    const result = valueOf(await running);
    expect(result.cancelled).toBe(true);
    expect(result.checked).toBeLessThan(vault.records);

    const events = log.events.filter((event) => event.jobId === jobId);
    expect(events).toContain(midway);
    const progress = events.map((event) => {
      if (event.type !== 'verify-progress') throw new Error(`unexpected ${event.type} event`);
      return event.progress;
    });
    for (const { checked, opened, notOpened, malformed, total } of progress) {
      expect(opened + notOpened + malformed).toBe(checked);
      expect(checked).toBeLessThanOrEqual(total);
      expect(total).toBe(vault.records);
    }
    const checkedInOrder = progress.map((event) => event.checked);
    expect(checkedInOrder).toEqual([...checkedInOrder].sort((a, b) => a - b));
    // The last event is the answer's counts, marked cancelled.
    expect(progress.at(-1)).toMatchObject({
      phase: 'cancelled',
      checked: result.checked,
      opened: result.opened,
      notOpened: result.notOpened,
      malformed: result.malformed,
    });
    // An id names one job only, whatever its kind.
    expect(errorOf(await service.verify(verifyOf(vault, handle), jobId)).message).toContain(
      'already used',
    );
  });
});
