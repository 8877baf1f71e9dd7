/**
 * Secrets: full rotations through the engine, the CLI and the app's IPC
 * router with everything captured (console and stdio, every progress event,
 * results, exported reports, every error and IpcError, the CLI process's
 * argv and environment read from /proc while it runs, the checkpoint of a
 * cancelled run, and every file written, vault and backups included).
 * Neither password may appear, in any of its forms (text, hex, base64,
 * UTF-16). Then: are the password buffers zeroed after the job, where that
 * can be observed from outside?
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineError } from '../../src/engine/errors.js';
import { CryptoPool } from '../../src/engine/pool/crypto-pool.js';
import { preflightRotation, rotateVault, verifyVault } from '../../src/engine/rotation/index.js';
import type {
  RotationOptions,
  RotationProgress,
  VerifyProgress,
} from '../../src/engine/rotation/types.js';
import { spawnWorker } from '../../src/engine/worker-script.js';
import { ENGINE_HOST_WORKER, type HostReply } from '../../src/main/host/engine-host-protocol.js';
import { createIpcRouter } from '../../src/main/ipc/ipc-router.js';
import { VaultService } from '../../src/main/host/vault-service.js';
import { buildReport, reportFileName, type JobSettings } from '../../src/renderer/lib/report.js';
import {
  IPC_CHANNELS,
  isRotationEvent,
  type RotationEvent,
  type RotationRequest,
  type RotationResult,
} from '../../src/shared/ipc-contract.js';
import { makeTempDir, type TempDir } from '../support/fixtures.js';
import {
  buildCliForTest,
  rotateArgs,
  runCli,
  startCli,
  writePasswordFiles,
  type BuiltCli,
} from '../support/cli.js';
import {
  leaksIn,
  leaksInBytes,
  NEW_PASSWORD,
  OLD_PASSWORD,
  OTHER_PASSWORD,
} from '../support/passwords.js';
import { buildTemplate, copyTemplate, tiny, type VaultTemplate } from './support/rotation-vault.js';

/** OTHER_PASSWORD encrypts records of the vault but is given to no job: it must not appear either. */
const SECRETS = [OLD_PASSWORD, NEW_PASSWORD, OTHER_PASSWORD];
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

let temp: TempDir;
let template: VaultTemplate;
let cli: BuiltCli;

beforeAll(async () => {
  temp = makeTempDir('vsa-secrets-');
  [template, cli] = await Promise.all([
    buildTemplate(join(temp.path, 'template'), 1500),
    buildCliForTest('reliability-secrets'),
  ]);
});

afterAll(() => {
  cli?.dispose();
  temp?.dispose();
});

/** Every file under `dir` (recursively), as bytes. */
function filesUnder(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name);
    if (statSync(path).isFile()) files.set(name, readFileSync(path));
  }
  return files;
}

/** No form of a password in any file under `dir`, except the password files the test wrote itself. */
function expectNoSecretInFiles(dir: string): string[] {
  const names: string[] = [];
  for (const [name, content] of filesUnder(dir)) {
    // The password files and the manifest are the test's own (the manifest lists each record's password).
    if (name.startsWith('secrets') || name.endsWith('.manifest.json')) continue;
    names.push(name);
    expect(leaksInBytes(content, SECRETS, name)).toEqual([]);
  }
  return names;
}

/** Captures console.* and process stdout/stderr writes while `work` runs. */
async function captureOutput<T>(work: () => Promise<T>): Promise<{ value: T; output: string }> {
  let output = '';
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
  const saved = methods.map((method) => console[method]);
  const savedOut = process.stdout.write.bind(process.stdout);
  const savedErr = process.stderr.write.bind(process.stderr);
  for (const method of methods) {
    console[method] = (...args: unknown[]) => {
      output += `${args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' ')}\n`;
    };
  }
  process.stdout.write = ((chunk: string | Uint8Array) => {
    output += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    output += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    return { value: await work(), output };
  } finally {
    methods.forEach((method, i) => (console[method] = saved[i] as (typeof console)[typeof method]));
    process.stdout.write = savedOut;
    process.stderr.write = savedErr;
  }
}

/** An EngineError (or anything thrown) as text: message, code, stack and causes. */
function describeThrown(error: unknown): string {
  const parts: string[] = [];
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    if (current instanceof Error) {
      parts.push(
        `${current.name} ${(current as Partial<EngineError>).code ?? ''} ${current.message}\n${current.stack ?? ''}`,
      );
      current = current.cause;
    } else {
      parts.push(JSON.stringify(current));
      break;
    }
  }
  return parts.join('\n');
}

describe('no password anywhere', () => {
  it('engine: rotation (cancelled, resumed), pre-flight, verify and failures', async () => {
    const dir = join(temp.path, 'engine');
    const vault = copyTemplate(template, dir);
    const events: (RotationProgress | VerifyProgress)[] = [];
    const thrown: string[] = [];
    const options = (overrides: Partial<RotationOptions> = {}): RotationOptions => ({
      vaultPath: vault,
      table: 'vault',
      oldPassword: bytes(OLD_PASSWORD),
      newPassword: bytes(NEW_PASSWORD),
      openConfig: tiny,
      workers: 2,
      batchSize: 16,
      progressIntervalMs: 0,
      onProgress: (progress) => events.push(progress),
      ...overrides,
    });
    const { value: results, output } = await captureOutput(async () => {
      const collected: unknown[] = [];
      collected.push(
        await preflightRotation({
          vaultPath: vault,
          oldPassword: bytes(OLD_PASSWORD),
          openConfig: tiny,
        }),
      );
      const cancel = new AbortController();
      const cancelled = await rotateVault(
        options({
          signal: cancel.signal,
          onProgress: (progress) => {
            events.push(progress);
            if (progress.rotated >= 64) cancel.abort();
          },
        }),
      );
      expect(cancelled.status).toBe('cancelled');
      // The checkpoint of a cancelled run.
      const checkpoint = readFileSync(`${vault}.rotation-checkpoint.json`, 'utf8');
      expect(leaksIn(checkpoint, SECRETS, 'checkpoint')).toEqual([]);
      collected.push(cancelled, await rotateVault(options({ resume: true })));
      collected.push(
        await verifyVault({
          vaultPath: vault,
          password: bytes(NEW_PASSWORD),
          config: tiny,
          onProgress: (p) => events.push(p),
        }),
      );
      // nothing-opened now: the old password is gone (scanned anyway: the result is collected too)
      collected.push(await rotateVault(options({ scanAnyway: true })));
      // Failures that carry the passwords as input.
      const failing: Partial<RotationOptions>[] = [
        { newPassword: bytes(OLD_PASSWORD) },
        { newPassword: bytes(NEW_PASSWORD.slice(0, 10)) },
        { oldPassword: new Uint8Array(0) },
        { vaultPath: join(dir, 'missing.db') },
        { resume: true, restart: true },
        { openConfig: { iterations: 0, memoryKiB: 1, parallelism: 1 } },
      ];
      for (const overrides of failing) {
        await rotateVault(options(overrides)).then(
          (result) => collected.push(result),
          (error: unknown) => thrown.push(describeThrown(error)),
        );
      }
      return collected;
    });
    expect(thrown.length).toBeGreaterThanOrEqual(6);
    const everything = [output, JSON.stringify(events), JSON.stringify(results), ...thrown].join(
      '\n',
    );
    expect(leaksIn(everything, SECRETS, 'engine output, events, results and errors')).toEqual([]);
    const files = expectNoSecretInFiles(dir);
    expect(
      files.some((name) => /backup/.test(name)),
      'a backup was among the files checked',
    ).toBe(true);
  });

  it('CLI: stdout/stderr, argv and environment of the running process, a cancel, every file', async () => {
    const dir = join(temp.path, 'cli');
    const vault = copyTemplate(template, dir);
    const passwords = writePasswordFiles(dir, OLD_PASSWORD, NEW_PASSWORD);
    const outputs: string[] = [];
    const procTexts: string[] = [];

    /** Reads argv and environment from /proc while the CLI runs (the process list shows argv to everyone). */
    const watchProc = async (pid: number, exited: Promise<unknown>): Promise<number> => {
      let reads = 0;
      let done = false;
      void exited.then(() => (done = true));
      while (!done) {
        for (const file of ['cmdline', 'environ']) {
          try {
            procTexts.push(readFileSync(`/proc/${pid}/${file}`).toString('latin1'));
            reads++;
          } catch {
            // gone between the check and the read
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return reads;
    };

    // A run cancelled with Ctrl-C once records are rotating (prints the resume command).
    const first = startCli(cli.entry, rotateArgs(vault, passwords), { stdin: 'ignore' });
    const reads = watchProc(first.pid, first.exited);
    first.child.stdout?.on('data', () => {
      if (/"phase":"rotating".*"rotated":[1-9]/.test(first.stdout()) && !first.child.killed)
        first.child.kill('SIGINT');
    });
    const cancelled = await first.exited;
    expect(await reads).toBeGreaterThan(0);
    outputs.push(cancelled.stdout, cancelled.stderr);
    expect(cancelled.code, cancelled.stderr).toBe(3);
    expect(cancelled.stderr).toMatch(/--resume/);
    expect(
      leaksIn(readFileSync(`${vault}.rotation-checkpoint.json`, 'utf8'), SECRETS, 'checkpoint'),
    ).toEqual([]);

    const resumed = startCli(cli.entry, rotateArgs(vault, passwords, ['--resume']), {
      stdin: 'ignore',
    });
    await watchProc(resumed.pid, resumed.exited);
    const done = await resumed.exited;
    expect(done.code, done.stderr).toBe(0);
    outputs.push(done.stdout, done.stderr);

    // Human output, verify, and failures.
    const runs = [
      await runCli(cli.entry, [
        'verify',
        vault,
        '--table',
        'vault',
        '--crypto',
        'tiny',
        '--password-file',
        passwords.new,
      ]),
      await runCli(
        cli.entry,
        rotateArgs(vault, passwords).filter((arg) => arg !== '--json'),
      ),
      await runCli(cli.entry, rotateArgs(vault, { old: passwords.old, new: passwords.old })),
      await runCli(cli.entry, [...rotateArgs(join(dir, 'nope.db'), passwords)]),
      await runCli(cli.entry, ['rotate', vault, `--password=${OLD_PASSWORD}`]),
      await runCli(cli.entry, ['rotate', vault, OLD_PASSWORD]),
    ];
    for (const run of runs) outputs.push(run.stdout, run.stderr);
    expect(runs[0]?.code).toBe(0);
    // argv typed by mistake is refused without being echoed.
    expect(runs[4]?.code).toBe(2);
    expect(runs[5]?.code).toBe(2);

    expect(leaksIn(outputs.join('\n'), SECRETS, 'CLI stdout/stderr')).toEqual([]);
    expect(
      leaksIn(procTexts.join('\n'), SECRETS, '/proc/<pid>/cmdline or environ of the CLI'),
    ).toEqual([]);
    expect(expectNoSecretInFiles(dir).length).toBeGreaterThan(1);
  });

  it('app: every IPC result and event, exported reports, IpcErrors, warnings and app files', async () => {
    const dir = join(temp.path, 'app');
    const vault = copyTemplate(template, dir);
    const reports = join(dir, 'reports');
    mkdirSync(reports);
    const service = new VaultService({
      dataDir: join(dir, 'app-data'),
      workers: 2,
      batchSize: 16,
      progressIntervalMs: 0,
    });
    const warnings: string[] = [];
    const events: RotationEvent[] = [];
    const unsubscribe = service.onJobEvent((event) => {
      if (isRotationEvent(event)) events.push(event);
    });
    const router = createIpcRouter({
      service,
      dialogs: {
        chooseVaultFile: async () => vault,
        chooseReportDestination: async (request) => join(reports, request.suggestedName),
      },
      isTrustedSender: () => true,
      warn: (message) => warnings.push(message),
    });
    const sender = { url: 'app://vaultstore-admin/index.html', processId: 1, routingId: 1 };
    const call = (channel: string, ...args: unknown[]) =>
      router[channel as keyof typeof router](sender, args) as Promise<{
        ok: boolean;
        value?: unknown;
        error?: { code: string };
      }>;
    // Set by the open dialog's answer below: every later call names the vault by it.
    let handle = '';
    const request = (overrides: Partial<RotationRequest> = {}): RotationRequest => ({
      vault: handle,
      table: 'vault',
      oldPassword: OLD_PASSWORD,
      newPassword: NEW_PASSWORD,
      crypto: { preset: 'tiny' },
      includeSoftDeleted: true,
      backup: true,
      dryRun: false,
      resume: false,
      ...overrides,
    });
    const finalOf = async (jobId: string): Promise<RotationEvent> => {
      for (;;) {
        const final = events.find((event) => event.jobId === jobId && event.type !== 'progress');
        if (final) return final;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const results: unknown[] = [];
    const { output } = await captureOutput(async () => {
      try {
        const opened = (await call(IPC_CHANNELS.openVaultDialog)) as {
          ok: true;
          value: { handle: string };
        };
        results.push(opened);
        handle = opened.value.handle;
        results.push(
          await call(
            IPC_CHANNELS.preflight,
            {
              vault: handle,
              table: 'vault',
              oldPassword: OLD_PASSWORD,
              crypto: { preset: 'tiny' },
              includeSoftDeleted: true,
            },
            randomUUID(),
          ),
        );
        // Start, cancel once rotating, resume to the end.
        const started = (await call(IPC_CHANNELS.startRotation, request(), randomUUID())) as {
          ok: true;
          value: { jobId: string };
        };
        results.push(started);
        for (;;) {
          const rotating = events.some(
            (event) => event.type === 'progress' && event.progress.rotated > 0,
          );
          if (rotating || events.some((event) => event.type !== 'progress')) break;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        results.push(await call(IPC_CHANNELS.cancelJob, started.value.jobId));
        const cancelled = await finalOf(started.value.jobId);
        const resume = cancelled.type === 'result' && cancelled.result.status === 'cancelled';
        const again = (await call(
          IPC_CHANNELS.startRotation,
          request({ resume }),
          randomUUID(),
        )) as {
          ok: true;
          value: { jobId: string };
        };
        const final = await finalOf(again.value.jobId);
        expect(final.type).toBe('result');
        const result = (final as { result: RotationResult }).result;
        expect(result.status).toBe('completed');
        results.push(
          await call(
            IPC_CHANNELS.verify,
            {
              vault: handle,
              table: 'vault',
              password: NEW_PASSWORD,
              crypto: { preset: 'tiny' },
            },
            randomUUID(),
          ),
        );
        // Exported reports, as the renderer builds them from the result.
        const settings: JobSettings = {
          vaultPath: vault,
          table: 'vault',
          crypto: { preset: 'tiny' },
          includeSoftDeleted: true,
          backup: true,
          dryRun: false,
          resume,
        };
        for (const format of ['json', 'markdown'] as const) {
          const finishedAt = new Date();
          results.push(
            await call(IPC_CHANNELS.exportReport, {
              format,
              contents: buildReport(format, result, settings, finishedAt),
              suggestedName: reportFileName(format, settings, finishedAt),
            }),
          );
        }
        // IpcErrors from requests that carry the passwords.
        const refusals = [
          await call(
            IPC_CHANNELS.startRotation,
            request({ newPassword: OLD_PASSWORD }),
            randomUUID(),
          ),
          await call(IPC_CHANNELS.startRotation, request({ newPassword: 'short' }), randomUUID()),
          await call(
            IPC_CHANNELS.startRotation,
            request({ oldPassword: `${OLD_PASSWORD}${'x'.repeat(5000)}` }),
          ),
          await call(
            IPC_CHANNELS.startRotation,
            { ...request(), extra: NEW_PASSWORD },
            randomUUID(),
          ),
          await call(
            IPC_CHANNELS.startRotation,
            { ...request(), crypto: OLD_PASSWORD },
            randomUUID(),
          ),
          await call(
            IPC_CHANNELS.startRotation,
            request({ vault: join(dir, 'missing.db') }),
            randomUUID(),
          ),
          await call(
            IPC_CHANNELS.preflight,
            {
              vault: handle,
              table: 'nope',
              oldPassword: OLD_PASSWORD,
              crypto: { preset: 'tiny' },
              includeSoftDeleted: true,
            },
            randomUUID(),
          ),
          await call(
            IPC_CHANNELS.verify,
            {
              vault: handle,
              table: 'vault',
              password: 42,
              crypto: { preset: 'tiny' },
            },
            randomUUID(),
          ),
          await call(
            IPC_CHANNELS.verify,
            {
              vault: handle,
              table: 'vault',
              password: OLD_PASSWORD,
              crypto: { preset: 'custom', config: { iterations: -1 } },
            },
            randomUUID(),
          ),
        ];
        results.push(...refusals);
        expect(refusals.filter((refusal) => !refusal.ok).length).toBeGreaterThanOrEqual(7);
        // Some are refused only by the job (the missing file): wait for their end before the next start.
        for (const refusal of refusals) {
          const jobId = (refusal.value as { jobId?: string } | undefined)?.jobId;
          if (refusal.ok && jobId) results.push(await finalOf(jobId));
        }
        // A rotation whose old password opens nothing (ends with a result event).
        const nothing = await call(IPC_CHANNELS.startRotation, request(), randomUUID());
        expect(nothing.ok, JSON.stringify(nothing)).toBe(true);
        results.push(await finalOf((nothing.value as { jobId: string }).jobId));
      } finally {
        unsubscribe();
        await service.dispose();
      }
    });
    const everything = [
      output,
      JSON.stringify(results),
      JSON.stringify(events),
      warnings.join('\n'),
    ].join('\n');
    expect(
      leaksIn(everything, SECRETS, 'IPC results, events, IpcErrors, warnings, console'),
    ).toEqual([]);
    const files = expectNoSecretInFiles(dir);
    expect(files.filter((name) => name.startsWith('reports')).length).toBe(2);
    expect(files.some((name) => name.startsWith('app-data'))).toBe(true);
  });
});

describe('password buffers after the job', () => {
  it('the crypto pool: every worker zeroes its copies on close, and says so', async () => {
    const pool = await CryptoPool.start({
      size: 2,
      passwords: [bytes(OLD_PASSWORD), bytes(NEW_PASSWORD)],
      openConfig: tiny,
    });
    try {
      const outcome = await pool.run({
        op: 'rotate',
        value: template.records[0]!.value,
        from: 0,
        to: 1,
      });
      expect(outcome.outcome.kind).toBe('rotated');
      // v1 keys too: a v1 record makes each worker that gets one derive and cache a key.
      const v1 = template.records.find(
        (record) => record.version === 'v1' && record.password === OLD_PASSWORD,
      )!;
      expect((await pool.run({ op: 'open', value: v1.value, password: 0 })).outcome.kind).toBe(
        'opened',
      );
      expect(pool.secretsZeroed).toBe(false);
    } finally {
      await pool.close();
    }
    expect(pool.secretsZeroed).toBe(true);
  });

  it('the engine host zeroes the password buffers it received, once its job is over', async () => {
    const dir = join(temp.path, 'zeroing');
    const vault = copyTemplate(template, dir);
    // Shared memory: what the host does to the buffers it got is visible here.
    const share = (text: string): Uint8Array => {
      const view = new Uint8Array(new SharedArrayBuffer(Buffer.byteLength(text)));
      view.set(bytes(text));
      return view;
    };
    const oldPassword = share(OLD_PASSWORD);
    const newPassword = share(NEW_PASSWORD);
    const host: Worker = spawnWorker(ENGINE_HOST_WORKER);
    try {
      const reply = await new Promise<HostReply>((resolve, reject) => {
        host.on('message', (message: HostReply) => {
          // The job's end: its progress and its own check's (pre-flight) messages come first.
          if (message.type === 'done' || message.type === 'failed') resolve(message);
        });
        host.on('error', reject);
        host.postMessage({
          type: 'rotate',
          options: {
            vaultPath: vault,
            table: 'vault',
            oldPassword,
            newPassword,
            openConfig: tiny,
            workers: 1,
            backup: false,
          },
        });
      });
      expect(reply.type, JSON.stringify(reply)).toBe('done');
      // The host zeroes after posting its reply: wait for it (bounded).
      for (
        let i = 0;
        i < 100 && (oldPassword.some((b) => b !== 0) || newPassword.some((b) => b !== 0));
        i++
      ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(
        [...oldPassword].every((b) => b === 0),
        'old password zeroed',
      ).toBe(true);
      expect(
        [...newPassword].every((b) => b === 0),
        'new password zeroed',
      ).toBe(true);
    } finally {
      await host.terminate();
    }
    expect(existsSync(`${vault}.rotation-checkpoint.json`)).toBe(false);
  });
});
