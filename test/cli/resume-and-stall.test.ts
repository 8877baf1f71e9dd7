/**
 * The built CLI: `rotate --resume` after a rotation that completed (its exit
 * not seen) exits 0 "Already completed" on a file and on both servers, so
 * "repeat --resume until exit 0" ends; a network that goes silent under a
 * server rotation ends it within --server-timeout with a message that says
 * so (exit 1), and the printed resume finishes it.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  buildCliForTest,
  expectNoSecret,
  lastOfType,
  jsonLines,
  rotateArgs,
  runCli,
  startCli,
  writePasswordFiles,
  type BuiltCli,
  type PasswordFiles,
} from '../support/cli.js';
import { fixturesDir, makeTempDir, readManifest, type TempDir } from '../support/fixtures.js';
import { readServerVault, readSqliteVault } from '../support/server-vault-copy.js';
import {
  checkpointInFlight,
  checkpointRotated,
  toolSessionsGone,
} from '../support/server-state.js';
import {
  SERVER_KINDS,
  serverUnavailable,
  testDatabase,
  type TestDatabase,
} from '../support/servers/index.js';
import { expectServerFixtureRotated, loadServerFixture } from '../support/server-fixture.js';
import { withStallProxy } from '../support/stall-proxy.js';
import { NEW_PASSWORD, PW_A, expectedCounts } from '../engine/rotation/support/rotation-checks.js';

const manifest = readManifest('tiny200');

let cli: BuiltCli;
beforeAll(async () => {
  cli = await buildCliForTest('resume-and-stall');
});
afterAll(() => cli?.dispose());

let temp: TempDir;
let passwords: PasswordFiles;
beforeEach(() => {
  temp = makeTempDir('vsa-cli-resume-stall-');
  passwords = writePasswordFiles(temp.path, PW_A, NEW_PASSWORD);
});
afterEach(() => temp?.dispose());

/** A second `--resume` after a completed one: exit 0, "Already completed", the summary completed. */
async function expectResumeSaysCompleted(
  args: string[],
  env: Record<string, string>,
  secrets: string[],
): Promise<void> {
  const first = await runCli(cli.entry, args, { env });
  expect(first.code, first.stderr).toBe(0);
  // Before: exit 4 "nothing opened", so a script repeating --resume until exit 0 never ended.
  const again = await runCli(cli.entry, [...args, '--resume'], { env });
  expect(again.code, again.stderr).toBe(0);
  const summary = lastOfType(jsonLines(again.stdout), 'summary');
  expect(summary).toMatchObject({ status: 'completed', rotated: 0 });
  expect(JSON.stringify(summary)).toMatch(/Already completed/);
  const text = await runCli(cli.entry, [...args.filter((arg) => arg !== '--json'), '--resume'], {
    env,
  });
  expect(text.code, text.stderr).toBe(0);
  expect(text.stdout).toMatch(
    /^Already completed: table "(public\.)?vault" was rotated by an earlier run/m,
  );
  for (const run of [first, again, text]) expect(expectNoSecret(run, secrets)).toEqual([]);
}

it('a vault file: --resume after a completed rotation exits 0, "Already completed"', async () => {
  const vault = join(temp.path, 'tiny200.db');
  copyFileSync(join(fixturesDir, 'tiny200.db'), vault);
  await expectResumeSaysCompleted(
    rotateArgs(vault, passwords, ['--no-backup', '--workers', '2']),
    {},
    [PW_A, NEW_PASSWORD],
  );
});

it('--server-timeout is for a database server: refused for a file (exit 2)', async () => {
  const vault = join(temp.path, 'tiny200.db');
  copyFileSync(join(fixturesDir, 'tiny200.db'), vault);
  const run = await runCli(cli.entry, rotateArgs(vault, passwords, ['--server-timeout', '5']));
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/--server-timeout bounds the wait for a database server/);
});

describe.each(SERVER_KINDS)('a vault in %s', (kind) => {
  const unavailable = serverUnavailable(kind);
  let db: TestDatabase;
  let env: Record<string, string>;
  let dbPasswordFile: string;
  beforeAll(async () => {
    if (!unavailable) db = await testDatabase(kind);
  });
  afterAll(async () => {
    await db?.dispose();
  });
  beforeEach(async () => {
    if (unavailable) return;
    await loadServerFixture(db);
    const home = join(temp.path, 'home');
    mkdirSync(home, { recursive: true });
    env = { HOME: home, XDG_STATE_HOME: join(temp.path, 'state') };
    dbPasswordFile = join(temp.path, 'secrets', 'db.txt');
    writeFileSync(dbPasswordFile, `${db.password}\n`, { mode: 0o600 });
  });

  const expectTableRotated = () => expectServerFixtureRotated(db, temp.path);

  it.skipIf(unavailable)(
    '--resume after a completed rotation exits 0, "Already completed"',
    async () => {
      await expectResumeSaysCompleted(
        rotateArgs(db.url, passwords, ['--db-password-file', dbPasswordFile, '--no-backup']),
        env,
        [PW_A, NEW_PASSWORD, db.password],
      );
      await expectTableRotated();
    },
    180_000,
  );

  it.skipIf(unavailable)(
    'a network gone silent: exit 1 within --server-timeout saying so; the resume completes',
    async () => {
      await withStallProxy(db, async (proxy, url) => {
        const args = rotateArgs(url, passwords, [
          '--db-password-file',
          dbPasswordFile,
          '--no-backup',
          '--workers',
          '1',
          '--server-timeout',
          '2',
        ]);
        // Silent from the first statement sent once the checkpoint counts rotated records.
        const stateDir = join(temp.path, 'state');
        proxy.stallWhen(() => (checkpointRotated(stateDir) ?? 0) > 0);
        const stalled = await runCli(cli.entry, args, { env });
        expect(proxy.stalled).toBe(true);
        expect(stalled.code, stalled.stderr).toBe(1);
        expect(stalled.stderr).toMatch(/did not answer for 2 s \(the server timeout\)/);
        expect(stalled.stderr).toMatch(/--server-timeout SECONDS/);
        expect(expectNoSecret(stalled, [PW_A, NEW_PASSWORD, db.password])).toEqual([]);

        // The network is back: the server sees the stalled sessions end (and their lock go).
        proxy.heal();
        await toolSessionsGone(db);
        const resumed = await runCli(cli.entry, [...args, '--resume'], { env });
        expect(resumed.code, resumed.stderr).toBe(0);
        expect(lastOfType(jsonLines(resumed.stdout), 'summary')).toMatchObject({
          status: 'completed',
          rotated: expectedCounts(manifest, PW_A).rotated,
        });
        await expectTableRotated();
      });
    },
    180_000,
  );

  // PostgreSQL writes a batch in one autocommit statement: a statement waiting for a row lock when
  // the CLI is killed still commits once the lock is granted. (A MySQL batch is a transaction the
  // dead client never commits.)
  it.skipIf(unavailable || kind !== 'postgres')(
    'killed while its batch waits, the batch then committing: the resume counts it and completes',
    async () => {
      const pwA = Object.entries(manifest.records)
        .filter(([, record]) => record.password === PW_A)
        .map(([id]) => id)
        .sort();
      const blocker = await db.connect();
      await blocker.query('BEGIN');
      // The largest id in the table's own order: the row the last batch must lock.
      const [last] = await blocker.query<{ id: string }>(
        'SELECT id FROM vault WHERE id = ANY($1) ORDER BY id DESC LIMIT 1 FOR UPDATE',
        [pwA],
      );
      expect(last).toBeDefined();
      const args = rotateArgs(db.url, passwords, [
        '--db-password-file',
        dbPasswordFile,
        '--no-backup',
        '--workers',
        '1',
      ]);
      const running = startCli(cli.entry, args, { env, stdin: 'ignore' });
      try {
        // The batch is on the server, waiting for the row: the checkpoint names it as in flight.
        for (;;) {
          const waiting = await db.admin.query(
            `SELECT 1 FROM pg_stat_activity WHERE application_name = 'vaultstore-admin'
               AND datname = $1 AND wait_event_type = 'Lock'`,
            [db.database],
          );
          if (waiting.length > 0) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(checkpointInFlight(join(temp.path, 'state'))).toBeGreaterThan(0);
        running.child.kill('SIGKILL');
        expect((await running.exited).signal).toBe('SIGKILL');
      } finally {
        await blocker.query('ROLLBACK');
        await blocker.close();
      }
      await toolSessionsGone(db);
      // The premise: the batch committed after the kill (its records changed), with no checkpoint saying so.
      const owner = await db.connect();
      const after = await readServerVault(owner).finally(() => owner.close());
      const before = new Map(
        readSqliteVault(join(fixturesDir, 'tiny200.db')).map((row) => [row.id, row.vault_value]),
      );
      expect(after.filter((row) => row.vault_value !== before.get(row.id)).length).toBeGreaterThan(
        0,
      );
      expect(checkpointInFlight(join(temp.path, 'state'))).toBeGreaterThan(0);

      // Before: the records of that batch counted as skipped, and with no earlier batch the
      // resume said "nothing opened" (exit 4) on a rotated vault.
      const resumed = await runCli(cli.entry, [...args, '--resume'], { env });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(lastOfType(jsonLines(resumed.stdout), 'summary')).toMatchObject({
        status: 'completed',
        rotated: expectedCounts(manifest, PW_A).rotated,
        skipped: expectedCounts(manifest, PW_A).skipped,
      });
      await expectTableRotated();
    },
    180_000,
  );
});
