/**
 * Two rotations of one vault at once, as users start them: two terminals
 * running the built CLI with different new passwords, and the app (its
 * VaultService, real engine-host thread) while a CLI rotation runs. One
 * rotation completes, the other is refused (exit 5, ROTATION_IN_PROGRESS)
 * naming the holder, and the vault ends wholly under the winner's password.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { VaultService } from '../../src/main/host/vault-service.js';
import { isRotationEvent, type RotationEvent } from '../../src/shared/ipc-contract.js';
import { makeTempDir, type TempDir } from '../support/fixtures.js';
import {
  buildCliForTest,
  completeJsonLines,
  lastOfType,
  rotateArgs,
  startCli,
  writePasswordFiles,
  type BuiltCli,
  type CliRun,
  type RunningCli,
} from '../support/cli.js';
import { NEW_PASSWORD, OLD_PASSWORD } from '../support/passwords.js';
import {
  buildTemplate,
  copyTemplate,
  expectConsistentWithTemplate,
  type VaultTemplate,
} from './support/rotation-vault.js';

/** Enough records that a one-worker rotation is still running when the second one starts. */
const RECORDS = 5000;
const OTHER_NEW_PASSWORD = 'Rel-Second-New-Pw-5e2c90';

let temp: TempDir;
let cli: BuiltCli;
let template: VaultTemplate;

beforeAll(async () => {
  temp = makeTempDir('vsa-concurrent-rotations-');
  [cli, template] = await Promise.all([
    buildCliForTest('concurrent-rotations'),
    buildTemplate(join(temp.path, 'template'), RECORDS),
  ]);
});

afterAll(() => {
  cli?.dispose();
  temp?.dispose();
});

function startRotation(vault: string, name: string, newPassword: string): RunningCli {
  const passwords = writePasswordFiles(join(temp.path, name), OLD_PASSWORD, newPassword);
  return startCli(cli.entry, rotateArgs(vault, passwords, ['--workers', '1', '--no-backup']), {
    stdin: 'ignore',
  });
}

/** Resolves once the CLI reports the rotation itself under way (past its pre-flight, lock taken). */
async function rotating(run: RunningCli): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (
    !completeJsonLines(run.stdout()).some(
      (line) => line.type === 'progress' && line.phase === 'rotating',
    )
  ) {
    if (run.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(
        `the first rotation never reported rotating:\n${run.stdout()}\n${run.stderr()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function expectRefusedBy(loser: CliRun, holderPid: number): void {
  expect(loser.code, loser.stderr).toBe(EXIT.rotationInProgress);
  expect(loser.stderr).toContain(
    `error: Another rotation of this vault is running: pid ${holderPid} on this computer`,
  );
  expect(loser.stderr).toContain('the vaultstore-admin command line');
  expect(loser.stderr).toContain('.rotation.lock');
  // The checkpoint next to the vault is the winner's: nothing for the refused run to resume.
  expect(loser.stderr).not.toContain('--resume');
  expect(lastOfType(completeJsonLines(loser.stdout), 'error')).toMatchObject({
    code: 'ROTATION_IN_PROGRESS',
    exitCode: EXIT.rotationInProgress,
  });
  expect(lastOfType(completeJsonLines(loser.stdout), 'summary')).toBeNull();
}

describe('two rotations of one vault at once', () => {
  it('two CLI rotations with different new passwords: one completes, the other is refused naming it', async () => {
    const vault = copyTemplate(template, join(temp.path, 'two-cli'));
    const first = startRotation(vault, 'first', NEW_PASSWORD);
    const second = startRotation(vault, 'second', OTHER_NEW_PASSWORD);
    const [a, b] = await Promise.all([first.exited, second.exited]);

    const runs = [
      { run: first, exit: a, password: NEW_PASSWORD },
      { run: second, exit: b, password: OTHER_NEW_PASSWORD },
    ];
    const winners = runs.filter((entry) => entry.exit.code === EXIT.ok);
    const losers = runs.filter((entry) => entry.exit.code !== EXIT.ok);
    expect(
      winners.map((entry) => entry.exit.code),
      `${a.stderr}\n${b.stderr}`,
    ).toHaveLength(1);
    const winner = winners[0]!;
    const loser = losers[0]!;
    expectRefusedBy(loser.exit, winner.run.pid);
    expect(lastOfType(completeJsonLines(winner.exit.stdout), 'summary')).toMatchObject({
      status: 'completed',
      rotated: template.rotatable,
      failed: 0,
    });

    // Every record that opened with the old password opens with the winner's new one (so none with the loser's).
    expect(
      await expectConsistentWithTemplate(vault, template, winner.password, 'after both'),
    ).toEqual({
      underOld: 0,
      underNew: template.rotatable,
    });
    expect(existsSync(`${vault}.rotation.lock`)).toBe(false);
    expect(existsSync(`${vault}.rotation-checkpoint.json`)).toBe(false);
  });

  it('a second CLI rotation started while the first is rotating is refused; the first completes', async () => {
    const vault = copyTemplate(template, join(temp.path, 'cli-then-cli'));
    const first = startRotation(vault, 'first', NEW_PASSWORD);
    await rotating(first);
    const second = await startRotation(vault, 'second', OTHER_NEW_PASSWORD).exited;
    expect(first.child.exitCode, 'the first rotation was still running').toBeNull();
    expectRefusedBy(second, first.pid);

    const done = await first.exited;
    expect(done.code, done.stderr).toBe(EXIT.ok);
    expect(
      await expectConsistentWithTemplate(vault, template, NEW_PASSWORD, 'after the first'),
    ).toEqual({
      underOld: 0,
      underNew: template.rotatable,
    });
    expect(existsSync(`${vault}.rotation.lock`)).toBe(false);
  });

  it('the app is refused with the same message while a CLI rotation holds the lock', async () => {
    const vault = copyTemplate(template, join(temp.path, 'cli-then-app'));
    const service = new VaultService({ dataDir: join(temp.path, 'app-data'), workers: 1 });
    const events: RotationEvent[] = [];
    const unsubscribe = service.onJobEvent((event) => {
      if (isRotationEvent(event)) events.push(event);
    });
    try {
      const first = startRotation(vault, 'first', NEW_PASSWORD);
      await rotating(first);
      const handle = service.chooseVault(vault);
      if (!handle.ok) throw new Error(JSON.stringify(handle.error));
      const started = await service.startRotation({
        vault: handle.value,
        table: template.table,
        oldPassword: OLD_PASSWORD,
        newPassword: OTHER_NEW_PASSWORD,
        crypto: { preset: 'tiny' },
        includeSoftDeleted: true,
        backup: false,
        dryRun: false,
        resume: false,
      });
      if (!started.ok) throw new Error(JSON.stringify(started.error));
      const final = await finalEvent(events, started.value.jobId);
      expect(first.child.exitCode, 'the CLI rotation was still running').toBeNull();
      expect(final.type).toBe('error');
      if (final.type !== 'error') return;
      expect(final.error.code).toBe('ROTATION_IN_PROGRESS');
      expect(final.error.message).toContain(
        `Another rotation of this vault is running: pid ${first.pid} on this computer`,
      );
      expect(final.error.message).toContain('the vaultstore-admin command line');
      expect(final.error.message).toContain(`${vault}.rotation.lock`);

      const done = await first.exited;
      expect(done.code, done.stderr).toBe(EXIT.ok);
      expect(
        await expectConsistentWithTemplate(vault, template, NEW_PASSWORD, 'after the CLI'),
      ).toEqual({
        underOld: 0,
        underNew: template.rotatable,
      });
    } finally {
      unsubscribe();
      await service.dispose();
    }
  });
});

async function finalEvent(
  events: readonly RotationEvent[],
  jobId: string,
): Promise<Exclude<RotationEvent, { type: 'progress' }>> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const found = events.find((event) => event.jobId === jobId && event.type !== 'progress');
    if (found && found.type !== 'progress') return found;
    if (Date.now() > deadline) throw new Error('the app rotation did not end');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
