/**
 * Distributed rotation end to end through the built CLI (issue 18): `worker`
 * processes and a `rotate --queue` coordinator on a real PostgreSQL 15 /
 * MariaDB 10.11 table and a real Redis, tiny preset. The happy path, then the
 * faults: a worker SIGKILLed mid-shard, a worker SIGSTOPped past its lock (a
 * zombie fenced out at its next commit), a worker with the wrong password
 * (exit 8 before claiming anything), cancel then resume, the coordinator
 * killed and another re-attaching, a single-machine rotate refused meanwhile,
 * Redis restarted with and without its data. After each: the table rotated
 * as the template says (no record lost or left under the old password; vsref
 * verify) and no password in any output, Redis key or ledger row.
 *
 * Faults are placed by events, never by sleeps: a worker is frozen (SIGSTOP)
 * and the ledger read while it cannot move, to know it holds a shard.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/cli/exit-codes.js';
import { encodeV2Value, openValue } from '../../../src/engine/codec/index.js';
import { loadArgon2idBackend } from '../../../src/engine/kdf/index.js';
import { NEW_PASSWORD, OLD_PASSWORD } from '../../support/passwords.js';
import { readServerVault } from '../../support/server-vault-copy.js';
import {
  buildCliForTest,
  collect,
  lastOfType,
  completeJsonLines,
  type BuiltCli,
  type RunningCli,
} from '../../support/cli.js';
import { makeSelfSigned, opensslMissing } from '../../support/fake-servers/certificate.js';
import { makeTempDir, type TempDir } from '../../support/fixtures.js';
import { redisUnavailable } from '../../support/redis.js';
import { startTcpProxy } from '../../support/tcp-proxy.js';
import {
  SERVER_KINDS,
  serverUnavailable,
  startPrivateServer,
  type ManagedServer,
} from '../../support/servers/index.js';
import { buildTemplate, tiny, type VaultTemplate } from '../support/rotation-vault.js';
import {
  expectNoPasswordAnywhere,
  expectRotatedAsTemplate,
  isEvent,
  ledgerShards,
  WRONG_PASSWORD,
  startCluster,
  freezeHoldingShard,
  joinedAs,
  type Cluster,
  type WorkerOptions,
} from './support/cluster.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** records in the table: enough for a dozen shards of a few batches each */
const RECORDS = 2000;
const SHARDS = ['--shards', '16'];

let cli: BuiltCli;
let templateDir: TempDir;
let template: VaultTemplate;
beforeAll(async () => {
  cli = await buildCliForTest('distributed');
  templateDir = makeTempDir('vsa-distributed-template-');
  template = await buildTemplate(templateDir.path, RECORDS);
});
afterAll(() => {
  cli?.dispose();
  templateDir?.dispose();
});

/** `rotate` on one machine (the login options come from cluster.command). */
function singleMachine(cluster: Cluster): string[] {
  return [
    '--crypto',
    'tiny',
    '--old-password-file',
    join(cluster.temp.path, 'secrets', 'old.txt'),
    '--new-password-file',
    join(cluster.temp.path, 'secrets', 'new.txt'),
    '--json',
  ];
}

/**
 * A coordinator and its only worker, frozen (SIGSTOP) while it holds a shard
 * not yet done: the rotation cannot end until it is continued (SIGCONT), so
 * a fault placed now lands mid-rotation, whatever the machine's speed.
 */
async function loneWorkerFrozen(
  cluster: Cluster,
  coordinatorArgs: readonly string[] = SHARDS,
): Promise<{ coordinator: RunningCli; worker: RunningCli }> {
  const coordinator = cluster.coordinator(coordinatorArgs);
  const worker = cluster.worker();
  await freezeHoldingShard(cluster, worker, await joinedAs(worker));
  return { coordinator, worker };
}

/**
 * A coordinator (ledger kept) and two workers, the first frozen (SIGSTOP)
 * while it holds a shard not yet done, the second started after that.
 */
async function frozenMidShard(
  cluster: Cluster,
  options: WorkerOptions = {},
): Promise<{
  coordinator: RunningCli;
  frozen: RunningCli;
  id: string;
  other: RunningCli;
  shard: number;
}> {
  const coordinator = cluster.coordinator([...SHARDS, '--keep-ledger']);
  const frozen = cluster.worker(options);
  const id = await joinedAs(frozen);
  const shard = await freezeHoldingShard(cluster, frozen, id);
  // Started only now: alone, it could finish every shard before the first is caught at one.
  const other = cluster.worker();
  return { coordinator, frozen, id, other, shard };
}

describe.each(SERVER_KINDS)('distributed rotation through the CLI on %s', (kind) => {
  const unavailable = serverUnavailable(kind) ?? redisUnavailable();
  let cluster: Cluster;

  beforeAll(async () => {
    if (unavailable) return;
    cluster = await startCluster(kind, cli);
  });
  afterAll(async () => cluster?.dispose());
  beforeEach(async (context) => {
    if (unavailable) return context.skip(unavailable);
    await cluster.reset(template);
  });
  afterEach(async () => {
    // every process of a test is gone before the next starts
    for (const running of cluster?.started ?? []) {
      if (running.child.exitCode === null && running.child.signalCode === null) {
        running.child.kill('SIGCONT');
        running.child.kill('SIGKILL');
      }
    }
    await Promise.allSettled((cluster?.started ?? []).map((running) => running.exited));
    cluster?.started.splice(0);
  });

  it('three workers and a coordinator rotate the table; status reads the ledger; no password anywhere', async () => {
    const workers = [cluster.worker(), cluster.worker(), cluster.worker()];
    const coordinator = cluster.coordinator([...SHARDS, '--keep-ledger']);
    const run = await collect(coordinator);
    expect(run.code, run.stderr).toBe(EXIT.ok);
    // Its own check is the pre-flight, told first as on one machine (no separate check job).
    const told = completeJsonLines(run.stdout);
    expect(told.filter((line) => line.type === 'preflight')).toHaveLength(1);
    expect(told[0]).toMatchObject({ type: 'preflight', canRotate: true, total: RECORDS });
    const summary = lastOfType(told, 'summary');
    expect(summary).toMatchObject({ status: 'completed', rotated: template.rotatable, failed: 0 });
    expect(summary?.distributed).toMatchObject({ shards: 16 });
    // As on one machine: a backup file in the state folder, taken before the first write.
    expect(String(summary?.backup)).toMatch(/\/vaultstore-admin\/.*\.backup-\d{8}-\d{6}\.db$/);
    expect(existsSync(String(summary?.backup))).toBe(true);
    for (const worker of workers) {
      const ended = await collect(worker);
      expect(ended.code, ended.stderr).toBe(EXIT.ok);
      expect(lastOfType(completeJsonLines(ended.stdout), 'summary')).toMatchObject({
        state: 'completed',
      });
    }
    await expectRotatedAsTemplate(cluster, template);
    // A worker started after the end (a retried Job pod): --no-wait leaves at once, exit 0.
    const late = await collect(cluster.worker({ extra: ['--no-wait'] }));
    expect(late.code, late.stderr).toBe(EXIT.ok);
    expect(lastOfType(completeJsonLines(late.stdout), 'summary')).toMatchObject({
      rotation: null,
      shardsRun: 0,
    });
    const status = await collect(cluster.command('status', ['--json']));
    expect(status.code, status.stderr).toBe(EXIT.ok);
    expect(JSON.parse(status.stdout)).toMatchObject({
      type: 'status',
      rotation: { state: 'completed', shards: 16, shardsDone: 16, rowsAtStart: RECORDS },
    });
    const text = await collect(cluster.command('status'));
    expect(text.stdout).toMatch(/Distributed rotation \S+ of table \S*vault: completed/);
    expect(text.stdout).toMatch(/Shards: 16 of 16 done\./);
    await expectNoPasswordAnywhere(cluster);
  });

  it('a coordinator whose old password opens nothing: its pre-flight, then exit 4; nothing planned', async () => {
    const wrong = join(cluster.temp.path, 'secrets', 'coordinator-wrong.txt');
    writeFileSync(wrong, `${WRONG_PASSWORD}\n`, { mode: 0o600 });
    const before = await readServerVault(cluster.owner, 'vault');
    const refused = await collect(cluster.coordinator([...SHARDS, '--old-password-file', wrong]));
    expect(refused.code, refused.stderr).toBe(EXIT.nothingOpened);
    const told = completeJsonLines(refused.stdout);
    expect(told.map((line) => line.type)).toEqual(['preflight', 'error']);
    expect(told[0]).toMatchObject({ canRotate: false, opened: 0 });
    expect(told[1]).toMatchObject({ code: 'NOTHING_OPENED', exitCode: EXIT.nothingOpened });
    expect(refused.stderr).toMatch(/^error: /m);
    expect(await readServerVault(cluster.owner, 'vault')).toEqual(before);
    const [rows] = await cluster.owner.query<{ n: number | string }>(
      'SELECT count(*) AS n FROM vsa_rotation',
    );
    expect(Number(rows?.n)).toBe(0);
    await expectNoPasswordAnywhere(cluster);
  });

  it('a worker with the wrong password exits 8 before claiming anything; the others finish', async () => {
    const coordinator = cluster.coordinator([...SHARDS, '--backup-table', 'vault_before']);
    const good = cluster.worker();
    const wrong = cluster.worker({ passwords: { old: WRONG_PASSWORD, new: NEW_PASSWORD } });
    const refused = await collect(wrong);
    expect(refused.code, refused.stderr).toBe(EXIT.passwordsRefused);
    expect(refused.stdout + refused.stderr).toMatch(/PASSWORDS_REFUSED/);
    const run = await collect(coordinator);
    expect(run.code, run.stderr).toBe(EXIT.ok);
    expect((await collect(good)).code).toBe(EXIT.ok);
    // It never took a shard: no shard run of it in its output.
    expect(completeJsonLines(refused.stdout).filter(isEvent('shard'))).toEqual([]);
    // --backup-table: the whole table, as it was, beside it.
    expect(lastOfType(completeJsonLines(run.stdout), 'summary')).toMatchObject({
      backup: 'table:vault_before',
    });
    const [copied] = await cluster.owner.query<{ n: number | string }>(
      'SELECT count(*) AS n FROM vault_before',
    );
    expect(Number(copied?.n)).toBe(RECORDS);
    await expectRotatedAsTemplate(cluster, template);
    await expectNoPasswordAnywhere(cluster);
  });

  it('a worker SIGKILLed mid-shard: its shard goes to another, nothing lost', async () => {
    const { coordinator, frozen: victim, other: survivor, shard } = await frozenMidShard(cluster);
    victim.child.kill('SIGKILL');
    expect((await victim.exited).signal).toBe('SIGKILL');
    const run = await collect(coordinator);
    expect(run.code, run.stderr).toBe(EXIT.ok);
    expect((await collect(survivor)).code).toBe(EXIT.ok);
    const after = (await ledgerShards(cluster)).find((row) => row.shard === shard);
    // Claimed again by the survivor: a new epoch, done.
    expect(after).toMatchObject({ done: true });
    expect(after!.epoch).toBeGreaterThan(1);
    await expectRotatedAsTemplate(cluster, template);
    await expectNoPasswordAnywhere(cluster);
  });

  it('a worker SIGSTOPped past its lock is fenced out at its next commit (a zombie writes nothing)', async () => {
    const { coordinator, frozen: zombie, id, other, shard } = await frozenMidShard(cluster);
    // The rotation completes without it: its shard was redelivered once its lock expired.
    const run = await collect(coordinator);
    expect(run.code, run.stderr).toBe(EXIT.ok);
    expect((await collect(other)).code).toBe(EXIT.ok);
    const before = (await ledgerShards(cluster)).find((row) => row.shard === shard)!;
    expect(before.owner).not.toBe(id);
    zombie.child.kill('SIGCONT');
    const ended = await collect(zombie);
    const shardRuns = completeJsonLines(ended.stdout).filter(isEvent('shard'));
    expect(shardRuns.find((line) => line.shard === shard)).toMatchObject({
      outcome: expect.stringMatching(/fenced|stopped/),
    });
    expect(ended.code, ended.stderr).toBe(EXIT.ok);
    // Its late commit changed nothing: the shard row is as the other worker left it.
    expect((await ledgerShards(cluster)).find((row) => row.shard === shard)).toEqual(before);
    await expectRotatedAsTemplate(cluster, template);
    await expectNoPasswordAnywhere(cluster);
  });

  it('cancel stops coordinator and workers (exit 3, batches kept); rotate --queue --resume finishes', async () => {
    const { coordinator, worker } = await loneWorkerFrozen(cluster);
    const cancel = await collect(cluster.command('cancel'));
    expect(cancel.code, cancel.stderr).toBe(EXIT.ok);
    expect(cancel.stdout).toMatch(/^Cancelled: every worker stops within about a second/);
    worker.child.kill('SIGCONT');
    const stopped = await collect(coordinator);
    expect(stopped.code, stopped.stderr).toBe(EXIT.cancelled);
    const summary = lastOfType(completeJsonLines(stopped.stdout), 'summary');
    expect(summary).toMatchObject({ status: 'cancelled' });
    expect(String(summary?.resumeCommand)).toMatch(/ rotate .* --resume .*--queue /);
    expect((await collect(worker)).code).toBe(EXIT.cancelled);
    const status = await collect(cluster.command('status', ['--json']));
    expect(JSON.parse(status.stdout)).toMatchObject({ rotation: { state: 'cancelled' } });
    // A single-machine rotate is refused while it is cancelled but not finished.
    const single = await collect(cluster.command('rotate', singleMachine(cluster)));
    expect(single.code, single.stderr).toBe(EXIT.rotationInProgress);

    const resumed = cluster.coordinator([...SHARDS, '--resume']);
    const helper = cluster.worker();
    const run = await collect(resumed);
    expect(run.code, run.stderr).toBe(EXIT.ok);
    expect((await collect(helper)).code).toBe(EXIT.ok);
    await expectRotatedAsTemplate(cluster, template);
    await expectNoPasswordAnywhere(cluster);
  });

  it('the coordinator killed: a single-machine rotate is refused meanwhile; another coordinator re-attaches', async () => {
    const { coordinator: first, worker } = await loneWorkerFrozen(cluster);
    first.child.kill('SIGKILL');
    await first.exited;
    const single = await collect(cluster.command('rotate', singleMachine(cluster)));
    expect(single.code, single.stderr).toBe(EXIT.rotationInProgress);
    expect(single.stdout + single.stderr).toMatch(/DISTRIBUTED_ACTIVE/);
    // The same command, without --resume: it takes the running rotation over from the ledger.
    const second = cluster.coordinator(SHARDS);
    worker.child.kill('SIGCONT');
    const run = await collect(second);
    expect(run.code, run.stderr).toBe(EXIT.ok);
    // Re-attached: no check ran (the canaries proved the passwords).
    expect(completeJsonLines(run.stdout).map((line) => line.type)).not.toContain('preflight');
    expect((await collect(worker)).code).toBe(EXIT.ok);
    await expectRotatedAsTemplate(cluster, template);
    await expectNoPasswordAnywhere(cluster);
  });

  it.each([
    { link: 'Redis', proxied: 'redisProxy', exits: [EXIT.ok] },
    // --server-timeout: it notices (CONNECTION_LOST, exit 1) or comes back to a finished rotation
    { link: 'the database', proxied: 'dbProxy', exits: [EXIT.ok, EXIT.error] },
  ] as const)(
    'a worker cut off from $link mid-shard (black hole): the others finish; back, it leaves',
    async ({ link, proxied, exits }) => {
      const server =
        link === 'Redis' ? cluster.redis.info : { host: cluster.db.host, port: cluster.db.port };
      const proxy = await startTcpProxy({ host: server.host, port: server.port });
      try {
        const { coordinator, frozen, other } = await frozenMidShard(cluster, {
          [proxied]: proxy,
          extra: ['--server-timeout', '3'],
        });
        proxy.blackhole();
        frozen.child.kill('SIGCONT');
        // It talks into the void: its lock (Redis) or its batch (database) goes nowhere.
        await proxy.whenHeld('toServer');
        const run = await collect(coordinator);
        expect(run.code, run.stderr).toBe(EXIT.ok);
        expect((await collect(other)).code).toBe(EXIT.ok);
        proxy.restore();
        const ended = await collect(frozen);
        expect(exits, ended.stderr).toContain(ended.code);
        await expectRotatedAsTemplate(cluster, template);
        await expectNoPasswordAnywhere(cluster);
      } finally {
        await proxy.close();
      }
    },
  );

  it('an application that never stops writing under the old password: incomplete (exit 6), none of its writes lost', async () => {
    const kdf = await loadArgon2idBackend('auto');
    const pool: { value: string; plaintext: string }[] = [];
    for (let i = 0; i < 40; i++) {
      const plaintext = `written by the application #${i}`;
      pool.push({
        plaintext,
        value: await encodeV2Value(Buffer.from(plaintext), bytes(OLD_PASSWORD), tiny, kdf),
      });
    }
    const ids = template.records
      .filter((record) => record.password === OLD_PASSWORD)
      .map((record) => record.id);
    const session = await cluster.db.connect();
    const param = (n: number): string => (kind === 'postgres' ? `$${n}` : '?');
    const last = new Map<string, string>();
    const coordinator = cluster.coordinator(SHARDS);
    const worker = cluster.worker();
    let step = 0;
    // Writes as fast as the server takes them until the coordinator has ended: no pause to race.
    const writer = (async () => {
      while (coordinator.child.exitCode === null && coordinator.child.signalCode === null) {
        const id = ids[(step * 37) % ids.length]!;
        const written = pool[step % pool.length]!;
        await session.query(`UPDATE vault SET vault_value = ${param(1)} WHERE id = ${param(2)}`, [
          written.value,
          id,
        ]);
        last.set(id, written.plaintext);
        step++;
      }
    })();
    const run = await collect(coordinator);
    await writer;
    await session.close();
    expect(run.code, run.stderr).toBe(EXIT.incomplete);
    expect(lastOfType(completeJsonLines(run.stdout), 'summary')).toMatchObject({
      status: 'incomplete',
    });
    // The worker leaves once the rotation is over: incomplete if it saw the ledger say so, 0 once dropped.
    expect([EXIT.incomplete, EXIT.ok]).toContain((await collect(worker)).code);
    const rows = new Map(
      (await readServerVault(cluster.owner)).map((row) => [String(row.id), row]),
    );
    expect(rows.size, 'no record lost or added').toBe(template.records.length);
    const lost: string[] = [];
    for (const [id, plaintext] of last) {
      const value = String(rows.get(id)?.vault_value);
      const underNew = await openValue(value, bytes(NEW_PASSWORD), tiny, kdf);
      const underOld = await openValue(value, bytes(OLD_PASSWORD), tiny, kdf);
      const opened = underNew.ok ? underNew : underOld;
      if (!opened.ok || opened.plaintext.toString() !== plaintext) lost.push(id);
    }
    expect(lost, 'the application write is kept (rotated or as written)').toEqual([]);
    await expectNoPasswordAnywhere(cluster);
  });

  it.each([true, false])(
    'Redis restarted (keeping its data: %s): the rotation completes',
    async (keepData) => {
      const { coordinator, worker } = await loneWorkerFrozen(cluster);
      await cluster.redis.restart({ keepData });
      worker.child.kill('SIGCONT');
      const run = await collect(coordinator);
      expect(run.code, run.stderr).toBe(EXIT.ok);
      expect((await collect(worker)).code).toBe(EXIT.ok);
      await expectRotatedAsTemplate(cluster, template);
      await expectNoPasswordAnywhere(cluster);
    },
  );
});

describe.each(SERVER_KINDS)('the %s server restarted during a distributed rotation', (kind) => {
  const unavailable = serverUnavailable(kind) ?? redisUnavailable();
  let server: ManagedServer;
  let cluster: Cluster;

  beforeAll(async () => {
    if (unavailable) return;
    server = await startPrivateServer(kind);
    cluster = await startCluster(kind, cli, { server });
  });
  afterAll(async () => {
    await cluster?.dispose();
    await server?.dispose();
  });

  it('nothing is lost: workers that lost their link are replaced (as a Job would); the rotation finishes', async (context) => {
    if (unavailable) return context.skip(unavailable);
    await cluster.reset(template);
    const { coordinator, worker: frozen } = await loneWorkerFrozen(cluster);
    await server.restart();
    frozen.child.kill('SIGCONT');
    const workers = [frozen];
    // A worker whose link broke leaves with 1, naming the loss; another takes its place.
    const replaced = workers.map(async (worker) => {
      const ended = await worker.exited;
      if (ended.code === EXIT.ok) return ended;
      expect(ended.code, ended.stderr).toBe(EXIT.error);
      expect(ended.stdout + ended.stderr).toMatch(/CONNECTION_LOST|SERVER_UNREACHABLE/);
      return collect(cluster.worker());
    });
    const run = await collect(coordinator);
    if (run.code !== EXIT.ok) {
      // The coordinator lost its link too: it names it and the command that continues.
      expect(
        run.code,
        `${run.stderr}\nworkers:\n${workers.map((w) => w.stderr()).join('\n')}`,
      ).toBe(EXIT.error);
      expect(lastOfType(completeJsonLines(run.stdout), 'error')).toMatchObject({
        code: expect.stringMatching(/CONNECTION_LOST|SERVER_UNREACHABLE/),
        resumeCommand: expect.stringContaining('--queue'),
      });
      const again = await collect(cluster.coordinator(SHARDS));
      expect(again.code, again.stderr).toBe(EXIT.ok);
    }
    for (const ended of await Promise.all(replaced)) expect(ended.code, ended.stderr).toBe(EXIT.ok);
    await cluster.reconnectOwner();
    await expectRotatedAsTemplate(cluster, template);
    await expectNoPasswordAnywhere(cluster);
  });
});

describe.skipIf(serverUnavailable('postgres') ?? redisUnavailable() ?? opensslMissing)(
  'a distributed rotation through rediss:// (TLS, --queue-ca)',
  () => {
    let certDir: TempDir;
    let cluster: Cluster;
    beforeAll(async () => {
      certDir = makeTempDir('vsa-distributed-tls-');
      const cert = makeSelfSigned(certDir.path, ['localhost']);
      cluster = await startCluster('postgres', cli, {
        redisTls: { certFile: cert.certFile, keyFile: join(certDir.path, 'fake.key') },
        queueCa: join(certDir.path, 'fake.pem'),
      });
    });
    afterAll(async () => {
      await cluster?.dispose();
      certDir?.dispose();
    });

    it('workers and coordinator reach Redis over TLS with its password; vsref verifies', async () => {
      await cluster.reset(template);
      expect(cluster.queue).toMatch(/^rediss:\/\/localhost:/);
      const workers = [cluster.worker(), cluster.worker()];
      const run = await collect(cluster.coordinator(SHARDS));
      expect(run.code, run.stderr).toBe(EXIT.ok);
      for (const worker of workers) expect((await collect(worker)).code).toBe(EXIT.ok);
      await expectRotatedAsTemplate(cluster, template);
      await expectNoPasswordAnywhere(cluster);
    });
  },
);
