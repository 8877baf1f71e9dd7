/**
 * What the distributed-rotation spec runs against besides the page: a real
 * PostgreSQL table built from a template, a private Redis with a password,
 * the built CLI, and `worker` processes started from the very command the
 * app's Add-workers panel shows (split as a shell splits it, its ~/.vsa
 * password files in the workers' own HOME). Plus the two things the spec
 * uses to place faults by events instead of sleeps: a worker frozen while it
 * holds a shard (cluster.ts) and a row lock that holds a worker inside a
 * shard; and the leak search over every file of the test's folders.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCli, type BuiltCli, type RunningCli } from '../../test/support/cli.js';
import { leaksInBytes, NEW_PASSWORD, OLD_PASSWORD } from '../../test/support/passwords.js';
import { splitShellWords } from '../../test/support/shell-words.js';
import {
  startCluster,
  WRONG_PASSWORD,
  type Cluster,
} from '../../test/reliability/distributed/support/cluster.js';
import type { VaultTemplate } from '../../test/reliability/support/rotation-vault.js';
import { SECRET_FILES } from '../../src/renderer/lib/worker-instructions.js';

export interface DistributedBench {
  readonly cluster: Cluster;
  /** HOME of the worker processes: ~/.vsa holds their password files */
  readonly home: string;
  /**
   * `text` (the panel's command) run as a shell would run it, with the built
   * CLI for `vaultstore-admin` and `--json` added so the test can follow it;
   * `wrongOldPassword`: on a machine whose ~/.vsa/old holds a wrong password.
   */
  workerFromCommand(text: string, options?: { wrongOldPassword?: boolean }): RunningCli;
  /** The password files a worker reads (to skip in the leak search of files). */
  readonly secretFiles: readonly string[];
  /**
   * The files the test itself wrote that hold passwords: the password files,
   * and the vault copies (with their vsref manifest) the table checks make.
   */
  testOwnFiles(): string[];
  dispose(): Promise<void>;
}

export async function startDistributedBench(
  cli: BuiltCli,
  template: VaultTemplate,
): Promise<DistributedBench> {
  const cluster = await startCluster('postgres', cli);
  await cluster.reset(template);
  // startCluster gives its processes this HOME and state folder (no ~/.pgpass of the machine)
  const home = join(cluster.temp.path, 'home');
  const state = join(cluster.temp.path, 'state');
  /** A machine's HOME whose ~/.vsa holds its password files (0600). */
  const machineHome = (path: string, oldPassword: string): string[] => {
    const secretDir = join(path, '.vsa');
    mkdirSync(secretDir, { recursive: true, mode: 0o700 });
    const secrets: [string, string][] = [
      [SECRET_FILES.old, oldPassword],
      [SECRET_FILES.new, NEW_PASSWORD],
      [SECRET_FILES.db, cluster.db.password],
      [SECRET_FILES.redis, cluster.redis.info.password],
    ];
    return secrets.map(([name, secret]) => {
      const file = join(secretDir, name);
      writeFileSync(file, `${secret}\n`, { mode: 0o600 });
      return file;
    });
  };
  // A machine given the wrong current password: its worker must be refused.
  const wrongHome = join(cluster.temp.path, 'home-wrong');
  const secretFiles = [
    ...machineHome(home, OLD_PASSWORD),
    ...machineHome(wrongHome, WRONG_PASSWORD),
  ];
  const filesIn = (folder: string, test: (name: string) => boolean = () => true): string[] =>
    readdirSync(folder)
      .filter(test)
      .map((name) => join(folder, name));
  const allSecretFiles = [...secretFiles, ...filesIn(join(cluster.temp.path, 'secrets'))];
  return {
    cluster,
    home,
    secretFiles: allSecretFiles,
    testOwnFiles: () => [
      ...allSecretFiles,
      ...filesIn(cluster.temp.path, (name) => name.startsWith('copy-')),
    ],
    workerFromCommand(text, options = {}) {
      const machine = options.wrongOldPassword ? wrongHome : home;
      const [program, ...argv] = splitShellWords(text, machine);
      if (program !== 'vaultstore-admin')
        throw new Error(`not a vaultstore-admin command: ${text}`);
      const env = { HOME: machine, XDG_STATE_HOME: state };
      const running = startCli(cli.entry, [...argv, '--json'], { env, stdin: 'ignore' });
      cluster.started.push(running);
      return running;
    },
    dispose: () => cluster.dispose(),
  };
}

/** A record held by the test's own transaction: a worker that must write it waits at that batch. */
export interface RowLock {
  readonly id: string;
  release(): Promise<void>;
}

/**
 * Locks (SELECT ... FOR UPDATE, in an open transaction) the first record of
 * `shard` after its cursor that is under the old password: the next worker
 * to run the shard blocks at the batch that rewrites it, before that batch
 * touches the ledger, so the rotation cannot end and a cancel is not held up.
 * Call while nobody runs the shard (its owner frozen or dead).
 */
export async function lockPendingRecord(
  bench: DistributedBench,
  template: VaultTemplate,
  shard: number,
): Promise<RowLock> {
  const session = await bench.cluster.db.connect();
  try {
    const [row] = await session.query<{
      lo: string | null;
      hi: string | null;
      cursor_key: string | null;
    }>('SELECT lo, hi, cursor_key FROM vsa_shard WHERE shard = $1', [shard]);
    if (!row) throw new Error(`no shard ${shard} in the ledger`);
    await session.query('BEGIN');
    const ids = await session.query<{ id: string }>(
      'SELECT id FROM vault WHERE ($1::text IS NULL OR id > $1) AND ($2::text IS NULL OR id <= $2) ORDER BY id',
      [row.cursor_key ?? row.lo, row.hi],
    );
    const pending = ids.find(({ id }) => template.byId.get(id)?.password === OLD_PASSWORD);
    if (!pending) throw new Error(`shard ${shard} has no record left under the old password`);
    await session.query('SELECT id FROM vault WHERE id = $1 FOR UPDATE', [pending.id]);
    return {
      id: pending.id,
      async release() {
        await session.query('ROLLBACK');
        await session.close();
      },
    };
  } catch (error) {
    await session.close();
    throw error;
  }
}

/** Every file under `folders` (recursively) but `except`, searched for every form of `secrets`. */
export function leaksInFiles(
  folders: readonly string[],
  secrets: readonly string[],
  except: readonly string[],
): string[] {
  const skip = new Set(except);
  const leaks: string[] = [];
  const visit = (path: string): void => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat || skip.has(path)) return;
    if (stat.isDirectory()) {
      for (const name of readdirSync(path)) visit(join(path, name));
    } else if (stat.isFile()) {
      leaks.push(...leaksInBytes(readFileSync(path), secrets, path));
    }
  };
  for (const folder of folders) visit(folder);
  return leaks;
}
