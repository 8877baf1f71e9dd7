/**
 * One pre-flight in the app: the rotation job's own check is the pre-flight
 * the dialog shows. The engine host forwards it as job events, and a Start
 * (the renderer's store, main's router and service, real engine-host
 * threads, real pool workers, real Argon2id tiny, a real SQLite copy) runs
 * exactly one job, which spends the records' derivations plus the canaries.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkpointPathFor } from '../../src/engine/index.js';
import type { JobKind } from '../../src/main/host/job-registry.js';
import { VaultService } from '../../src/main/host/vault-service.js';
import type { JobEvent, RotationRequest } from '../../src/shared/ipc-contract.js';
import { makeTempDir, readManifest, type TempDir } from '../support/fixtures.js';
import { leaksIn } from '../support/passwords.js';
import { sha256File } from '../support/vault-builder.js';
import { expectedCounts } from '../engine/rotation/support/rotation-checks.js';
import { appOver, openTinyDialog, recordJobKinds, settledStatus } from './support/app-store.js';
import { EventLog } from './support/events.js';
import {
  makeVault,
  NEW_PASSWORD,
  OLD_PASSWORD,
  tinyRotation,
  type TestVault,
} from './support/vaults.js';

/** sealing the resume canaries: one derivation per password */
const CANARIES = 2;

let temp: TempDir;
let service: VaultService;
let log: EventLog;
/** the kind of every job the service registered (each one an engine-host thread of its own) */
let jobKinds: JobKind[];

beforeEach(() => {
  temp = makeTempDir('vsa-one-check-');
  // One pool worker: the machine is shared, and the counts do not depend on it.
  service = new VaultService({ dataDir: join(temp.path, 'app-data'), workers: 1 });
  log = new EventLog(service);
  jobKinds = recordJobKinds();
});

afterEach(async () => {
  vi.restoreAllMocks();
  await service.dispose();
  log.dispose();
  temp.dispose();
});

function request(vault: TestVault, overrides: Partial<RotationRequest> = {}): RotationRequest {
  const handle = service.chooseVault(vault.path);
  if (!handle.ok) throw new Error(handle.error.message);
  return tinyRotation(handle.value, vault.table, { backup: false, ...overrides });
}

async function start(vault: TestVault, overrides: Partial<RotationRequest> = {}) {
  const started = await service.startRotation(request(vault, overrides));
  if (!started.ok) throw new Error(started.error.message);
  const { jobId } = started.value;
  const final = await log.final(jobId);
  const events = log.events.filter((event) => event.jobId === jobId);
  return { jobId, final, events, types: events.map((event) => event.type) };
}

/** No password in any event, in any of its forms. */
function expectNoPasswordIn(events: readonly JobEvent[]): void {
  expect(leaksIn(JSON.stringify(events), [OLD_PASSWORD, NEW_PASSWORD], 'job events')).toEqual([]);
}

/** The check's result, then the job's error last; no record of the pass counted (its 'failed' phase at most). */
function expectRefusedAfterCheck(events: readonly JobEvent[]): void {
  const types = events.map((event) => event.type);
  expect(types.filter((type) => type === 'preflight-result')).toHaveLength(1);
  expect(types.indexOf('preflight-result')).toBeLessThan(types.indexOf('error'));
  expect(types.at(-1)).toBe('error');
  const counted = events.filter((event) => event.type === 'progress' && event.progress.scanned > 0);
  expect(counted).toEqual([]);
}

describe("the engine host's rotate job reports its own check", () => {
  it('emits the check progress and its result before the pass, then the result', async () => {
    const vault = makeVault(temp.path);
    const { final, events, types } = await start(vault);
    const result = types.indexOf('preflight-result');
    expect(types.filter((type) => type === 'preflight-result')).toHaveLength(1);
    expect(types.indexOf('preflight-progress')).toBeGreaterThanOrEqual(0);
    expect(types.indexOf('preflight-progress')).toBeLessThan(result);
    // Nothing of the pass (no record counted) before the check's verdict.
    const passStarted = events.findIndex(
      (event) => event.type === 'progress' && event.progress.scanned > 0,
    );
    expect(passStarted).toBeGreaterThan(result);
    expect(types.lastIndexOf('preflight-progress')).toBeLessThan(passStarted);
    expect(types.at(-1)).toBe('result');
    const check = events[result];
    expect(check?.type === 'preflight-result' && check.result).toMatchObject({
      table: vault.table,
      canRotate: true,
    });
    expect(final.type === 'result' && final.result.status).toBe('completed');
    expectNoPasswordIn(events);
  });

  it('a refused rotation emits its check result, then the error with the refusal code, nothing written', async () => {
    const vault = makeVault(temp.path);
    const before = sha256File(vault.path);
    const wrong = await start(vault, { oldPassword: 'Not-the-password-000000' });
    expectRefusedAfterCheck(wrong.events);
    const check = wrong.events.find((event) => event.type === 'preflight-result');
    expect(check?.type === 'preflight-result' && check.result).toMatchObject({
      canRotate: false,
      refusal: 'nothing-opened',
    });
    expect(wrong.final.type === 'error' && wrong.final.error.code).toBe('NOTHING_OPENED');

    // Settings that open no v2 record (tiny opens them): refused as wrong settings.
    const custom = { iterations: 2, memoryKiB: 64, parallelism: 1 };
    const settings = await start(vault, { crypto: { preset: 'custom', config: custom } });
    expectRefusedAfterCheck(settings.events);
    const refused = settings.events.find((event) => event.type === 'preflight-result');
    expect(refused?.type === 'preflight-result' && refused.result).toMatchObject({
      canRotate: false,
      refusal: 'wrong-settings',
    });
    expect(settings.final.type === 'error' && settings.final.error.code).toBe(
      'WRONG_ARGON2_CONFIG',
    );
    expect(sha256File(vault.path)).toBe(before);
    expectNoPasswordIn([...wrong.events, ...settings.events]);
    // Refused in its check, as the separate check job was: no rotation in the audit log.
    const audit = await service.auditLog();
    expect(audit.ok && audit.value).toEqual([]);
    // A rotation that goes on is logged.
    await start(vault);
    const logged = await service.auditLog();
    expect(logged.ok && logged.value.map((entry) => entry.outcome)).toEqual(['completed']);
  });
});

describe('a cancel sent with the start', () => {
  it('stops the job in (or before) its check: nothing written, nothing to resume, no audit line', async () => {
    const vault = makeVault(temp.path);
    const before = sha256File(vault.path);
    const started = await service.startRotation(request(vault));
    if (!started.ok) throw new Error(started.error.message);
    // Queued behind the start on the host's port: handled at the job's first wait, not by a timer.
    await service.cancelJob(started.value.jobId);
    const final = await log.final(started.value.jobId);
    expect(final.type === 'result' && final.result).toMatchObject({
      status: 'cancelled',
      scanned: 0,
      rotated: 0,
      checkpointPath: null,
    });
    expect(sha256File(vault.path)).toBe(before);
    expect(existsSync(checkpointPathFor(vault.path))).toBe(false);
    const audit = await service.auditLog();
    expect(audit.ok && audit.value).toEqual([]);
  });
});

describe('a Start in the app', () => {
  it('runs one job, whose check is the pre-flight: records + canaries derivations, none thrown away', async () => {
    const vault = makeVault(temp.path);
    const app = appOver(service);
    try {
      const handle = service.chooseVault(vault.path);
      if (!handle.ok) throw new Error(handle.error.message);
      await app.store.getState().openVault(handle.value);
      openTinyDialog(app.store, { old: OLD_PASSWORD, new: NEW_PASSWORD });
      const ended = settledStatus(app.store);
      await app.store.getState().submitRotateDialog();
      expect(await ended).toBe('completed');

      // Exactly one job: the rotation (no separate pre-flight job before it).
      expect(jobKinds).toEqual(['rotate']);
      expect(app.calls.filter((call) => call === 'preflight')).toEqual([]);
      expect(app.calls.filter((call) => call === 'startRotation')).toHaveLength(1);
      const result = app.store.getState().result!;
      const expected = expectedCounts(readManifest('tiny200'), OLD_PASSWORD);
      expect(result).toMatchObject({ status: 'completed', rotated: vault.underOld });
      expect(result.derivations).toBe(expected.derivations);
      expect(result.derivations + result.checkDerivations!).toBe(expected.derivations + CANARIES);
      expect(result.derivationsReused).toBeGreaterThan(0);
      expect(JSON.stringify(app.store.getState())).not.toContain(OLD_PASSWORD);
    } finally {
      app.dispose();
    }
  });
});
