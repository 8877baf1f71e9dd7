/**
 * Distributed rotation from the app, end to end (issue 19): the built
 * renderer in Chromium, bridged to a real VaultService (the app's
 * coordinator), a real PostgreSQL table (tiny preset) and a real Redis with a
 * password, and `worker` processes of the built CLI started from the very
 * command the Add-workers panel shows, each reading its passwords from its
 * own files (a third with a wrong password is refused). Faults are placed by events, never by sleeps: a worker frozen
 * (SIGSTOP) while the ledger shows it holding a shard, then killed; a record
 * of that shard locked by the test so the worker that redoes it waits there
 * until the test lets it go (after the cancel). Screenshots go to
 * test-results/screenshots/; docs/screenshots/distributed-{dialog,progress,
 * result}.png (README, docs/distributed.md) are copies from a run.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../src/cli/exit-codes.js';
import {
  workerCommand,
  type WorkerInstructionsInput,
} from '../src/renderer/lib/worker-instructions.js';
import { buildCliForTest, collect, type BuiltCli } from '../test/support/cli.js';
import { makeTempDir, type TempDir } from '../test/support/fixtures.js';
import { redisUnavailable } from '../test/support/redis.js';
import { serverUnavailable } from '../test/support/servers/index.js';
import { leaksIn, NEW_PASSWORD, OLD_PASSWORD } from '../test/support/passwords.js';
import {
  expectNoPasswordAnywhere,
  expectRotatedAsTemplate,
  freezeHoldingShard,
  joinedAs,
  ledgerShards,
  type Cluster,
} from '../test/reliability/distributed/support/cluster.js';
import type { JobEvent } from '../src/shared/ipc-contract.js';
import { axeViolations } from './support/axe.js';
import { browserSuite, fillPasswords, shot, type Session } from './support/browser-session.js';
import { chromiumSkipReason } from './support/chromium.js';
import { connectToDatabase } from './support/server-form.js';
import { buildTemplate, type VaultTemplate } from '../test/reliability/support/rotation-vault.js';
import {
  leaksInFiles,
  lockPendingRecord,
  startDistributedBench,
  type RowLock,
  type DistributedBench,
} from './support/distributed-bench.js';

/** records in the table: enough for several shards of a few batches each */
const RECORDS = 2000;

const skipReason = serverUnavailable('postgres') ?? redisUnavailable();

/** The Add-workers panel's input for the bench's database and Redis. */
function panelInput(bench: DistributedBench, pool = 1): WorkerInstructionsInput {
  const { db, queue } = bench.cluster;
  return {
    connection: {
      dialect: 'postgres',
      host: db.host,
      port: db.port,
      database: db.database,
      user: db.user,
      tls: 'disable',
      caFile: null,
    },
    table: 'vault',
    queue: { url: queue, caFile: null },
    queuePassword: true,
    databasePassword: true,
    pool,
    crypto: { preset: 'tiny' },
  };
}

/** What the page showed and the bridge carried, over both app sessions (for the leak search). */
interface SeenByTheApp {
  html: string[];
  events: JobEvent[];
  problems: string[];
}

/** "Use other machines too" in the rotate dialog: the bench's Redis and its password. */
async function fillQueue(
  page: Page,
  cluster: Cluster,
  options: { workHere: boolean },
): Promise<void> {
  await page.getByLabel('Use other machines too', { exact: true }).check();
  await page.getByLabel('Redis queue URL', { exact: true }).fill(cluster.queue);
  await page.getByLabel('Redis password', { exact: true }).fill(cluster.redis.info.password);
  await page.getByLabel('This machine works too', { exact: true }).setChecked(options.workHere);
}

/** Once the ledger shows `shard` claimed by `worker` (each read a round trip, no timer). */
async function shardRedoneBy(cluster: Cluster, shard: number, worker: string): Promise<void> {
  for (;;) {
    const row = (await ledgerShards(cluster)).find((candidate) => candidate.shard === shard);
    if (row?.done) throw new Error(`shard ${shard} was done before ${worker} was seen redoing it`);
    if (row?.owner === worker) return;
  }
}

/** Once the ledger's rotation is in `state` (each read a round trip, no timer). */
async function untilRotationState(cluster: Cluster, state: string): Promise<void> {
  for (;;) {
    const [row] = await cluster.owner.query<{ state: string }>('SELECT state FROM vsa_rotation');
    if (row?.state === state) return;
  }
}

describe.skipIf(skipReason !== null)('distributed rotation from the app', () => {
  let cli: BuiltCli;
  let templateDir: TempDir;
  let template: VaultTemplate;
  let bench: DistributedBench;

  beforeAll(async () => {
    cli = await buildCliForTest('e2e-distributed');
    templateDir = makeTempDir('vsa-e2e-distributed-template-');
    template = await buildTemplate(templateDir.path, RECORDS);
    bench = await startDistributedBench(cli, template);
  });
  afterAll(async () => {
    await bench?.dispose();
    templateDir?.dispose();
    cli?.dispose();
  });

  it("the panel's worker command, run as a shell runs it, serves the CLI coordinator's rotation", async () => {
    const { cluster } = bench;
    const worker = bench.workerFromCommand(workerCommand(panelInput(bench)));
    const coordinator = cluster.coordinator(['--keep-ledger']);
    await joinedAs(worker);
    const run = await collect(coordinator);
    expect(run.code, run.stderr).toBe(EXIT.ok);
    const ended = await collect(worker);
    expect(ended.code, ended.stderr).toBe(EXIT.ok);
    await expectRotatedAsTemplate(cluster, template);
    await expectNoPasswordAnywhere(cluster);
    // The file search finds the workers' password files when they are not set aside.
    expect(leaksInFiles([bench.home], cluster.secrets(), [])).not.toEqual([]);
    expect(leaksInFiles([bench.home], cluster.secrets(), bench.secretFiles)).toEqual([]);
    await cluster.reset(template);
    cluster.started.splice(0);
  });

  describe.skipIf(chromiumSkipReason !== null)('in the app', () => {
    const suite = browserSuite('vsa-e2e-distributed-app-');

    it('coordinates: workers join (one refused), one is lost and its shard redone, cancel, reopen, resume', async () => {
      const { cluster } = bench;
      const appState = join(suite.folder, 'app-state');
      const sessionOptions = { pick: null, workers: 1, checkpointDir: appState };
      let session = await suite.start(sessionOptions);
      let lock: RowLock | null = null;
      const seen: SeenByTheApp = { html: [], events: [], problems: [] };
      const keep = (current: Session): void => {
        seen.events.push(...current.bridge.events);
        seen.problems.push(...current.problems);
      };
      try {
        const { page } = session;
        await connectToDatabase(page, cluster.db);

        // The rotate dialog, "Use other machines too", this machine only coordinating
        await page.getByRole('button', { name: 'Rotate password…' }).click();
        const dialog = page.getByRole('dialog', { name: 'Rotate password' });
        await dialog.waitFor();
        await fillPasswords(page, OLD_PASSWORD, NEW_PASSWORD);
        await page.getByLabel('Argon2id preset').selectOption('custom');
        await dialog.getByRole('button', { name: 'Tiny (tests only)' }).click();
        await fillQueue(page, cluster, { workHere: false });
        await page.getByText('Other machines', { exact: true }).scrollIntoViewIfNeeded();
        await shot(page, 'distributed-dialog');
        expect(await axeViolations(page, 'distributed rotate dialog')).toEqual([]);

        // A wrong current password: Start checks the queue, then the coordinator's own check
        // opens nothing: refused before anything is planned, the dialog back with every
        // password kept, and no "Rotate anyway" across machines.
        const current = page.getByLabel('Current password', { exact: true });
        await current.fill('Not-the-application-password-0');
        await dialog.getByRole('button', { name: 'Start rotation' }).click();
        const refusedCheck = dialog
          .getByRole('alert')
          .filter({ hasText: /None of the \d+ sampled (v2 )?records opened/ });
        await refusedCheck.waitFor({ timeout: 120_000 });
        expect(await dialog.getByRole('button', { name: 'Rotate anyway…' }).count()).toBe(0);
        const ends = (types: readonly string[]) =>
          session.bridge.events
            .filter((event) => types.includes(event.type))
            .map((event) => event.type);
        expect(ends(['preflight-result', 'error', 'distributed-progress'])).toEqual([
          'preflight-result',
          'error',
        ]);
        expect(await page.getByLabel('New password', { exact: true }).inputValue()).toBe(
          NEW_PASSWORD,
        );
        // The right one, nothing else typed again: Start goes straight to the coordinator.
        await current.fill(OLD_PASSWORD);
        await dialog.getByRole('button', { name: 'Start rotation' }).click();

        // The Add-workers panel's command, pool 1, run as is by two "machines"
        const panel = page.getByTestId('add-workers');
        await panel.waitFor({ timeout: 120_000 });
        await panel.locator('summary').click();
        await page.getByLabel('Argon2id pool per worker').fill('1');
        const command = page.getByTestId('worker-command');
        await command.filter({ hasText: '--workers 1' }).waitFor();
        const text = (await command.textContent()) ?? '';
        const first = bench.workerFromCommand(text);
        const firstId = await joinedAs(first);
        // Frozen holding a shard: the rotation cannot end without that shard.
        const shard = await freezeHoldingShard(cluster, first, firstId);
        const row = (id: string) => page.locator(`tr[data-worker="${id}"]`);
        await row(firstId).waitFor({ timeout: 60_000 });
        // One check per Start, the coordinator's: its result came before the ledger's progress
        // (the row above is one); no separate pre-flight, and the queue's check ran once.
        expect(ends(['preflight-result', 'error', 'distributed-progress']).slice(0, 4)).toEqual([
          'preflight-result',
          'error',
          'preflight-result',
          'distributed-progress',
        ]);
        expect(session.bridge.calls.filter((call) => call === 'preflight')).toEqual([]);
        expect(session.bridge.calls.filter((call) => call === 'checkDistributed')).toHaveLength(1);
        const second = bench.workerFromCommand(text);
        const secondId = await joinedAs(second);
        const joinedAt = performance.now();
        await row(secondId).waitFor({ timeout: 60_000 });
        console.info(
          `[measured] a new worker showed in the table ${Math.round(performance.now() - joinedAt)} ms after it joined`,
        );
        // A third machine whose current password is wrong: refused before any shard (exit 8)
        const refused = await bench.workerFromCommand(text, { wrongOldPassword: true }).exited;
        expect(refused.code, refused.stderr).toBe(EXIT.passwordsRefused);
        await page
          .getByTestId('worker-state')
          .filter({ hasText: 'refused: wrong password' })
          .waitFor({ timeout: 60_000 });
        expect(await page.locator('[data-testid="workers-table"] tbody tr').count()).toBe(3);

        // A record of that shard held by the test: whoever redoes the shard waits there.
        lock = await lockPendingRecord(bench, template, shard);
        first.child.kill('SIGKILL');
        await first.exited;
        await row(firstId)
          .getByTestId('worker-state')
          .filter({ hasText: 'lost' })
          .waitFor({ timeout: 180_000 });
        await shardRedoneBy(cluster, shard, secondId);
        // The worker held in the shard names it in the table.
        await row(secondId)
          .locator('td')
          .last()
          .filter({ hasText: new RegExp(`^${shard}$`) })
          .waitFor({ timeout: 60_000 });
        expect(await row(secondId).getByTestId('worker-state').innerText()).not.toContain('lost');
        await shot(page, 'distributed-progress');
        expect(await axeViolations(page, 'distributed progress')).toEqual([]);

        // Cancel: the ledger says cancelled at once; the worker held in the shard leaves
        // (exit 3) once the test lets its batch go (the batch is then fenced out).
        await page.getByRole('button', { name: 'Cancel…' }).click();
        await page.getByRole('alertdialog', { name: 'Cancel the rotation?' }).waitFor();
        const clickedAt = performance.now();
        await page.getByRole('button', { name: 'Cancel rotation' }).click();
        await untilRotationState(cluster, 'cancelled');
        const ledgerAt = performance.now();
        await lock.release();
        lock = null;
        const left = await second.exited;
        const leftAt = performance.now();
        expect(left.code, left.stderr).toBe(EXIT.cancelled);
        await page.getByTestId('cancelled-summary').waitFor({ timeout: 120_000 });
        console.info(
          `[measured] cancel: the ledger said cancelled ${Math.round(ledgerAt - clickedAt)} ms after ` +
            `the click; the held worker left ${Math.round(leftAt - ledgerAt)} ms after its batch was let go`,
        );
        // The ledger is still there: search it (and Redis, and every output) now.
        await expectNoPasswordAnywhere(cluster);
        seen.html.push(await page.content());
        keep(session);
        await session.close();

        // Reopened (a new app): the banner offers Resume, from the ledger alone
        session = await suite.start(sessionOptions);
        await connectToDatabase(session.page, cluster.db);
        const banner = session.page.getByTestId('distributed-banner');
        await banner.waitFor({ timeout: 60_000 });
        expect(await axeViolations(session.page, 'distributed banner')).toEqual([]);
        await banner.getByRole('button', { name: 'Resume…' }).click();
        const resume = session.page.getByRole('dialog', { name: 'Resume interrupted rotation' });
        await resume.waitFor();
        await fillPasswords(session.page, OLD_PASSWORD, NEW_PASSWORD);
        // No preset picked: the dialog repeats the ledger's (the coordinator refuses any other).
        await fillQueue(session.page, cluster, { workHere: true });
        await resume.getByRole('button', { name: 'Resume rotation' }).click();
        const title = session.page.getByTestId('result-title');
        await title.waitFor({ timeout: 300_000 });
        expect(await title.innerText()).toBe('Password rotated');
        // The killed worker's line in the result says so (the ledger still had it working).
        const summaryState = session.page
          .getByTestId('distributed-summary')
          .locator('tbody tr', { hasText: firstId })
          .locator('td')
          .last();
        expect(await summaryState.innerText()).toBe('lost');
        await shot(session.page, 'distributed-result', true);
        expect(await axeViolations(session.page, 'distributed result')).toEqual([]);
        seen.html.push(await session.page.content());
        keep(session);
      } catch (error) {
        await shot(session.page, 'failure-distributed');
        throw error;
      } finally {
        await lock?.release();
        await session.close();
      }

      await expectRotatedAsTemplate(cluster, template);
      await expectNoPasswordAnywhere(cluster);
      const secrets = cluster.secrets();
      expect(seen.html.flatMap((html) => leaksIn(html, secrets, 'the page'))).toEqual([]);
      expect(leaksIn(JSON.stringify(seen.events), secrets, 'the events')).toEqual([]);
      expect(
        leaksInFiles([suite.folder, cluster.temp.path], secrets, bench.testOwnFiles()),
      ).toEqual([]);
      expect(seen.problems).toEqual([]);
    });
  });
});
