/**
 * VaultService against real vault copies, real engine-host threads, real
 * worker pools and real Argon2id (tiny preset).
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RECENT_VAULTS_FILE } from '../../src/main/recent-vaults.js';
import { VaultService, type VaultServiceOptions } from '../../src/main/vault-service.js';
import type { IpcResult, RotationRequest } from '../../src/shared/ipc-contract.js';
import { makeTempDir, type TempDir } from '../support/fixtures.js';
import { EventLog } from './support/events.js';
import {
  expectConsistent,
  makeVault,
  NEW_PASSWORD,
  OLD_PASSWORD,
  readText,
  secretForms,
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
    vaultPath: vault.path,
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
  valueOf(await service.cancelRotation(jobId));
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
    const summary = valueOf(await service.openVaultPath(vault.path));
    expect(summary.path).toBe(vault.path);
    expect(summary.fileName).toBe('tiny200.db');
    expect(summary.fileSizeBytes).toBeGreaterThan(0);
    expect(summary.driver).toBe('better-sqlite3');
    expect(summary.resumableTables).toEqual([]);
    expect(summary.tables).toHaveLength(1);
    const [table] = summary.tables;
    const v1 = vault.manifest.spec_entries
      .filter((entry) => entry.version === 'v1')
      .reduce((n, e) => n + e.count, 0);
    expect(table).toMatchObject({
      name: vault.table,
      records: vault.manifest.n,
      softDeleted: vault.manifest.soft_deleted,
      expired: vault.manifest.expired,
      v1,
      v2: vault.manifest.n - v1,
    });
  });

  it('reports the sql.js driver when asked to use it', async () => {
    const vault = makeVault(temp.path);
    startService({ driver: 'sql.js' });
    const summary = valueOf(await service.openVaultPath(vault.path));
    expect(summary.driver).toBe('sql.js');
    expect(summary.tables[0]?.records).toBe(vault.manifest.n);
  });

  it('remembers opened vaults as paths only, most recent first, and forgets missing ones', async () => {
    const first = makeVault(join(temp.path, '.'));
    const secondDir = makeTempDir('vsa-service-second-');
    try {
      const second = makeVault(secondDir.path);
      startService();
      valueOf(await service.openVaultPath(first.path));
      valueOf(await service.openVaultPath(second.path));
      valueOf(await service.openVaultPath(first.path));
      expect(valueOf(await service.recentVaults())).toEqual([first.path, second.path]);
      const stored: unknown = JSON.parse(readText(join(temp.path, 'app-data', RECENT_VAULTS_FILE)));
      expect(stored).toEqual({ version: 1, paths: [first.path, second.path] });

      secondDir.dispose();
      const missing = errorOf(await service.openVaultPath(second.path));
      expect(missing.code).toBe('FILE_NOT_FOUND');
      expect(valueOf(await service.recentVaults())).toEqual([first.path]);
    } finally {
      secondDir.dispose();
    }
  });

  it('answers bad paths and non-vault files with human errors', async () => {
    startService();
    expect(errorOf(await service.openVaultPath('relative/vault.db')).code).toBe('INVALID_ARGUMENT');
    const notSqlite = join(temp.path, 'notes.db');
    writeFileSync(notSqlite, 'these are not the droids you are looking for\n'.repeat(100));
    const error = errorOf(await service.openVaultPath(notSqlite));
    expect(error.code).toBe('NOT_SQLITE');
    expect(error.message.length).toBeGreaterThan(20);
    expect(valueOf(await service.recentVaults())).toEqual([]);
  });

  it('pre-flight checks the old password on a sample', async () => {
    const vault = makeVault(temp.path);
    startService();
    const request = {
      vaultPath: vault.path,
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

    expect(await expectConsistent(vault)).toEqual({ underOld: 0, underNew: vault.underOld });
    const verified = valueOf(
      await service.verify({
        vaultPath: vault.path,
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

    const partial = await expectConsistent(vault);
    expect(partial.underNew).toBe(result.rotated);
    expect(partial.underOld).toBe(vault.underOld - result.rotated);
    expect(valueOf(await service.openVaultPath(vault.path)).resumableTables).toEqual([vault.table]);

    const { jobId } = valueOf(await service.startRotation(rotation(vault, { resume: true })));
    const final = await log.final(jobId);
    if (final.type !== 'result') throw new Error(JSON.stringify(final));
    expect(final.result).toMatchObject({
      status: 'completed',
      rotated: vault.underOld,
      checkpointPath: null,
    });
    expect(await expectConsistent(vault)).toEqual({ underOld: 0, underNew: vault.underOld });
    expect(valueOf(await service.openVaultPath(vault.path)).resumableTables).toEqual([]);
  });

  it('runs one rotation at a time and keeps other work off the vault being rotated', async () => {
    const vault = makeVault(temp.path, 4);
    startService({ progressIntervalMs: 0, batchSize: 8 });
    const { jobId } = valueOf(await service.startRotation(rotation(vault)));
    expect(errorOf(await service.startRotation(rotation(vault))).code).toBe('BUSY');
    const verifyDuring = await service.verify({
      vaultPath: vault.path,
      table: vault.table,
      password: NEW_PASSWORD,
      crypto: { preset: 'tiny' },
    });
    expect(errorOf(verifyDuring).code).toBe('BUSY');
    // cancelling a job that is not running is not an error
    expect(
      valueOf(await service.cancelRotation('00000000-0000-0000-0000-000000000000')),
    ).toBeNull();
    expect(service.activeRotation()?.jobId).toBe(jobId);
    valueOf(await service.cancelRotation(jobId));
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
    await expectConsistent(vault);
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
      keep(await service.openVaultPath(vault.path));
      keep(
        await service.preflight({
          vaultPath: vault.path,
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
      keep(await service.openVaultPath(vault.path));
      const { jobId } = keep(
        valueOf(await service.startRotation(rotation(vault, { resume: true }))),
      );
      await log.final(jobId);
      keep(
        await service.verify({
          vaultPath: vault.path,
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
