/**
 * Distributed rotation from the app, end to end (issue 19): the built
 * renderer in Chromium, bridged to a real VaultService (the app's
 * coordinator), a real PostgreSQL table (tiny preset) and a real Redis with a
 * password, and `worker` processes of the built CLI started from the very
 * command the Add-workers panel shows, each reading its passwords from its
 * own files. Faults are placed by events, never by sleeps: a worker frozen
 * (SIGSTOP) while the ledger shows it holding a shard, then killed; a record
 * of that shard locked by the test so the worker that redoes it waits there
 * until the test lets it go (after the cancel).
 */
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
import {
  expectNoPasswordAnywhere,
  expectRotatedAsTemplate,
  joinedAs,
} from '../test/reliability/distributed/support/cluster.js';
import { buildTemplate, type VaultTemplate } from '../test/reliability/support/rotation-vault.js';
import { startDistributedBench, type DistributedBench } from './support/distributed-bench.js';

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
    await cluster.reset(template);
    cluster.started.splice(0);
  });

  it.todo('the app coordinates: workers join, one is lost, cancel, reopen, resume');
});
