/**
 * The "Add workers" panel's text (src/renderer/lib/worker-instructions.ts),
 * read back by what will read it: the command split as a shell splits it and
 * parsed by the CLI's own parser (the worker the panel promises), the
 * manifest parsed as YAML (its args parsed by the CLI too) and compared with
 * the one docs/distributed.md shows. No password in either, even when the
 * caller hands in the connect form's object with its password.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/cli/args.js';
import type { WorkerArgs } from '../../src/cli/distributed-args.js';
import type { ServerConnection } from '../../src/shared/ipc-contract.js';
import {
  kubernetesJob,
  podMemory,
  workerCommand,
  workerNeeds,
  type WorkerInstructionsInput,
} from '../../src/renderer/lib/worker-instructions.js';
import { repoRoot } from '../support/cli.js';
import { leaksIn } from '../support/passwords.js';
import { splitShellWords } from '../support/shell-words.js';

// js-yaml is in node_modules through electron-builder; a test-only reader, no types needed.
const { load: loadYaml } = createRequire(import.meta.url)('js-yaml') as {
  load(text: string): unknown;
};

/** The worker invocation of a command line (throws the CLI's UsageError when it is not one). */
function parsedWorker(argv: readonly string[]): WorkerArgs {
  const invocation = parseCommandLine(argv);
  if (invocation.command !== 'worker') throw new Error(`not a worker: ${invocation.command}`);
  return invocation.args;
}

/** The worker opens the database the app's connection names (its CA file where the worker has it). */
function expectServerOf(
  args: WorkerArgs,
  connection: ServerConnection,
  caFile = connection.caFile,
): void {
  expect(args.server).toMatchObject({ ...connection, caFile });
}

/** The command as a shell hands it to the program: argv after "vaultstore-admin". */
function commandArgv(text: string): string[] {
  const [program, ...argv] = splitShellWords(text);
  expect(program).toBe('vaultstore-admin');
  return argv;
}

interface Manifest {
  spec: {
    parallelism: number;
    podFailurePolicy: { rules: { action: string; onExitCodes?: { values: number[] } }[] };
    template: {
      spec: {
        restartPolicy: string;
        containers: {
          name: string;
          args: string[];
          resources: { requests: { cpu: string; memory: string }; limits: { memory: string } };
          volumeMounts: { name: string; mountPath: string; readOnly: boolean }[];
        }[];
        volumes: { name: string; secret: { secretName: string; defaultMode: number } }[];
      };
    };
  };
}

const docsInput: WorkerInstructionsInput = {
  connection: {
    dialect: 'postgres',
    host: 'db.internal',
    port: 5432,
    database: 'app',
    user: 'rotator',
    tls: 'verify-full',
    caFile: null,
  },
  table: 'vault',
  queue: { url: 'rediss://redis.internal:6379', caFile: null },
  queuePassword: true,
  databasePassword: true,
  pool: 4,
  crypto: { preset: 'high' },
  parallelism: 16,
};

/** A local test server without TLS: what the e2e connects to. */
const localInput: WorkerInstructionsInput = {
  connection: {
    dialect: 'postgres',
    host: '127.0.0.1',
    port: 55432,
    database: 'vsa_e2e',
    user: 'owner',
    tls: 'disable',
    caFile: null,
  },
  table: 'vault',
  queue: { url: 'redis://127.0.0.1:6390/0', caFile: null },
  queuePassword: true,
  databasePassword: true,
  pool: 2,
  crypto: { preset: 'tiny' },
};

/** Names a shell and YAML would both misread unquoted, CA files on both links, MySQL. */
const awkwardInput: WorkerInstructionsInput = {
  connection: {
    dialect: 'mysql',
    host: 'db.example.org',
    port: 3307,
    database: "o'brien db: #1",
    user: 'rot ator',
    tls: 'verify-full',
    caFile: '/etc/ssl/My CAs/db.pem',
  },
  table: 'vault #2: archive',
  queue: { url: 'rediss://queue.example.org:6380/3', caFile: '/etc/ssl/redis ca.pem' },
  queuePassword: false,
  databasePassword: false,
  pool: 3,
  crypto: { preset: 'default' },
  newCrypto: { preset: 'custom', config: { iterations: 2, memoryKiB: 200_000, parallelism: 1 } },
};

describe('the worker command of the Add-workers panel', () => {
  it('is the worker the CLI parses: same database, table, queue, pool; passwords from files', () => {
    const text = workerCommand(localInput);
    const args = parsedWorker(commandArgv(text));
    expectServerOf(args, localInput.connection);
    expect(args.server?.tls).toBe('disable');
    expect(args.table).toBe('vault');
    expect(args.queue).toMatchObject({ url: 'redis://127.0.0.1:6390/0', tls: false });
    expect(args.queue.password).toEqual({ kind: 'file', path: '~/.vsa/redis' });
    expect(args.workers).toBe(2);
    expect(args.noWait).toBe(false);
    expect(args.oldPassword).toEqual({ kind: 'file', path: '~/.vsa/old' });
    expect(args.newPassword).toEqual({ kind: 'file', path: '~/.vsa/new' });
    expect(args.dbPassword.source).toEqual({ kind: 'file', path: '~/.vsa/db' });
    // unquoted, so that the shell expands ~/: the files are the worker's own
    expect(splitShellWords(text, '/home/w')).toContain('/home/w/.vsa/old');
  });

  it('keeps quotes, spaces, colons and CA files intact through the shell and the parser', () => {
    const text = workerCommand(awkwardInput);
    const args = parsedWorker(commandArgv(text));
    expectServerOf(args, awkwardInput.connection);
    expect(args.server).toMatchObject({ database: "o'brien db: #1", user: 'rot ator' });
    expect(args.table).toBe('vault #2: archive');
    expect(args.queue).toMatchObject({
      url: 'rediss://queue.example.org:6380/3',
      tls: true,
      caFile: '/etc/ssl/redis ca.pem',
      password: null,
    });
    // no database password file: the login's own sources (option file, or a prompt)
    expect(args.dbPassword.source).toEqual({ kind: 'prompt' });
    expect(args.workers).toBe(3);
  });

  it('leaves out sslmode only where the CLI picks the same (verify-full, another machine)', () => {
    expect(workerCommand(docsInput)).toMatch(
      /^vaultstore-admin worker 'postgres:\/\/rotator@db\.internal:5432\/app' /,
    );
    for (const tls of ['disable', 'require'] as const) {
      const input = { ...docsInput, connection: { ...docsInput.connection, tls } };
      expect(parsedWorker(commandArgv(workerCommand(input))).server?.tls).toBe(tls);
    }
    const local = {
      ...localInput,
      connection: { ...localInput.connection, tls: 'verify-full' as const },
    };
    expect(parsedWorker(commandArgv(workerCommand(local))).server?.tls).toBe('verify-full');
  });

  it('holds no password even when handed the connect form with its passwords', () => {
    const secrets = ['Db-Secret-Pw-5a1e', 'Redis-Secret-Pw-93c2'];
    const withPasswords = {
      ...localInput,
      connection: { ...localInput.connection, password: secrets[0] },
      queue: { ...localInput.queue, password: secrets[1] },
    } as WorkerInstructionsInput;
    const texts = [
      workerCommand(withPasswords),
      kubernetesJob(withPasswords),
      ...workerNeeds(withPasswords),
    ];
    expect(leaksIn(texts.join('\n'), secrets, 'the panel')).toEqual([]);
  });

  it('says what a worker needs, and that a loopback host is this machine', () => {
    const needs = workerNeeds(localInput).join('\n');
    expect(needs).toContain('127.0.0.1 is this machine');
    expect(workerNeeds(docsInput).join('\n')).not.toContain('is this machine');
    expect(workerNeeds(awkwardInput).join('\n')).toContain('CA certificate files');
  });
});

describe('the Kubernetes Job of the Add-workers panel', () => {
  it('is the manifest docs/distributed.md shows', () => {
    const docs = readFileSync(join(repoRoot, 'docs', 'distributed.md'), 'utf8');
    const block = /```yaml\n([\s\S]*?)```/.exec(docs)?.[1];
    expect(block).toBeDefined();
    expect(kubernetesJob(docsInput)).toBe(block);
  });

  it.each([
    ['the docs example', docsInput],
    ['a local server', localInput],
    ['awkward names and CA files', awkwardInput],
  ])('parses as YAML into a worker Job the CLI accepts: %s', (_name, input) => {
    const manifest = loadYaml(kubernetesJob(input)) as Manifest;
    const pod = manifest.spec.template.spec;
    const [container] = pod.containers;
    expect(container?.name).toBe('worker');
    expect(manifest.spec.parallelism).toBe(input.parallelism ?? 16);
    expect(pod.restartPolicy).toBe('Never');
    const args = parsedWorker(container!.args);
    expectServerOf(
      args,
      input.connection,
      input.connection.caFile === null ? null : '/run/secrets/vsa/db-ca.pem',
    );
    expect(args.table).toBe(input.table);
    expect(args.queue.url).toBe(input.queue.url);
    expect(args.queue.caFile).toBe(
      input.queue.caFile === null ? undefined : '/run/secrets/vsa/redis-ca.pem',
    );
    expect(args.noWait).toBe(true);
    expect(args.workers).toBe(input.pool);
    expect(args.oldPassword).toEqual({ kind: 'file', path: '/run/secrets/vsa/old' });
    expect(args.newPassword).toEqual({ kind: 'file', path: '/run/secrets/vsa/new' });
    // CPU = pool; memory = pool x Argon2 memory + 300 MiB, requested and the limit
    const { requests, limits } = container!.resources;
    expect(requests.cpu).toBe(String(input.pool));
    expect(requests.memory).toBe(`${podMemory(input).totalMiB}Mi`);
    expect(limits.memory).toBe(requests.memory);
    // the passwords as files of a Secret, read-only, never env
    expect(container!.volumeMounts).toEqual([
      { name: 'secrets', mountPath: '/run/secrets/vsa', readOnly: true },
    ]);
    expect(pod.volumes[0]?.secret).toEqual({ secretName: 'vault-rotation', defaultMode: 0o400 });
    expect(JSON.stringify(container)).not.toContain('"env"');
    // exit 8 (passwords refused) fails the Job: retrying would fail the same way
    const failJob = manifest.spec.podFailurePolicy.rules
      .filter((rule) => rule.action === 'FailJob')
      .flatMap((rule) => rule.onExitCodes?.values ?? []);
    expect(failJob).toEqual(expect.arrayContaining([8, 2, 3, 6]));
  });

  it('sizes memory by the larger of the read and written Argon2id settings', () => {
    expect(podMemory({ ...docsInput, crypto: { preset: 'default' } }).totalMiB).toBe(4 * 64 + 300);
    expect(podMemory(docsInput).totalMiB).toBe(4 * 128 + 300);
    // 200,000 KiB written, 64 MiB read: ceil(195.3) = 196 MiB a derivation
    expect(podMemory(awkwardInput)).toEqual({
      argon2MiB: 196,
      totalMiB: 3 * 196 + 300,
      from: 'custom',
    });
    expect(podMemory(localInput).totalMiB).toBe(2 * 1 + 300);
  });
});
