/**
 * A distributed rotation through the built CLI: a real database server
 * (PostgreSQL or MariaDB) holding a vault table built from a template, a
 * private Redis, `worker` processes and a `rotate --queue` coordinator, with
 * every secret in a 0600 file. Then the checks every fault test runs: the
 * table rotated as the template says (our check and vsref's), and no password
 * in any output, Redis key or ledger row.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { openValue } from '../../../../src/engine/codec/index.js';
import { loadArgon2idBackend } from '../../../../src/engine/kdf/index.js';
import {
  completeJsonLines,
  startCli,
  writePasswordFiles,
  type BuiltCli,
  type CliRun,
  type RunningCli,
} from '../../../support/cli.js';
import { makeTempDir, type TempDir } from '../../../support/fixtures.js';
import type { TcpProxy } from '../../../support/tcp-proxy.js';
import { leaksIn, NEW_PASSWORD, OLD_PASSWORD, OTHER_PASSWORD } from '../../../support/passwords.js';
import {
  dumpAllKeys,
  redisAdmin,
  redisUrl,
  startRedis,
  type ManagedRedis,
} from '../../../support/redis.js';
import {
  copyVaultFromServer,
  copyVaultToServer,
  readServerVault,
} from '../../../support/server-vault-copy.js';
import {
  testDatabase,
  type ManagedServer,
  type ServerKind,
  type ServerTls,
  type SqlSession,
  type TestDatabase,
} from '../../../support/servers/index.js';
import { expectVsrefRotated } from '../../support/vsref-check.js';
import type { VaultTemplate } from '../../support/rotation-vault.js';

/** A password no record is under: the wrong-password worker's. */
export const WRONG_PASSWORD = 'Rel-Wrong-Pw-4e0c2b9d13';

export const LEDGER_TABLES = ['vsa_rotation', 'vsa_shard', 'vsa_visit', 'vsa_worker'] as const;

export interface WorkerOptions {
  readonly extra?: readonly string[];
  readonly passwords?: { readonly old: string; readonly new: string };
  /** reach the database through this proxy */
  readonly dbProxy?: TcpProxy;
  /** reach Redis through this proxy */
  readonly redisProxy?: TcpProxy;
}

/** `url` with the host and port of `proxy`. */
function through(url: string, proxy: TcpProxy | undefined): string {
  if (!proxy) return url;
  const parsed = new URL(url);
  parsed.hostname = proxy.host;
  parsed.port = String(proxy.port);
  return parsed.toString();
}

export interface Cluster {
  readonly kind: ServerKind;
  readonly db: TestDatabase;
  /** the owner's session (a new one after reconnectOwner) */
  readonly owner: SqlSession;
  readonly redis: ManagedRedis;
  readonly temp: TempDir;
  /** the connection string the commands get (no password) */
  readonly url: string;
  readonly queue: string;
  /** every process started, for the leak search and the clean-up */
  readonly started: RunningCli[];
  /** the secrets that must appear nowhere */
  secrets(): string[];
  /** `worker` with its own password files (old, new), `--json`; its links through proxies if given */
  worker(options?: WorkerOptions): RunningCli;
  /** `rotate --queue ... --no-local-worker --json` plus `extra` */
  coordinator(extra?: readonly string[]): RunningCli;
  /** `status` / `cancel` (and anything else taking the login options) */
  command(name: string, extra?: readonly string[]): RunningCli;
  /** a new owner session (after the server restarted) */
  reconnectOwner(): Promise<void>;
  /** the vault table reloaded from the template, the ledger and Redis emptied */
  reset(template: VaultTemplate): Promise<void>;
  dispose(): Promise<void>;
}

export interface ClusterOptions {
  /** a private database server the test may restart (default: the shared one) */
  readonly server?: ManagedServer;
  /** Redis over TLS only (rediss://), its certificate signed by `queueCa` */
  readonly redisTls?: ServerTls;
  /** the CA file the commands get as --queue-ca */
  readonly queueCa?: string;
}

export async function startCluster(
  kind: ServerKind,
  cli: BuiltCli,
  options: ClusterOptions = {},
): Promise<Cluster> {
  const { server, redisTls, queueCa } = options;
  const db = await testDatabase(kind, server ? { server } : {});
  let owner = await db.connect();
  const redis = await startRedis(redisTls ? { tls: redisTls } : {});
  const caOption = queueCa === undefined ? [] : ['--queue-ca', queueCa];
  const temp = makeTempDir(`vsa-distributed-${kind}-`);
  const files = writePasswordFiles(temp.path, OLD_PASSWORD, NEW_PASSWORD);
  const secretFile = (name: string, content: string): string => {
    const path = join(temp.path, 'secrets', name);
    writeFileSync(path, `${content}\n`, { mode: 0o600 });
    return path;
  };
  const dbFile = secretFile('db.txt', db.password);
  const redisFile = secretFile('redis.txt', redis.info.password);
  const wrongFile = secretFile('wrong.txt', WRONG_PASSWORD);
  const queue = redisUrl(redis.info);
  const started: RunningCli[] = [];
  const home = join(temp.path, 'home');
  // No ~/.pgpass or ~/.my.cnf of the machine: only what the test gives.
  const env = { HOME: home, XDG_STATE_HOME: join(temp.path, 'state') };
  const login = ['--db-password-file', dbFile];
  const start = (args: readonly string[]): RunningCli => {
    const running = startCli(cli.entry, args, { env, stdin: 'ignore' });
    started.push(running);
    return running;
  };
  const passwordFile = (password: string): string =>
    password === OLD_PASSWORD ? files.old : password === NEW_PASSWORD ? files.new : wrongFile;
  return {
    kind,
    db,
    get owner() {
      return owner;
    },
    async reconnectOwner() {
      await owner.close().catch(() => undefined);
      owner = await db.connect();
    },
    redis,
    temp,
    url: db.url,
    queue,
    started,
    secrets: () => [
      OLD_PASSWORD,
      NEW_PASSWORD,
      OTHER_PASSWORD,
      WRONG_PASSWORD,
      db.password,
      redis.info.password,
    ],
    worker: ({
      extra = [],
      passwords = { old: OLD_PASSWORD, new: NEW_PASSWORD },
      dbProxy,
      redisProxy,
    } = {}) =>
      start([
        'worker',
        through(db.url, dbProxy),
        '--table',
        'vault',
        '--queue',
        through(queue, redisProxy),
        '--queue-password-file',
        redisFile,
        ...caOption,
        '--workers',
        '1',
        '--old-password-file',
        passwordFile(passwords.old),
        '--new-password-file',
        passwordFile(passwords.new),
        ...login,
        '--json',
        ...extra,
      ]),
    coordinator: (extra = []) =>
      start([
        'rotate',
        db.url,
        '--table',
        'vault',
        '--crypto',
        'tiny',
        '--queue',
        queue,
        '--queue-password-file',
        redisFile,
        ...caOption,
        '--no-local-worker',
        '--old-password-file',
        files.old,
        '--new-password-file',
        files.new,
        ...login,
        '--json',
        ...extra,
      ]),
    command: (name, extra = []) => start([name, db.url, '--table', 'vault', ...login, ...extra]),
    async reset(template) {
      for (const table of [...LEDGER_TABLES, 'vault', 'vault_meta', 'vault_before']) {
        await owner.query(`DROP TABLE IF EXISTS ${table}`);
      }
      await copyVaultToServer(template.path, owner);
      const admin = redisAdmin(redis.info);
      try {
        await admin.flushall();
      } finally {
        admin.disconnect();
      }
    },
    async dispose() {
      for (const running of started) {
        if (running.child.exitCode === null && running.child.signalCode === null) {
          running.child.kill('SIGKILL');
        }
      }
      await Promise.allSettled(started.map((running) => running.exited));
      await owner.close();
      await db.dispose();
      await redis.dispose();
      temp.dispose();
    },
  };
}

/**
 * Resolves once the complete JSON lines of `running`'s stdout satisfy `test`
 * (checked at each chunk); rejects if the process ends first (with its output).
 */
export function untilLines(
  running: RunningCli,
  test: (lines: readonly Record<string, unknown>[]) => boolean,
): Promise<readonly Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const lines = completeJsonLines(running.stdout());
      if (!test(lines)) return false;
      cleanup();
      resolve(lines);
      return true;
    };
    const onData = (): void => void check();
    const onClose = (): void => {
      if (check()) return;
      cleanup();
      reject(
        new Error(
          `the process ended before the expected line\nstdout:\n${running.stdout()}\nstderr:\n${running.stderr()}`,
        ),
      );
    };
    const cleanup = (): void => {
      running.child.stdout?.off('data', onData);
      running.child.off('close', onClose);
    };
    running.child.stdout?.on('data', onData);
    running.child.on('close', onClose);
    check();
  });
}

/** The first JSON line of `running` that satisfies `test`, once there is one. */
export async function untilJson(
  running: RunningCli,
  test: (line: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  const lines = await untilLines(running, (all) => all.some(test));
  return lines.find(test)!;
}

/**
 * Transactions open in the test's database that hold locks (a write or a
 * row lock; read-only snapshots hold none), other than the asking session's,
 * seen by the superuser: a process frozen inside one would stall the others.
 */
export async function lockingTransactions(cluster: Cluster): Promise<number> {
  const [row] =
    cluster.kind === 'postgres'
      ? await cluster.db.admin.query<{ n: number | string }>(
          "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%' AND backend_xid IS NOT NULL",
        )
      : await cluster.db.admin.query<{ n: number | string }>(
          'SELECT count(*) AS n FROM information_schema.innodb_trx t JOIN information_schema.processlist p ' +
            'ON p.id = t.trx_mysql_thread_id WHERE p.db = DATABASE() AND p.id <> CONNECTION_ID() ' +
            'AND t.trx_lock_structs > 0',
        );
  return Number(row?.n ?? 0);
}

/**
 * Freezes `worker` (SIGSTOP) at a moment it owns a shard not yet done and
 * holds no open transaction (its locks would stall everyone else), as the
 * ledger and the server show while it cannot move; between tries it runs on
 * to its next shard. Returns with the worker stopped.
 */
export async function freezeHoldingShard(
  cluster: Cluster,
  worker: RunningCli,
  id: string,
): Promise<number> {
  for (;;) {
    // Until the ledger shows it at work on a shard (each read is a round trip: no timer).
    let shards = await ledgerShards(cluster);
    if (shards.length > 0 && shards.every((shard) => shard.done)) {
      throw new Error('every shard was done before the worker could be caught holding one');
    }
    if (!shards.some((shard) => shard.owner === id && !shard.done)) continue;
    worker.child.kill('SIGSTOP');
    shards = await ledgerShards(cluster);
    const held = shards.find((shard) => shard.owner === id && !shard.done);
    if (held && (await lockingTransactions(cluster)) === 0) return held.shard;
    worker.child.kill('SIGCONT');
  }
}

/** A worker's JSON event line of `event` ('joined', 'shard', 'left', ...). */
export function isEvent(event: string): (line: Record<string, unknown>) => boolean {
  return (line) => line.type === 'event' && line.event === event;
}

export interface ShardRow {
  readonly shard: number;
  readonly owner: string | null;
  readonly done: boolean;
  readonly epoch: number;
  readonly scanned: number;
}

/** The ledger's shards (empty before planning). */
export async function ledgerShards(cluster: Cluster): Promise<ShardRow[]> {
  const rows = await cluster.owner.query<Record<string, unknown>>(
    'SELECT shard, owner, done, epoch, scanned FROM vsa_shard ORDER BY shard',
  );
  return rows.map((row) => ({
    shard: Number(row.shard),
    owner: row.owner === null ? null : String(row.owner),
    done: Number(row.done) === 1,
    epoch: Number(row.epoch),
    scanned: Number(row.scanned),
  }));
}

/** Its joined event: the worker's id in the ledger. */
export async function joinedAs(worker: RunningCli): Promise<string> {
  const joined = await untilJson(worker, isEvent('joined'));
  return String(joined.worker);
}

/** Every ledger table present, as text (for the leak search). */
export async function ledgerText(cluster: Cluster): Promise<string> {
  const parts: string[] = [];
  for (const table of LEDGER_TABLES) {
    try {
      const rows = await cluster.owner.query(`SELECT * FROM ${table}`);
      parts.push(`${table}: ${JSON.stringify(rows)}`);
    } catch {
      // dropped at the end of a completed rotation
    }
  }
  return parts.join('\n');
}

/** No password (in any form) in any output so far, in Redis, or in the ledger. */
export async function expectNoPasswordAnywhere(
  cluster: Cluster,
  runs: readonly CliRun[] = [],
): Promise<void> {
  const secrets = cluster.secrets();
  const leaks: string[] = [];
  for (const [index, running] of cluster.started.entries()) {
    leaks.push(...leaksIn(running.stdout(), secrets, `process ${index} stdout`));
    leaks.push(...leaksIn(running.stderr(), secrets, `process ${index} stderr`));
  }
  for (const run of runs) leaks.push(...leaksIn(run.stdout + run.stderr, secrets, 'a run'));
  const admin = redisAdmin(cluster.redis.info);
  try {
    for (const [key, value] of await dumpAllKeys(admin)) {
      leaks.push(...leaksIn(value.toString('latin1'), secrets, `Redis key ${key}`));
      leaks.push(...leaksIn(value.toString('utf8'), secrets, `Redis key ${key}`));
    }
  } finally {
    admin.disconnect();
  }
  leaks.push(...leaksIn(await ledgerText(cluster), secrets, 'the ledger'));
  expect(leaks).toEqual([]);
}

/**
 * The table rotated as the template says: every record of the old password a
 * v2 value that opens with the new one to its plaintext (none left under the
 * old one), every other record byte for byte, none lost or added; then
 * vsref's verify of the table copied back into SQLite.
 */
export async function expectRotatedAsTemplate(
  cluster: Cluster,
  template: VaultTemplate,
): Promise<void> {
  const rows = await readServerVault(cluster.owner);
  expect(rows.length, 'no record lost or added').toBe(template.records.length);
  const kdf = await loadArgon2idBackend('auto');
  const newKey = Buffer.from(NEW_PASSWORD, 'utf8');
  const wrong: string[] = [];
  for (const row of rows) {
    const original = template.byId.get(String(row.id));
    if (!original) {
      wrong.push(`record ${String(row.id)}: not in the template`);
      continue;
    }
    if (original.password !== OLD_PASSWORD) {
      if (row.vault_value !== original.value)
        wrong.push(`record ${original.id}: not ours, changed`);
      continue;
    }
    if (row.vault_value === original.value) {
      wrong.push(`record ${original.id}: left under the old password`);
      continue;
    }
    const opened = await openValue(String(row.vault_value), newKey, template.config, kdf);
    if (!opened.ok || !original.plaintext || !opened.plaintext.equals(original.plaintext)) {
      wrong.push(`record ${original.id}: does not open with the new password to its plaintext`);
    }
  }
  expect(wrong).toEqual([]);
  const file = join(cluster.temp.path, `copy-${Math.random().toString(36).slice(2)}.db`);
  await copyVaultFromServer(cluster.owner, file);
  copyFileSync(`${template.path}.manifest.json`, `${file}.manifest.json`);
  await expectVsrefRotated(file);
}
