/**
 * Someone who can write the vault's folder (the application's service
 * account) plants symbolic links where the tool writes, hoping an
 * administrator's run writes through them. For every file the tool writes we
 * plant links to a 0600 "victim" elsewhere and check that the victim stays
 * byte-identical and that the tool either refuses clearly or replaces the
 * link itself. What a user expects, per file:
 *
 * - checkpoint path, backup path: refused with a message naming the link (a
 *   link there is never the user's intent, and silently replacing it would
 *   hide that someone is meddling with the folder);
 * - temporaries: random names created exclusively, so a planted name is
 *   never used; the cleanup neither deletes planted links nor their targets;
 * - recent-vaults list and exported report: the app's own file / a name the
 *   user confirmed replacing in the save dialog, so the link is replaced by
 *   the new file, never written through.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  statSync,
  symlinkSync,
  watch,
  writeFileSync,
  utimesSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rotateVault } from '../../src/engine/index.js';
import { deleteCheckpoint, writeCheckpoint } from '../../src/engine/rotation/state/checkpoint.js';
import type { RotationCheckpoint } from '../../src/engine/rotation/state/checkpoint.js';
import { removeStaleTempFiles } from '../../src/engine/rotation/state/stale-temp-files.js';
import { APP_INDEX_URL } from '../../src/main/shell/app-protocol.js';
import { createIpcRouter } from '../../src/main/ipc/ipc-router.js';
import { RECENT_VAULTS_FILE, RecentVaults } from '../../src/main/host/recent-vaults.js';
import { isTrustedSender, type SenderFrame } from '../../src/main/shell/security.js';
import { VaultService } from '../../src/main/host/vault-service.js';
import { IPC_CHANNELS } from '../../src/shared/ipc-contract.js';
import { rotationOptions, tiny } from '../engine/rotation/support/rotation-checks.js';
import { makeVictim } from '../support/victim-file.js';
import { copyFixture, makeTempDir, type TempDir } from '../support/fixtures.js';

const LONG_AGO = new Date(Date.now() - 60 * 60_000);

let temp: TempDir;
let folder: string;
let victim: string;

let expectVictimIntact: () => void;

beforeEach(() => {
  temp = makeTempDir('vsa-planted-');
  folder = join(temp.path, 'vaults');
  mkdirSync(folder);
  ({ path: victim, expectIntact: expectVictimIntact } = makeVictim(temp.path));
});
afterEach(() => temp.dispose());

const sha256File = (path: string): string =>
  createHash('sha256').update(readFileSync(path)).digest('hex');

/** A link to the victim, dated an hour ago so that a cleanup would think it stale. */
function plantLink(path: string, target = victim): void {
  symlinkSync(target, path);
  lutimesSync(path, LONG_AGO, LONG_AGO);
}

function expectPlantedLinks(paths: readonly string[], target = victim): void {
  for (const path of paths) {
    expect(lstatSync(path).isSymbolicLink(), path).toBe(true);
    expect(readlinkSync(path), path).toBe(target);
  }
}

/** Names created in `dir` while `run` ran (inotify sees even short-lived files). */
async function namesCreatedDuring(dir: string, run: () => Promise<void>): Promise<Set<string>> {
  const names = new Set<string>();
  const watcher = watch(dir, (_event, name) => {
    if (name) names.add(name.toString());
  });
  try {
    await run();
    await new Promise((resolve) => setTimeout(resolve, 200));
  } finally {
    watcher.close();
  }
  return names;
}

const hex = ['0000000000000000', 'ffffffffffffffff', '0123456789abcdef', 'a1b2c3', '0f0f0f0f0f0f'];

/** Every temporary name an attacker could guess: old pid-based names and hex guesses of the new ones. */
function guessableTemporaries(vault: string, checkpoint: string): string[] {
  const stem = basename(vault, '.db');
  const names: string[] = [];
  for (let pid = Math.max(1, process.pid - 20); pid <= process.pid + 200; pid++) {
    names.push(`${checkpoint}.${pid}.tmp`);
  }
  for (const guess of hex) {
    names.push(join(folder, `.${basename(checkpoint)}.${guess}.tmp`));
    names.push(join(folder, `.${basename(vault)}.${guess}.tmp`));
    names.push(join(folder, `.${stem}.backup-20300101-000000.db.${guess}.tmp`));
    names.push(join(folder, `.${stem}.backup-20300101-000000.db.${guess}.tmp-journal`));
  }
  return names;
}

const fixedNow = (): Date => new Date('2030-01-01T00:00:00Z');

describe.each(['better-sqlite3', 'sql.js'] as const)('planted links, %s driver', (driver) => {
  it('a link at the checkpoint path: refused clearly, before anything is written', async () => {
    const vault = copyFixture('tiny200', folder);
    const before = sha256File(vault);
    const checkpoint = `${vault}.rotation-checkpoint.json`;
    plantLink(checkpoint);

    await expect(rotateVault(rotationOptions(vault, { driver }))).rejects.toMatchObject({
      code: 'CHECKPOINT',
      message: expect.stringMatching(/symbolic link .*never writes through/s) as unknown,
    });

    expectVictimIntact();
    expectPlantedLinks([checkpoint]);
    expect(sha256File(vault)).toBe(before);
    expect(readdirSync(folder).sort()).toEqual([
      'tiny200.db',
      'tiny200.db.manifest.json',
      'tiny200.db.rotation-checkpoint.json',
    ]);
  });

  it('links at every guessable temporary name: never written through, never deleted; names are random', async () => {
    const vault = copyFixture('tiny200', folder);
    const checkpoint = `${vault}.rotation-checkpoint.json`;
    const planted = guessableTemporaries(vault, checkpoint);
    for (const path of planted) plantLink(path);
    // a real leftover of a killed run, to show that the cleanup did run
    const leftover = join(folder, '.tiny200.db.rotation-checkpoint.json.1234567890abcdef.tmp');
    writeFileSync(leftover, '{');
    utimesSync(leftover, LONG_AGO, LONG_AGO);

    let result: Awaited<ReturnType<typeof rotateVault>> | null = null;
    const created = await namesCreatedDuring(folder, async () => {
      result = await rotateVault(rotationOptions(vault, { driver, batchSize: 40, now: fixedNow }));
    });

    expect(result).toMatchObject({ status: 'completed', driver });
    expect(result!.backupPath).toBe(join(folder, 'tiny200.backup-20300101-000000.db'));
    expect(statSync(result!.backupPath!).mode & 0o077).toBe(0);
    expectVictimIntact();
    expectPlantedLinks(planted);
    expect(existsSync(leftover)).toBe(false);

    const plantedNames = new Set(planted.map((path) => basename(path)));
    const used = (pattern: RegExp): string[] =>
      [...created].filter((name) => pattern.test(name) && !plantedNames.has(name));
    const checkpointTemps = used(/^\.tiny200\.db\.rotation-checkpoint\.json\.[0-9a-f]{16}\.tmp$/);
    // one per commit plus the first and the one after the backup: all different
    expect(checkpointTemps.length).toBeGreaterThanOrEqual(3);
    expect(new Set(checkpointTemps).size).toBe(checkpointTemps.length);
    expect(used(/^\.tiny200\.backup-20300101-000000\.db\.[0-9a-f]{16}\.tmp$/)).toHaveLength(1);
    if (driver === 'sql.js') {
      // every batch rewrites the vault through its own random temporary
      const vaultTemps = used(/^\.tiny200\.db\.[0-9a-f]{16}\.tmp$/);
      expect(vaultTemps.length).toBeGreaterThanOrEqual(2);
      expect(new Set(vaultTemps).size).toBe(vaultTemps.length);
    }
    expect([...created].filter((name) => name.includes(String(process.pid)))).toEqual([]);
  });

  it('a link at the backup path (dangling or not): refused clearly, nothing written through', async () => {
    const vault = copyFixture('tiny200', folder);
    const before = sha256File(vault);
    const wouldBeCreated = join(temp.path, 'elsewhere', 'created-through-link.db');
    const explicitDangling = join(folder, 'explicit-backup.db');
    const explicitToVictim = join(folder, 'explicit-backup-2.db');
    const defaultName = join(folder, 'tiny200.backup-20300101-000000.db');
    plantLink(explicitDangling, wouldBeCreated);
    plantLink(explicitToVictim);
    plantLink(defaultName, wouldBeCreated);

    for (const backupPath of [explicitDangling, explicitToVictim, undefined]) {
      await expect(
        rotateVault(
          rotationOptions(vault, {
            driver,
            now: fixedNow,
            ...(backupPath ? { backupPath } : {}),
          }),
        ),
      ).rejects.toMatchObject({
        code: 'USAGE',
        message: expect.stringMatching(/already (exists|there)/) as unknown,
      });
    }

    expectVictimIntact();
    expect(existsSync(wouldBeCreated)).toBe(false);
    expectPlantedLinks([explicitDangling, defaultName], wouldBeCreated);
    expectPlantedLinks([explicitToVictim]);
    expect(sha256File(vault)).toBe(before);
    expect(readdirSync(folder).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

describe('checkpoint writes and the cleanup, directly', () => {
  const checkpointBody = {
    format: 'vaultstore-admin-rotation-checkpoint',
    version: 1,
    vaultPath: '/v.db',
    table: 'vault',
    cursor: null,
    counts: { scanned: 0, rotated: 0, skipped: 0, failed: 0, opened: 0, bytes: 0 },
    openConfig: tiny,
    writeConfig: tiny,
    includeSoftDeleted: false,
    backupPath: null,
    startedAt: '2030-01-01T00:00:00.000Z',
    updatedAt: '2030-01-01T00:00:00.000Z',
    runs: 1,
  } as RotationCheckpoint;

  it('a checkpoint is 0600 and replaces only a regular file; deleting it never removes a link', () => {
    const path = join(folder, 'v.db.rotation-checkpoint.json');
    writeCheckpoint(path, checkpointBody);
    writeCheckpoint(path, checkpointBody);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    deleteCheckpoint(path);
    expect(existsSync(path)).toBe(false);

    plantLink(path);
    expect(() => writeCheckpoint(path, checkpointBody)).toThrow(/symbolic link/);
    deleteCheckpoint(path);
    expectPlantedLinks([path]);
    expectVictimIntact();
  });

  it('the cleanup removes stale regular temporaries only: no link, no link target', () => {
    const vault = join(folder, 'v.db');
    writeFileSync(vault, '');
    const checkpoint = `${vault}.rotation-checkpoint.json`;
    const names = [
      `.v.db.rotation-checkpoint.json.${hex[0]}.tmp`,
      `v.db.rotation-checkpoint.json.${process.pid}.tmp`,
      'v.db.rotation-checkpoint.json.999999999.tmp',
      `.v.db.${hex[1]}.tmp`,
      `.v.backup-20300101-000000.db.${hex[2]}.tmp`,
      `.v.backup-20300101-000000.db.${hex[2]}.tmp-journal`,
    ];
    const links = names.map((name) => join(folder, `${name}`));
    for (const path of links) plantLink(path);
    // a link whose target is itself a stale-looking temporary: the target must survive too
    const targetTemp = join(folder, `.v.db.${hex[3]}.tmp`);
    writeFileSync(targetTemp, 'someone else’s file');
    // Old on purpose: a file written just now may carry an mtime a fraction of a millisecond
    // past Date.now(), which would make "stale" depend on when the clock ticks.
    utimesSync(targetTemp, LONG_AGO, LONG_AGO);
    const linkToTemp = join(folder, `.v.db.${hex[4]}.tmp`);
    plantLink(linkToTemp, targetTemp);
    const ownStale = join(folder, `.v.db.rotation-checkpoint.json.${hex[2]}.tmp`);
    writeFileSync(ownStale, '{');
    utimesSync(ownStale, LONG_AGO, LONG_AGO);

    const removed = removeStaleTempFiles(vault, checkpoint, Date.now() + 60_000);

    expect(removed.sort()).toEqual([ownStale, targetTemp].sort());
    expectPlantedLinks(links);
    expectPlantedLinks([linkToTemp], targetTemp);
    expectVictimIntact();
  });
});

describe('app files', () => {
  it('recent vaults: a link at the list is replaced by the list (0600), its target untouched', () => {
    const dataDir = join(temp.path, 'app-data');
    mkdirSync(dataDir);
    const list = join(dataDir, RECENT_VAULTS_FILE);
    plantLink(list);
    const oldStyle: string[] = [];
    for (let pid = Math.max(1, process.pid - 5); pid <= process.pid + 5; pid++) {
      oldStyle.push(`${list}.${pid}.tmp`);
    }
    for (const path of oldStyle) plantLink(path);

    const recent = new RecentVaults(dataDir);
    expect(recent.remember('/srv/app/vault.db')).toEqual(['/srv/app/vault.db']);

    expect(lstatSync(list).isFile()).toBe(true);
    expect(statSync(list).mode & 0o777).toBe(0o600);
    expect(recent.list()).toEqual(['/srv/app/vault.db']);
    expectPlantedLinks(oldStyle);
    expectVictimIntact();
  });

  it('exported report: 0600, and a link at the chosen name is replaced, never written through', async () => {
    const policy = { appUrl: APP_INDEX_URL };
    const frame: SenderFrame = { url: policy.appUrl, processId: 7, routingId: 1 };
    const service = new VaultService({ dataDir: join(temp.path, 'app-data'), workers: 1 });
    try {
      const destinations = [join(folder, 'report.md'), join(folder, 'linked-report.md')];
      plantLink(destinations[1]!);
      let next = 0;
      const handlers = createIpcRouter({
        service,
        dialogs: {
          chooseVaultFile: async () => null,
          chooseReportDestination: async () => destinations[next++] ?? null,
        },
        isTrustedSender: (sender) => isTrustedSender(sender, frame, policy),
      });
      const request = { format: 'markdown', contents: '# Report\n', suggestedName: 'report.md' };
      for (const destination of destinations) {
        expect(await handlers[IPC_CHANNELS.exportReport](frame, [request])).toEqual({
          ok: true,
          value: destination,
        });
        expect(lstatSync(destination).isFile()).toBe(true);
        expect(statSync(destination).mode & 0o777).toBe(0o600);
        expect(readFileSync(destination, 'utf8')).toBe('# Report\n');
      }
      expectVictimIntact();
      expect(readdirSync(folder).sort()).toEqual(['linked-report.md', 'report.md']);
    } finally {
      await service.dispose();
    }
  });
});
