/**
 * The local audit log of rotations: real rotations through VaultService (real
 * engine-host threads, tiny Argon2id), real files in a temp data folder.
 */
import {
  appendFileSync,
  chmodSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUDIT_LOG_FILE, AuditLog } from '../../src/main/host/audit-log.js';
import { VaultService } from '../../src/main/host/vault-service.js';
import type { AuditEntry, RotationRequest } from '../../src/shared/ipc-contract.js';
import { makeTempDir, type TempDir } from '../support/fixtures.js';
import { secretForms } from '../support/passwords.js';
import { EventLog } from './support/events.js';
import {
  makeVault,
  NEW_PASSWORD,
  OLD_PASSWORD,
  tinyRotation,
  type TestVault,
} from './support/vaults.js';

let temp: TempDir;
let service: VaultService;
let log: EventLog;
let dataDir: string;

beforeEach(() => {
  temp = makeTempDir('vsa-audit-');
  dataDir = join(temp.path, 'app-data');
  service = new VaultService({ dataDir, workers: 1 });
  log = new EventLog(service);
});

afterEach(async () => {
  await service.dispose();
  log.dispose();
  temp.dispose();
});

async function rotate(vault: TestVault, overrides: Partial<RotationRequest> = {}): Promise<void> {
  const opened = await service.openChosenPath(vault.path);
  if (!opened.ok) throw new Error(opened.error.message);
  const started = await service.startRotation(
    tinyRotation(opened.value.handle, vault.table, overrides),
  );
  if (!started.ok) throw new Error(started.error.message);
  await log.final(started.value.jobId);
}

describe('audit log of rotations', () => {
  it('records each rotation (when, vault, table, counts, result) privately, newest first, without secrets', async () => {
    const vault = makeVault(temp.path);
    await rotate(vault);
    await rotate(vault, { table: 'no_such_table' });

    const file = join(dataDir, AUDIT_LOG_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    for (const secret of [OLD_PASSWORD, NEW_PASSWORD])
      for (const form of secretForms(secret)) expect(text).not.toContain(form);

    const answer = await service.auditLog();
    if (!answer.ok) throw new Error(answer.error.message);
    const [failed, rotated] = answer.value as [AuditEntry, AuditEntry];
    expect(rotated).toMatchObject({
      vault: vault.path,
      table: vault.table,
      outcome: 'completed',
      dryRun: false,
      resume: false,
      counts: {
        scanned: vault.records,
        rotated: vault.underOld,
        skipped: vault.records - vault.underOld,
        failed: 0,
      },
      error: null,
    });
    expect(rotated.backupPath).toMatch(/backup/);
    expect(Date.parse(rotated.finishedAt)).toBeGreaterThanOrEqual(Date.parse(rotated.startedAt));
    expect(failed).toMatchObject({
      vault: vault.path,
      table: 'no_such_table',
      outcome: 'error',
      counts: null,
      error: { code: 'TABLE_NOT_FOUND' },
    });
  });

  it('reads an empty log when there is none, skips a damaged line, narrows a widened file', () => {
    const audit = new AuditLog(dataDir);
    expect(audit.entries()).toEqual([]);
    const entry = (table: string): AuditEntry => ({
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:01.000Z',
      vault: '/v/app.db',
      table,
      outcome: 'completed',
      dryRun: false,
      resume: false,
      counts: { scanned: 1, rotated: 1, skipped: 0, failed: 0 },
      backupPath: null,
      error: null,
    });
    audit.append(entry('first'));
    appendFileSync(audit.file, '{"cut by a cra');
    chmodSync(audit.file, 0o644);
    appendFileSync(audit.file, '\n');
    audit.append(entry('second'));
    expect(statSync(audit.file).mode & 0o777).toBe(0o600);
    expect(audit.entries().map((e) => e.table)).toEqual(['second', 'first']);
    expect(audit.entries(1).map((e) => e.table)).toEqual(['second']);
  });

  it('refuses to write through a link put at the log’s name', () => {
    mkdirSync(dataDir, { recursive: true });
    const elsewhere = join(temp.path, 'elsewhere.txt');
    writeFileSync(elsewhere, 'untouched\n');
    symlinkSync(elsewhere, join(dataDir, AUDIT_LOG_FILE));
    const audit = new AuditLog(dataDir);
    expect(() =>
      audit.append({
        startedAt: '',
        finishedAt: '',
        vault: '',
        table: '',
        outcome: 'error',
        dryRun: false,
        resume: false,
        counts: null,
        backupPath: null,
        error: null,
      }),
    ).toThrow(/ELOOP/);
    expect(readFileSync(elsewhere, 'utf8')).toBe('untouched\n');
  });
});
