/**
 * The IPC handlers as main registers them (minus ipcMain itself): sender
 * check first, argument validation next, then the real VaultService. The OS
 * file dialogs are the only stand-ins (they need a desktop).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createIpcRouter,
  UntrustedSenderError,
  type NativeDialogs,
} from '../../src/main/ipc/ipc-router.js';
import { APP_INDEX_URL } from '../../src/main/shell/app-protocol.js';
import { RECENT_VAULTS_FILE } from '../../src/main/host/recent-vaults.js';
import { isTrustedSender, type SenderFrame } from '../../src/main/shell/security.js';
import { VaultService } from '../../src/main/host/vault-service.js';
import {
  INVOKE_CHANNELS,
  IPC_CHANNELS,
  IPC_METHOD_NAMES,
  IPC_METHODS,
  type JobEvent,
  type VerifyResult,
  type VaultSummary,
} from '../../src/shared/ipc-contract.js';
import { makeTempDir, type TempDir } from '../support/fixtures.js';
import { makeVault, NEW_PASSWORD, OLD_PASSWORD } from './support/vaults.js';

const policy = { appUrl: APP_INDEX_URL };
const ourFrame: SenderFrame = { url: policy.appUrl, processId: 7, routingId: 1 };

let temp: TempDir;
let service: VaultService;

function router(dialogs: Partial<NativeDialogs> = {}) {
  const opened: VaultSummary[] = [];
  const warnings: string[] = [];
  const handlers = createIpcRouter({
    service,
    dialogs: {
      chooseVaultFile: dialogs.chooseVaultFile ?? (async () => null),
      chooseReportDestination: dialogs.chooseReportDestination ?? (async () => null),
    },
    isTrustedSender: (sender) => isTrustedSender(sender, ourFrame, policy),
    onVaultOpened: (summary) => opened.push(summary),
    warn: (message) => warnings.push(message),
  });
  return { handlers, opened, warnings };
}

beforeEach(() => {
  temp = makeTempDir('vsa-router-');
  service = new VaultService({ dataDir: join(temp.path, 'app-data'), workers: 1 });
});

afterEach(async () => {
  await service.dispose();
  temp.dispose();
});

describe('IPC router', () => {
  it('registers exactly the channels of the contract table, one per method', () => {
    const channels = IPC_METHOD_NAMES.map((name) => IPC_METHODS[name].channel);
    expect(Object.keys(router().handlers).sort()).toEqual([...channels].sort());
    expect(new Set(channels).size).toBe(IPC_METHOD_NAMES.length);
    expect(INVOKE_CHANNELS).toEqual(channels);
  });

  it('runs a rotation under the job id the renderer sent, and refuses a malformed or reused one', async () => {
    const vault = makeVault(temp.path);
    const { handlers } = router({ chooseVaultFile: async () => vault.path });
    const events: JobEvent[] = [];
    const stop = service.onJobEvent((event) => events.push(event));
    try {
      const picked = await handlers[IPC_CHANNELS.openVaultDialog](ourFrame, []);
      const handle = picked.ok ? (picked.value as VaultSummary).handle : '';
      const request = {
        vault: handle,
        table: vault.table,
        oldPassword: OLD_PASSWORD,
        newPassword: NEW_PASSWORD,
        crypto: { preset: 'tiny' },
        includeSoftDeleted: true,
        backup: false,
        dryRun: true,
        resume: false,
      };
      const start = handlers[IPC_CHANNELS.startRotation];
      for (const malformed of ['job-1', 'ABCDEF01-2345-4678-89AB-CDEF01234567', '', null]) {
        const refused = await start(ourFrame, [request, malformed]);
        expect(refused.ok, String(malformed)).toBe(false);
        if (!refused.ok) expect(refused.error.code).toBe('INVALID_ARGUMENT');
      }
      expect(service.activeRotation()).toBeNull();

      const jobId = randomUUID();
      expect(await start(ourFrame, [request, jobId])).toEqual({ ok: true, value: { jobId } });
      expect(service.activeRotation()?.jobId).toBe(jobId);
      await service.cancelActiveAndWait();
      const reused = await start(ourFrame, [request, jobId]);
      expect(reused.ok).toBe(false);
      if (!reused.ok) {
        expect(reused.error.code).toBe('INVALID_ARGUMENT');
        expect(reused.error.message).toContain('already used');
      }
      expect(service.activeRotation()).toBeNull();
      // Every event of the run carried the renderer's id, and only one run ended.
      expect(events.length).toBeGreaterThan(0);
      expect(events.every((event) => event.jobId === jobId)).toBe(true);
      expect(events.filter((event) => event.type !== 'progress')).toHaveLength(1);
    } finally {
      stop();
    }
  });

  it('runs a verify as a job: progress events under the renderer id, cancelled by that id', async () => {
    const vault = makeVault(temp.path, 10);
    const { handlers } = router({ chooseVaultFile: async () => vault.path });
    const events: JobEvent[] = [];
    let progressed!: () => void;
    const firstCounts = new Promise<void>((resolve) => {
      progressed = resolve;
    });
    const stop = service.onJobEvent((event) => {
      events.push(event);
      if (event.type === 'verify-progress' && event.progress.checked > 0) progressed();
    });
    try {
      const picked = await handlers[IPC_CHANNELS.openVaultDialog](ourFrame, []);
      const handle = picked.ok ? (picked.value as VaultSummary).handle : '';
      const request = {
        vault: handle,
        table: vault.table,
        password: OLD_PASSWORD,
        crypto: { preset: 'tiny' },
      };
      const jobId = randomUUID();
      const running = handlers[IPC_CHANNELS.verify](ourFrame, [request, jobId]);
      await firstCounts;
      expect(await handlers[IPC_CHANNELS.cancelJob](ourFrame, [jobId])).toEqual({
        ok: true,
        value: null,
      });
      const answer = await running;
      if (!answer.ok) throw new Error(answer.error.message);
      const result = answer.value as VerifyResult;
      expect(result.cancelled).toBe(true);
      expect(result.checked).toBeLessThan(vault.records);
      // Every event was this job's verify progress, its counts adding up, the last one "cancelled".
      expect(events.length).toBeGreaterThan(1);
      for (const event of events) {
        expect(event).toMatchObject({ type: 'verify-progress', jobId });
        if (event.type !== 'verify-progress') continue;
        const { checked, opened, notOpened, malformed } = event.progress;
        expect(opened + notOpened + malformed).toBe(checked);
      }
      expect(events.at(-1)).toMatchObject({
        progress: { phase: 'cancelled', checked: result.checked, opened: result.opened },
      });
      expect(JSON.stringify(events)).not.toContain(OLD_PASSWORD);
      // The id named that job: reusing it is refused.
      const reused = await handlers[IPC_CHANNELS.verify](ourFrame, [request, jobId]);
      expect(reused.ok).toBe(false);
    } finally {
      stop();
    }
  });

  it('refuses unknown senders on every channel before looking at the arguments', async () => {
    const vault = makeVault(temp.path);
    const { handlers, opened, warnings } = router({ chooseVaultFile: async () => vault.path });
    const strangers: Array<SenderFrame | null> = [
      null,
      { ...ourFrame, routingId: 9 },
      { ...ourFrame, processId: 99 },
      { ...ourFrame, url: 'https://evil.example/' },
    ];
    for (const channel of INVOKE_CHANNELS) {
      for (const stranger of strangers) {
        await expect(handlers[channel](stranger, [vault.path])).rejects.toBeInstanceOf(
          UntrustedSenderError,
        );
      }
    }
    expect(opened).toEqual([]);
    expect(existsSync(join(temp.path, 'app-data', RECENT_VAULTS_FILE))).toBe(false);
    expect(warnings).toHaveLength(INVOKE_CHANNELS.length * strangers.length);
    expect(warnings[0]).toContain('refused');
  });

  it('answers malformed arguments with INVALID_ARGUMENT and does nothing', async () => {
    const { handlers, opened } = router();
    const bad: Array<[string, unknown[]]> = [
      [IPC_CHANNELS.openVault, ['/v.db']],
      [IPC_CHANNELS.openVault, [{ path: '/v.db' }]],
      [IPC_CHANNELS.openDroppedFile, ['relative.db']],
      [IPC_CHANNELS.openDroppedFile, ['\\\\server\\share\\v.db']],
      [IPC_CHANNELS.cancelJob, [{ vault: '/v.db', job: 'verify' }]],
      [IPC_CHANNELS.recentVaults, ['unexpected']],
      [IPC_CHANNELS.startRotation, [{ vaultPath: '/v.db' }]],
      [IPC_CHANNELS.cancelJob, [null]],
      [IPC_CHANNELS.verify, [[], randomUUID()]],
      [IPC_CHANNELS.preflight, ['{}', randomUUID()]],
      [
        IPC_CHANNELS.exportReport,
        [{ format: 'json', contents: '{}', suggestedName: '../../x.json' }],
      ],
    ];
    for (const [channel, args] of bad) {
      const result = await handlers[channel as keyof typeof handlers](ourFrame, args);
      expect(result.ok, channel).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('INVALID_ARGUMENT');
    }
    expect(opened).toEqual([]);
    expect(service.activeRotation()).toBeNull();
  });

  it('opens a vault from the dialog or a dropped path and tells main (window title)', async () => {
    const vault = makeVault(temp.path);
    const { handlers, opened } = router({ chooseVaultFile: async () => vault.path });
    const fromDialog = await handlers[IPC_CHANNELS.openVaultDialog](ourFrame, []);
    expect(fromDialog.ok && (fromDialog.value as VaultSummary).path).toBe(vault.path);
    const dropped = await handlers[IPC_CHANNELS.openDroppedFile](ourFrame, [vault.path]);
    expect(dropped.ok).toBe(true);
    expect(opened.map((summary) => summary.fileName)).toEqual(['tiny200.db', 'tiny200.db']);
    const handle = (fromDialog.ok && (fromDialog.value as VaultSummary).handle) || '';
    expect(await handlers[IPC_CHANNELS.recentVaults](ourFrame, [])).toEqual({
      ok: true,
      value: [{ handle, path: vault.path }],
    });
    const again = await handlers[IPC_CHANNELS.openVault](ourFrame, [handle]);
    expect(again.ok && (again.value as VaultSummary).path).toBe(vault.path);
  });

  it('refuses every vault call naming a vault the user did not choose', async () => {
    const chosenVault = makeVault(temp.path);
    const otherDir = join(temp.path, 'not-chosen');
    mkdirSync(otherDir);
    const notChosen = makeVault(otherDir);
    const { handlers, opened } = router({ chooseVaultFile: async () => chosenVault.path });
    const picked = await handlers[IPC_CHANNELS.openVaultDialog](ourFrame, []);
    expect(picked.ok).toBe(true);
    const stranger = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
    const common = { table: notChosen.table, crypto: { preset: 'tiny' } };
    const attempts: Array<[string, unknown[]]> = [
      [IPC_CHANNELS.openVault, [notChosen.path]],
      [IPC_CHANNELS.openVault, [stranger]],
      [
        IPC_CHANNELS.preflight,
        [
          { ...common, vault: notChosen.path, oldPassword: OLD_PASSWORD, includeSoftDeleted: true },
          randomUUID(),
        ],
      ],
      [
        IPC_CHANNELS.preflight,
        [
          { ...common, vault: stranger, oldPassword: OLD_PASSWORD, includeSoftDeleted: true },
          randomUUID(),
        ],
      ],
      [IPC_CHANNELS.verify, [{ ...common, vault: stranger, password: OLD_PASSWORD }, randomUUID()]],
      [
        IPC_CHANNELS.startRotation,
        [
          {
            ...common,
            vault: stranger,
            oldPassword: OLD_PASSWORD,
            newPassword: NEW_PASSWORD,
            includeSoftDeleted: true,
            backup: false,
            dryRun: false,
            resume: false,
          },
          randomUUID(),
        ],
      ],
    ];
    for (const [channel, args] of attempts) {
      const result = await handlers[channel as keyof typeof handlers](ourFrame, args);
      expect(result.ok, channel).toBe(false);
      if (!result.ok)
        expect(['INVALID_ARGUMENT', 'VAULT_NOT_CHOSEN'], channel).toContain(result.error.code);
    }
    expect(opened.map((summary) => summary.path)).toEqual([chosenVault.path]);
    expect(service.activeRotation()).toBeNull();
    // The vault that was not chosen is untouched: no backup, no checkpoint, never in the recent list.
    expect(readdirSync(otherDir).sort()).toEqual(['tiny200.db', 'tiny200.db.manifest.json']);
    const recent = await handlers[IPC_CHANNELS.recentVaults](ourFrame, []);
    expect(JSON.stringify(recent)).not.toContain(otherDir);
  });

  it('answers a cancelled open dialog with null', async () => {
    const { handlers, opened } = router({ chooseVaultFile: async () => null });
    expect(await handlers[IPC_CHANNELS.openVaultDialog](ourFrame, [])).toEqual({
      ok: true,
      value: null,
    });
    expect(opened).toEqual([]);
  });

  it('exports a report where the save dialog says, and nowhere when cancelled', async () => {
    const destination = join(temp.path, 'report.md');
    const asked: string[] = [];
    const { handlers } = router({
      chooseReportDestination: async (request) => {
        asked.push(request.suggestedName);
        return asked.length === 1 ? destination : null;
      },
    });
    const request = {
      format: 'markdown',
      contents: '# Rotation report\n\n150 rotated\n',
      suggestedName: 'report.md',
    };
    expect(await handlers[IPC_CHANNELS.exportReport](ourFrame, [request])).toEqual({
      ok: true,
      value: destination,
    });
    expect(readFileSync(destination, 'utf8')).toBe(request.contents);
    expect(await handlers[IPC_CHANNELS.exportReport](ourFrame, [request])).toEqual({
      ok: true,
      value: null,
    });
    expect(asked).toEqual(['report.md', 'report.md']);
  });

  it('answers a failed save with an IO error the person can act on', async () => {
    const { handlers } = router({
      chooseReportDestination: async () => join(temp.path, 'missing-folder', 'report.json'),
    });
    const result = await handlers[IPC_CHANNELS.exportReport](ourFrame, [
      { format: 'json', contents: '{}', suggestedName: 'report.json' },
    ]);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('IO');
      expect(result.error.message).toContain('ENOENT');
      expect(result.error.message).toContain('Choose another folder');
    }
  });
});
