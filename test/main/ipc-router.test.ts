/**
 * The IPC handlers as main registers them (minus ipcMain itself): sender
 * check first, argument validation next, then the real VaultService. The OS
 * file dialogs are the only stand-ins (they need a desktop).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createIpcRouter,
  UntrustedSenderError,
  type NativeDialogs,
} from '../../src/main/ipc-router.js';
import { RECENT_VAULTS_FILE } from '../../src/main/recent-vaults.js';
import { isTrustedSender, type SenderFrame } from '../../src/main/security.js';
import { VaultService } from '../../src/main/vault-service.js';
import { IPC_CHANNELS, type VaultSummary } from '../../src/shared/ipc-contract.js';
import { INVOKE_CHANNELS } from '../../src/shared/ipc-validation.js';
import { makeTempDir, type TempDir } from '../support/fixtures.js';
import { makeVault } from './support/vaults.js';

const policy = { rendererFileUrl: pathToFileURL('/app/out/renderer/index.html').href };
const ourFrame: SenderFrame = { url: policy.rendererFileUrl, processId: 7, routingId: 1 };

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
  it('has a handler for every invoke channel', () => {
    expect(Object.keys(router().handlers).sort()).toEqual([...INVOKE_CHANNELS].sort());
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
      [IPC_CHANNELS.openVaultPath, ['relative.db']],
      [IPC_CHANNELS.openVaultPath, [{ path: '/v.db' }]],
      [IPC_CHANNELS.recentVaults, ['unexpected']],
      [IPC_CHANNELS.startRotation, [{ vaultPath: '/v.db' }]],
      [IPC_CHANNELS.cancelRotation, [null]],
      [IPC_CHANNELS.verify, [[]]],
      [IPC_CHANNELS.preflight, ['{}']],
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
    const dropped = await handlers[IPC_CHANNELS.openVaultPath](ourFrame, [vault.path]);
    expect(dropped.ok).toBe(true);
    expect(opened.map((summary) => summary.fileName)).toEqual(['tiny200.db', 'tiny200.db']);
    expect(await handlers[IPC_CHANNELS.recentVaults](ourFrame, [])).toEqual({
      ok: true,
      value: [vault.path],
    });
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
