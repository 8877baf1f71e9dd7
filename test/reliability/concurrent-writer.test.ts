/**
 * A rotation while the vault's application keeps working: a second process
 * with its own connection inserts, updates and deletes records and holds
 * short write locks. No change of that process may be lost, the rotation
 * must report the records whose guard failed, and a second pass must rotate
 * whatever is still under the old password. A lock held longer than the
 * busy timeout must end the job with LOCKED and no partial batch.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openValue, encodeV2Value } from '../../src/engine/codec/index.js';
import { EngineError } from '../../src/engine/errors.js';
import { loadArgon2idBackend } from '../../src/engine/kdf/index.js';
import { checkpointPathFor } from '../../src/engine/rotation/state/checkpoint.js';
import { rotateVault } from '../../src/engine/rotation/index.js';
import type { RotationOptions, RotationResult } from '../../src/engine/rotation/types.js';
import { makeTempDir, type TempDir } from '../support/fixtures.js';
import {
  atOrBeforeCursor,
  dumpTable,
  readRows,
  rowidsById,
  sha256File,
} from '../support/vault-builder.js';
import {
  buildCliForTest,
  completeJsonLines,
  lastOfType,
  rotateArgs,
  runCli,
  writePasswordFiles,
  type BuiltCli,
} from '../support/cli.js';
import { LiveApp } from './support/live-app.js';
import { NEW_PASSWORD, OLD_PASSWORD, OTHER_PASSWORD } from '../support/passwords.js';
import { seededRandom, type Random } from './support/random.js';
import {
  buildTemplate,
  copyTemplate,
  expectConsistentWithTemplate,
  recoverAndCheckIntegrity,
  tiny,
  type VaultTemplate,
} from './support/rotation-vault.js';

const RECORDS = 1500;
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const random: Random = seededRandom('concurrent-writer');

interface PoolValue {
  readonly value: string;
  readonly password: string;
  readonly plaintext: Buffer;
}

let temp: TempDir;
let template: VaultTemplate;
/** values the live application writes: most under the old password, some under another */
const valuePool: PoolValue[] = [];
const apps: LiveApp[] = [];

beforeAll(async () => {
  temp = makeTempDir('vsa-concurrent-');
  template = await buildTemplate(join(temp.path, 'template'), RECORDS);
  const kdf = await loadArgon2idBackend('auto');
  for (let i = 0; i < 400; i++) {
    const password = i % 4 === 3 ? OTHER_PASSWORD : OLD_PASSWORD;
    const plaintext = Buffer.from(`written by the live app #${i}`);
    valuePool.push({
      value: await encodeV2Value(plaintext, bytes(password), tiny, kdf),
      password,
      plaintext,
    });
  }
});

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

afterAll(() => temp?.dispose());

function rotation(vaultPath: string, overrides: Partial<RotationOptions> = {}): RotationOptions {
  return {
    vaultPath,
    table: 'vault',
    oldPassword: bytes(OLD_PASSWORD),
    newPassword: bytes(NEW_PASSWORD),
    openConfig: tiny,
    workers: 2,
    batchSize: 32,
    backup: false,
    progressIntervalMs: 0,
    busyTimeoutMs: 15_000,
    ...overrides,
  };
}

type Expected = { readonly deleted: true } | ({ readonly deleted: false } & PoolValue);

describe('a live application writing during the rotation', () => {
  it('loses none of its changes; guard failures are reported; a second pass finishes', async () => {
    const dir = join(temp.path, 'live');
    const vault = copyTemplate(template, dir);
    const app = new LiveApp(vault, 'vault');
    apps.push(app);
    const ids = [...template.byId.keys()].sort();
    const expected = new Map<string, Expected>();
    let scanned = 0;
    let poolIndex = 0;
    let inserted = 0;
    const ops: Record<string, number> = {};
    const nextValue = (): PoolValue => valuePool[poolIndex++ % valuePool.length] as PoolValue;
    const alive = (id: string): boolean => expected.get(id)?.deleted !== true;

    let done = false;
    const job = rotateVault(
      rotation(vault, {
        onProgress: (progress) => {
          scanned = progress.scanned;
        },
      }),
    ).finally(() => {
      done = true;
    });

    while (!done) {
      const roll = random.next();
      const holdMs = random.int(5, 60);
      let op: string;
      if (roll < 0.55) {
        // Records the rotation has read (or is about to) but not yet written: where guards matter.
        op = 'update-near-cursor';
        const from = Math.max(0, scanned - 24);
        const targets = ids.slice(from, from + 32).filter(alive);
        const changes = Array.from({ length: random.int(1, 3) }, () =>
          random.pick(targets.length > 0 ? targets : ids),
        )
          .filter((id, index, list) => list.indexOf(id) === index && alive(id))
          .map((id) => ({ id, next: nextValue() }));
        const reply = await app.run({
          op: 'update',
          changes: changes.map((c) => ({ id: c.id, value: c.next.value })),
          holdMs,
        });
        expect(reply).toMatchObject({ ok: true, changed: changes.length });
        for (const change of changes) expected.set(change.id, { deleted: false, ...change.next });
      } else if (roll < 0.7) {
        op = 'update-anywhere';
        const id = random.pick(ids);
        if (!alive(id)) continue;
        const next = nextValue();
        expect(
          await app.run({ op: 'update', changes: [{ id, value: next.value }], holdMs }),
        ).toMatchObject({ ok: true });
        expected.set(id, { deleted: false, ...next });
      } else if (roll < 0.85) {
        op = 'insert';
        // Ahead of the rotation's cursor (after every id) or behind it (before every id).
        const id = random.next() < 0.5 ? `zz-live-${inserted}` : `0000-live-${inserted}`;
        const next = nextValue();
        const reply = await app.run({
          op: 'insert',
          rows: [{ id, token: `tk_live_${inserted}`, value: next.value }],
          holdMs,
        });
        expect(reply).toMatchObject({ ok: true, changed: 1 });
        inserted++;
        expected.set(id, { deleted: false, ...next });
      } else {
        op = 'delete';
        const from = Math.max(0, scanned - 16);
        const id = random.pick(
          ids
            .slice(from, from + 24)
            .filter(alive)
            .concat(ids[0] as string),
        );
        if (!alive(id)) continue;
        expect(await app.run({ op: 'delete', ids: [id], holdMs })).toMatchObject({ ok: true });
        expected.set(id, { deleted: true });
      }
      ops[op] = (ops[op] ?? 0) + 1;
    }
    const first: RotationResult = await job;
    console.log(
      `[concurrent] seed ${random.seed}: live app ops ${JSON.stringify(ops)}; rotation rotated ${first.rotated}, ` +
        `failed ${first.failed} (${first.failures
          .map((f) => f.reason)
          .filter((r, i, l) => l.indexOf(r) === i)
          .join(', ')})`,
    );

    // The rotation saw the live app's commits and swept the records it wrote; whatever is still
    // listed as failed is a record the live app touched.
    expect(['completed', 'incomplete']).toContain(first.status);
    expect(first.coverage?.foreignWrites).toBe(true);
    expect(first.sweep, 'the rotation saw records change under it').toBeDefined();
    expect(first.sweep!.examined).toBeGreaterThan(0);
    expect(first.failures.length).toBe(first.failed);
    for (const failure of first.failures) {
      expect(failure.reason).toBe('changed-concurrently');
      expect(
        expected.has(failure.id),
        `${failure.id} failed but the live app never touched it`,
      ).toBe(true);
      expect(failure.detail).toMatch(/run the rotation again/i);
    }

    // No lost update: each change of the live app is there (or was rotated after it, to the same plaintext).
    await expectLiveState(vault, expected, ids, 'after the first pass');

    // A second pass rotates what is still under the old password, and nothing else.
    // scanAnyway: when the first pass left nothing under the old password, its sample opens nothing
    const second = await rotateVault({ ...rotation(vault), scanAnyway: true });
    // nothing-opened: the sweep of the first pass already left nothing under the old password
    expect(['completed', 'nothing-opened']).toContain(second.status);
    expect(second.failed).toBe(0);
    await expectLiveState(vault, expected, ids, 'after the second pass', { fullyRotated: true });
  });
});

/**
 * The vault against what the live app did: deleted rows are gone, changed
 * rows hold the app's value (or, for its old-password values, a rotation of
 * it), untouched rows are rotated (old password) or byte-identical.
 */
async function expectLiveState(
  vault: string,
  expected: ReadonlyMap<string, Expected>,
  templateIds: readonly string[],
  context: string,
  options: { fullyRotated?: boolean } = {},
): Promise<void> {
  expect(recoverAndCheckIntegrity(vault), context).toBe('ok');
  const rows = readRows(vault, 'vault');
  const kdf = await loadArgon2idBackend('auto');
  const problems: string[] = [];
  const wantIds = new Set(
    [...templateIds, ...expected.keys()].filter((id) => expected.get(id)?.deleted !== true),
  );
  for (const id of rows.keys())
    if (!wantIds.has(id)) problems.push(`${id}: present but deleted or never written`);
  for (const id of wantIds) {
    const row = rows.get(id);
    if (!row) {
      problems.push(`${id}: missing`);
      continue;
    }
    const change = expected.get(id);
    const original = template.byId.get(id);
    const want = change && !change.deleted ? change : original;
    if (!want || !want.password || !want.plaintext) {
      problems.push(`${id}: no expectation`);
      continue;
    }
    const underOld = want.password === OLD_PASSWORD;
    if (row.vault_value === want.value) {
      // Untouched by the rotation: allowed only for other passwords, or for the
      // live app's values after the first pass (the guard protected them).
      if (underOld && (options.fullyRotated || !change))
        problems.push(`${id}: still under the old password`);
      continue;
    }
    if (!underOld) {
      problems.push(`${id}: under another password but changed (lost update or wrong rotation)`);
      continue;
    }
    const opened = await openValue(row.vault_value, bytes(NEW_PASSWORD), tiny, kdf);
    if (!opened.ok)
      problems.push(`${id}: neither the expected value nor a rotation of it (lost update?)`);
    else if (!opened.plaintext.equals(want.plaintext)) {
      problems.push(`${id}: rotated from a value that is not the latest one (lost update)`);
    }
  }
  expect(problems, context).toEqual([]);
}

describe('a lock held longer than the busy timeout', () => {
  it('before the first write: LOCKED with what to do, and the vault unchanged', async () => {
    const dir = join(temp.path, 'locked-at-start');
    const vault = copyTemplate(template, dir);
    const before = dumpTable(vault, 'vault');
    const app = new LiveApp(vault, 'vault');
    apps.push(app);
    // Held until the rotation has given up, however slow the machine.
    const lock = await app.lock();
    const error = await rotateVault(rotation(vault, { busyTimeoutMs: 300 })).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe('LOCKED');
    expect((error as EngineError).message).toMatch(/another program holds a lock/i);
    expect((error as EngineError).message).toMatch(
      /close the application|wait until it has finished/i,
    );
    expect(await lock.release()).toMatchObject({ ok: true });
    expect(dumpTable(vault, 'vault'), 'no record written').toBe(before);
    // Once the lock is gone, the same command resumes and completes.
    const resumed = await rotateVault(rotation(vault, { resume: true }));
    expect(resumed.status).toBe('completed');
    expect(await expectConsistentWithTemplate(vault, template, NEW_PASSWORD)).toEqual({
      underOld: 0,
      underNew: template.rotatable,
    });
  });

  it('in the middle: LOCKED, every committed batch whole, the failed one absent, then resumable', async () => {
    const dir = join(temp.path, 'locked-midway');
    const vault = copyTemplate(template, dir);
    const app = new LiveApp(vault, 'vault');
    apps.push(app);
    let lockTaken: Promise<{ release: () => Promise<unknown> }> | null = null;
    const error = await rotateVault(
      rotation(vault, {
        busyTimeoutMs: 300,
        onProgress: (progress) => {
          if (progress.rotated >= 96 && !lockTaken) lockTaken = app.lock();
        },
      }),
    ).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(lockTaken, 'the live app took the lock').not.toBeNull();
    expect((error as EngineError | null)?.code, String(error)).toBe('LOCKED');
    await (await (lockTaken as unknown as Promise<{ release: () => Promise<unknown> }>)).release();

    // The checkpoint records exactly the committed batches: the rotated records are
    // precisely the rotatable ones up to its cursor.
    const checkpoint = JSON.parse(readFileSync(checkpointPathFor(vault), 'utf8')) as {
      cursor: string;
      counts: { rotated: number };
    };
    const state = await expectConsistentWithTemplate(vault, template, NEW_PASSWORD, 'after LOCKED');
    expect(state.underNew).toBe(checkpoint.counts.rotated);
    const rows = readRows(vault, 'vault');
    const rowids = rowidsById(vault);
    for (const record of template.records) {
      if (record.password !== OLD_PASSWORD) continue;
      const rotated = rows.get(record.id)?.vault_value !== record.value;
      expect(rotated, `${record.id} rotated iff at or before the cursor`).toBe(
        atOrBeforeCursor(rowids, record.id, checkpoint.cursor),
      );
    }
    const resumed = await rotateVault(rotation(vault, { resume: true }));
    expect(resumed.status).toBe('completed');
    expect(await expectConsistentWithTemplate(vault, template, NEW_PASSWORD)).toEqual({
      underOld: 0,
      underNew: template.rotatable,
    });
  });

  describe('through the CLI (its default busy timeout, 5 s)', () => {
    let cli: BuiltCli;
    beforeAll(async () => {
      cli = await buildCliForTest('reliability-locked');
    });
    afterAll(() => cli?.dispose());

    it('exit 1, a JSON error LOCKED that says what to do, the file byte-identical', async () => {
      const dir = join(temp.path, 'locked-cli');
      const vault = copyTemplate(template, dir);
      const passwords = writePasswordFiles(dir, OLD_PASSWORD, NEW_PASSWORD);
      const hash = sha256File(vault);
      const app = new LiveApp(vault, 'vault');
      apps.push(app);
      const lock = await app.lock();
      const run = await runCli(cli.entry, rotateArgs(vault, passwords, ['--no-backup']));
      await lock.release();
      expect(run.code, run.stderr).toBe(1);
      const error = lastOfType(completeJsonLines(run.stdout), 'error');
      expect(error).toMatchObject({ code: 'LOCKED', exitCode: 1 });
      expect(String(error?.message)).toMatch(
        /another program holds a lock.*(close the application|try again)/is,
      );
      expect(run.stderr).toMatch(/^error: Another program holds a lock/m);
      expect(sha256File(vault)).toBe(hash);
    });
  });
});
