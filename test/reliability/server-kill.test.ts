/**
 * Kill trials on a vault table in a real PostgreSQL / MariaDB server: the
 * built CLI is SIGKILLed in the middle of a rotation (once its checkpoint
 * says records were written), then `rotate --resume` finishes it. The
 * server's own session lock dies with the process; the local lock file is
 * taken over as stale. Nothing may be lost: the table copied back matches
 * the fixture record for record (and vsref verify), and the database
 * password is in no output and no file.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  buildCliForTest,
  expectNoSecret,
  rotateArgs,
  startCli,
  writePasswordFiles,
  type BuiltCli,
  type PasswordFiles,
} from '../support/cli.js';
import { fixturesDir, makeTempDir, type TempDir } from '../support/fixtures.js';
import { copyVaultToServer } from '../support/server-vault-copy.js';
import { checkpointRotated } from '../support/server-state.js';
import { expectServerFixtureRotated } from '../support/server-fixture.js';
import {
  SERVER_KINDS,
  serverUnavailable,
  testDatabase,
  type SqlSession,
  type TestDatabase,
} from '../support/servers/index.js';
import { NEW_PASSWORD, PW_A } from '../engine/rotation/support/rotation-checks.js';

/** kill once the checkpoint counts at least this many rotated records (one trial each) */
const KILL_AFTER_ROTATED = [1, 40, 90];

let cli: BuiltCli;
beforeAll(async () => {
  cli = await buildCliForTest('server-kill');
});
afterAll(() => cli?.dispose());

function filesContaining(dir: string, secret: string): string[] {
  if (!existsSync(dir)) return [];
  const needle = Buffer.from(secret);
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesContaining(path, secret);
    return readFileSync(path).includes(needle) ? [path] : [];
  });
}

describe.each(SERVER_KINDS)('SIGKILL of the CLI rotating a %s vault', (kind) => {
  const unavailable = serverUnavailable(kind);
  let db: TestDatabase;
  let owner: SqlSession;
  let temp: TempDir;
  let passwords: PasswordFiles;
  let dbPasswordFile: string;

  beforeAll(async () => {
    if (unavailable) return;
    db = await testDatabase(kind);
    owner = await db.connect();
  });
  afterAll(async () => {
    await owner?.close();
    await db?.dispose();
  });
  beforeEach(() => {
    temp = makeTempDir(`vsa-server-kill-${kind}-`);
    passwords = writePasswordFiles(temp.path, PW_A, NEW_PASSWORD);
    dbPasswordFile = join(temp.path, 'secrets', 'db.txt');
    if (!unavailable) writeFileSync(dbPasswordFile, `${db.password}\n`, { mode: 0o600 });
  });
  afterEach(() => temp?.dispose());

  it.skipIf(unavailable)(
    'a resume after each kill completes, and the table matches the fixture record for record',
    async () => {
      let kills = 0;
      for (const threshold of KILL_AFTER_ROTATED) {
        await owner.query('DROP TABLE IF EXISTS vault');
        await owner.query('DROP TABLE IF EXISTS vault_meta');
        await copyVaultToServer(join(fixturesDir, 'tiny200.db'), owner);
        const stateDir = join(temp.path, `state-${threshold}`);
        const home = join(temp.path, `home-${threshold}`);
        mkdirSync(home, { recursive: true });
        const env = { HOME: home, XDG_STATE_HOME: stateDir };
        const args = rotateArgs(db.url, passwords, [
          '--db-password-file',
          dbPasswordFile,
          '--workers',
          '1',
        ]);
        const running = startCli(cli.entry, args, { env, stdin: 'ignore' });
        let killed = false;
        const exited = running.exited.then(() => true);
        while (!killed) {
          const ended = await Promise.race([
            exited,
            new Promise<false>((resolve) => setTimeout(() => resolve(false), 5)),
          ]);
          if (ended) break;
          if ((checkpointRotated(stateDir) ?? 0) >= threshold) {
            running.child.kill('SIGKILL');
            killed = true;
          }
        }
        const first = await running.exited;
        expect(expectNoSecret(first, [db.password, PW_A, NEW_PASSWORD])).toEqual([]);
        if (killed) {
          kills++;
          expect(first.signal).toBe('SIGKILL');
          const resume = startCli(cli.entry, [...args, '--resume'], { env, stdin: 'ignore' });
          const second = await resume.exited;
          expect(second.code, second.stderr).toBe(0);
          expect(second.stdout).toContain('"status":"completed"');
          expect(expectNoSecret(second, [db.password, PW_A, NEW_PASSWORD])).toEqual([]);
        } else {
          expect(first.code, first.stderr).toBe(0);
        }
        await expectServerFixtureRotated(db, temp.path);
        expect(filesContaining(stateDir, db.password)).toEqual([]);
        expect(filesContaining(home, db.password)).toEqual([]);
      }
      // at least one trial must truly have killed the CLI mid-run
      expect(kills).toBeGreaterThan(0);
      console.log(`[server-kill] ${kind}: ${kills} of ${KILL_AFTER_ROTATED.length} runs killed`);
    },
    300_000,
  );
});
