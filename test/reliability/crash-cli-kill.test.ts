/**
 * Crash safety of the CLI: the built `vaultstore-admin rotate` is SIGKILLed
 * at seeded random moments (start-up, pre-flight, backup, batch writes, the
 * very end). After every kill the vault must be intact, every record under
 * exactly one of the two passwords with its original plaintext, the
 * checkpoint honest and the backup the untouched original; then the run the
 * CLI asks for (`--resume`) continues, and may itself be killed.
 *
 * Kills come in chains: a fresh run is killed, its `--resume` is killed, ...
 * (up to KILLS_PER_CHAIN), then a last `--resume` finishes and the vault is
 * verified (also with vsref when present). Chains keep CPU low: one chain
 * costs about one full rotation, whatever its number of kills.
 *
 * RELIABILITY_KILLS (default 25: the minimum number of kills) and
 * RELIABILITY_SEED (replays a run: same delays) tune it.
 */
import { existsSync, readdirSync, readFileSync, statSync, watch } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../support/fixtures.js';
import { atOrBeforeCursor, readRows, rowidsById } from '../support/vault-builder.js';
import {
  buildCliForTest,
  completeJsonLines,
  lastOfType,
  rotateArgs,
  startCli,
  writePasswordFiles,
  type BuiltCli,
  type PasswordFiles,
} from '../support/cli.js';
import { leaksIn, NEW_PASSWORD, OLD_PASSWORD } from '../support/passwords.js';
import { seededRandom } from './support/random.js';
import {
  buildTemplate,
  copyTemplate,
  expectBackupIsOriginal,
  expectConsistentWithTemplate,
  recoveredCopy,
  type VaultState,
  type VaultTemplate,
} from './support/rotation-vault.js';
import { expectVsrefRotated } from './support/vsref-check.js';

const MIN_KILLS = Number(process.env.RELIABILITY_KILLS ?? 25);
const KILLS_PER_CHAIN = 5;
const CHAINS = Math.ceil(MIN_KILLS / KILLS_PER_CHAIN);
/** a chain whose vault got fully rotated before its kills were all made goes on with a fresh copy, this often at most */
const MAX_SEGMENTS = 8;
const RECORDS = 3000;
const random = seededRandom('crash-cli-kill');

/**
 * When to kill: after a delay, at the n-th batch write (the moment SQLite
 * creates the rollback journal, plus 0-4 ms), or while the backup is being
 * written (its temporary file appears).
 */
type KillPlan =
  | { readonly mode: 'time'; readonly delayMs: number }
  | { readonly mode: 'write'; readonly nth: number; readonly delayMs: number }
  | { readonly mode: 'backup'; readonly delayMs: number };

interface KillReport {
  /** chain.segment */
  readonly chain: string;
  readonly run: number;
  readonly plan: string;
  readonly killed: boolean;
  /** last phase the CLI reported before the kill (start-up / preflight before the job's first event) */
  readonly phase: string;
  readonly rotatedAtKill: number;
  /** a non-empty rollback journal was left: the kill landed inside a batch's write transaction */
  readonly inWrite: boolean;
  readonly checkpoint: boolean;
  readonly underNew: number;
}

interface ChainReport {
  readonly chain: string;
  readonly kills: number;
  readonly finishedBy: string;
  readonly leftovers: readonly string[];
  readonly vsref: boolean;
}

let temp: TempDir;
let cli: BuiltCli;
let template: VaultTemplate;
let passwords: PasswordFiles;
/** wall times of one uninterrupted run here (start to first "rotating" event, and the rest): only used to spread the kills */
let startUpMs = 500;
let rotatingMs = 2500;
const kills: KillReport[] = [];
const chains: ChainReport[] = [];

/** What a folder holds after a rotation; anything else is reported as a leftover. */
const EXPECTED_FILES =
  /^(vault\.db|vault\.db\.manifest\.json|vault\.backup-\d{8}-\d{6}(-\d+)?\.db|scratch|secrets)$/;
const BACKUP_FILE = /^vault\.backup-.*\.db$/;

beforeAll(async () => {
  temp = makeTempDir('vsa-kill-');
  [cli, template] = await Promise.all([
    buildCliForTest('reliability-kill'),
    buildTemplate(join(temp.path, 'template'), RECORDS),
  ]);
  passwords = writePasswordFiles(temp.path, OLD_PASSWORD, NEW_PASSWORD);
});

afterAll(() => {
  printSummary();
  cli?.dispose();
  temp?.dispose();
});

function printSummary(): void {
  if (kills.length === 0) return;
  const phases: Record<string, number> = {};
  for (const kill of kills) if (kill.killed) phases[kill.phase] = (phases[kill.phase] ?? 0) + 1;
  const lines = kills.map(
    (k) =>
      `  vault ${k.chain} run ${k.run}: ${k.killed ? 'killed' : 'finished before the kill'} (${k.plan}), ` +
      `phase ${k.phase}, rotated ${k.rotatedAtKill} in this run, in a write: ${k.inWrite}, ` +
      `checkpoint: ${k.checkpoint}, records under the new password: ${k.underNew}`,
  );
  for (const chain of chains) {
    lines.push(
      `  vault ${chain.chain}: ${chain.kills} kills, finished by ${chain.finishedBy}` +
        `${chain.vsref ? ', vsref PASS' : ''}` +
        (chain.leftovers.length > 0 ? `, files left: ${chain.leftovers.join(', ')}` : ''),
    );
  }
  console.log(
    `[kill-test] seed ${random.seed}, ${RECORDS} records, full run ${startUpMs} + ${rotatingMs} ms, ` +
      `${kills.filter((k) => k.killed).length} kills (${kills.filter((k) => k.inWrite).length} inside a write ` +
      `transaction), phases ${JSON.stringify(phases)}\n${lines.join('\n')}`,
  );
}

function phaseAtKill(stdout: string): { phase: string; rotated: number } {
  const lines = completeJsonLines(stdout);
  const progress = lastOfType(lines, 'progress');
  if (progress) return { phase: String(progress.phase), rotated: Number(progress.rotated) };
  return { phase: lastOfType(lines, 'preflight') ? 'preflight' : 'start-up', rotated: 0 };
}

interface CheckpointFile {
  readonly cursor: string | null;
  readonly counts: { readonly rotated: number; readonly opened: number };
}

/** "Every record up to the cursor is done": no rotatable record at or before it is still old. */
function expectCheckpointHonest(
  checkpoint: CheckpointFile,
  vaultPath: string,
  context: string,
): void {
  const cursor = checkpoint.cursor;
  if (cursor === null) return;
  const rows = readRows(vaultPath, template.table);
  const rowids = rowidsById(vaultPath, template.table);
  const stillOld = template.records.filter(
    (record) =>
      record.password === OLD_PASSWORD &&
      atOrBeforeCursor(rowids, record.id, cursor) &&
      rows.get(record.id)?.vault_value === record.value,
  );
  expect(
    stillOld.map((record) => record.id),
    `${context}: records at or before the checkpoint cursor that are not rotated`,
  ).toEqual([]);
}

function expectBackupsOriginal(dir: string): void {
  for (const name of readdirSync(dir).filter((file) => BACKUP_FILE.test(file))) {
    expectBackupIsOriginal(join(dir, name), template);
  }
}

/** A kill moment within the expected rest of a run: start-up, backup, any batch write, any time. */
function planKill(state: VaultState, fresh: boolean): KillPlan {
  const share = state.underOld / template.rotatable;
  const batches = Math.max(1, Math.ceil(state.underOld / 64));
  const roll = random.next();
  if (fresh && roll < 0.15) return { mode: 'backup', delayMs: random.int(0, 3) };
  if (roll < 0.55) return { mode: 'write', nth: random.int(1, batches), delayMs: random.int(0, 4) };
  // A quarter of the timed kills hit start-up, validation or the pre-flight check.
  const delayMs =
    random.next() < 0.25
      ? random.int(0, startUpMs)
      : startUpMs + Math.round(random.next() * rotatingMs * share * 0.95);
  return { mode: 'time', delayMs };
}

function describePlan(plan: KillPlan): string {
  switch (plan.mode) {
    case 'time':
      return `at ${plan.delayMs} ms`;
    case 'write':
      return `at batch write ${plan.nth} + ${plan.delayMs} ms`;
    case 'backup':
      return `while backing up + ${plan.delayMs} ms`;
  }
}

/**
 * Resolves when the plan's moment has come (never if the run ends first).
 * Journal and backup moments come from inotify on the vault's folder.
 */
function killMoment(plan: KillPlan, dir: string): { reached: Promise<void>; dispose(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let watcher: ReturnType<typeof watch> | undefined;
  const reached = new Promise<void>((resolve) => {
    const fire = (): void => {
      timer = setTimeout(resolve, plan.delayMs);
    };
    if (plan.mode === 'time') {
      fire();
      return;
    }
    let journals = 0;
    watcher = watch(dir, (event, name) => {
      if (timer !== undefined || event !== 'rename' || name === null) return;
      if (plan.mode === 'backup' && /^\.vault\.backup-.*\.tmp$/.test(name)) fire();
      // 'rename' fires when the journal appears and when it goes: odd events are its creations.
      if (plan.mode === 'write' && name === 'vault.db-journal' && ++journals === plan.nth * 2 - 1)
        fire();
    });
  });
  return {
    reached,
    dispose: () => {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}

/** Everything checked after one kill; returns the state and whether a checkpoint exists. */
async function checkAfterKill(
  vault: string,
  dir: string,
  context: string,
): Promise<{
  state: VaultState;
  checkpoint: boolean;
  /** records the checkpointed runs opened with the old password (0 without a checkpoint) */
  checkpointOpened: number;
  inWrite: boolean;
}> {
  const journal = `${vault}-journal`;
  const inWrite = existsSync(journal) && statSync(journal).size > 0;
  // Judged on a copy: opening it rolls a hot journal back there, and the
  // resumed run has to recover the original by itself.
  const afterCrash = recoveredCopy(vault, join(dir, 'scratch'));
  const state = await expectConsistentWithTemplate(afterCrash, template, NEW_PASSWORD, context);
  expect(state.underOld + state.underNew).toBe(template.rotatable);

  const checkpointPath = `${vault}.rotation-checkpoint.json`;
  const checkpointText = existsSync(checkpointPath) ? readFileSync(checkpointPath, 'utf8') : null;
  if (checkpointText !== null) {
    expect(leaksIn(checkpointText, [OLD_PASSWORD, NEW_PASSWORD], `${context} checkpoint`)).toEqual(
      [],
    );
    const checkpoint = JSON.parse(checkpointText) as CheckpointFile;
    expect(checkpoint.counts.rotated, `${context}: checkpoint counts`).toBeLessThanOrEqual(
      state.underNew,
    );
    expectCheckpointHonest(checkpoint, afterCrash, context);
  } else {
    // The checkpoint exists from before the first write until the job is complete.
    expect(
      [0, template.rotatable],
      `${context}: no checkpoint, so nothing or everything rotated`,
    ).toContain(state.underNew);
  }
  expectBackupsOriginal(dir);
  const checkpointOpened =
    checkpointText === null ? 0 : (JSON.parse(checkpointText) as CheckpointFile).counts.opened;
  return { state, checkpoint: checkpointText !== null, checkpointOpened, inWrite };
}

/** One vault copy killed up to `budget` times, then finished and verified; returns the kills made. */
async function runSegment(chain: number, segment: number, budget: number): Promise<number> {
  const dir = join(temp.path, `chain-${chain}-${segment}`);
  const label = `${chain}.${segment}`;
  const vault = copyTemplate(template, dir);
  let state: VaultState = { underOld: template.rotatable, underNew: 0 };
  let checkpoint = false;
  let checkpointOpened = 0;
  let chainKills = 0;
  let finishedBy = '';
  for (let run = 0; !finishedBy; run++) {
    const resume = checkpoint;
    const context = `vault ${label} run ${run} (seed ${random.seed})`;
    const killing = chainKills < budget;
    const plan = planKill(state, !resume);
    const moment = killing ? killMoment(plan, dir) : null;
    const running = startCli(cli.entry, rotateArgs(vault, passwords, resume ? ['--resume'] : []), {
      stdin: 'ignore',
    });
    const ended = moment
      ? await Promise.race([running.exited.then(() => true), moment.reached.then(() => false)])
      : true;
    moment?.dispose();
    if (!ended) running.child.kill('SIGKILL');
    const exit = await running.exited;
    expect(
      leaksIn(exit.stdout + exit.stderr, [OLD_PASSWORD, NEW_PASSWORD], `${context} output`),
    ).toEqual([]);

    if (exit.signal !== 'SIGKILL') {
      // It ran to its end. After a completed run was killed just before exiting, a new run
      // finds nothing under the old password: exit 4, nothing changed. So does resuming a
      // run that started after that point (its checkpoint counts no record opened).
      const alreadyDone = state.underOld === 0 && run > 0 && !(resume && checkpointOpened > 0);
      const summary = lastOfType(completeJsonLines(exit.stdout), 'summary');
      expect(exit.code, `${context}: ${exit.stderr}`).toBe(alreadyDone ? 4 : 0);
      // A fresh run is refused from its sample (already rotated); a resume scans and ends nothing-opened.
      const refusal = lastOfType(completeJsonLines(exit.stdout), 'error')?.code;
      expect(summary?.status ?? refusal).toBe(
        alreadyDone ? (summary ? 'nothing-opened' : 'ALREADY_ROTATED') : 'completed',
      );
      if (killing) {
        kills.push({
          chain: label,
          run,
          plan: describePlan(plan),
          killed: false,
          phase: 'done',
          rotatedAtKill: 0,
          inWrite: false,
          checkpoint: false,
          underNew: template.rotatable,
        });
      }
      finishedBy = resume
        ? '--resume'
        : alreadyDone
          ? 'a new run (nothing left to rotate)'
          : 'a new run';
      break;
    }
    chainKills++;
    const { phase, rotated } = phaseAtKill(exit.stdout);
    const after = await checkAfterKill(vault, dir, context);
    state = after.state;
    checkpoint = after.checkpoint;
    checkpointOpened = after.checkpointOpened;
    kills.push({
      chain: label,
      run,
      plan: describePlan(plan),
      killed: true,
      phase,
      rotatedAtKill: rotated,
      inWrite: after.inWrite,
      checkpoint: after.checkpoint,
      underNew: state.underNew,
    });
  }

  const final = await expectConsistentWithTemplate(
    vault,
    template,
    NEW_PASSWORD,
    `vault ${label}, finished`,
  );
  expect(final).toEqual({ underOld: 0, underNew: template.rotatable });
  expect(existsSync(`${vault}-journal`), 'no journal left').toBe(false);
  expect(existsSync(`${vault}.rotation-checkpoint.json`), 'no checkpoint once complete').toBe(
    false,
  );
  expectBackupsOriginal(dir);
  const vsref = await expectVsrefRotated(vault);
  chains.push({
    chain: `${chain}.${segment}`,
    kills: chainKills,
    finishedBy,
    leftovers: readdirSync(dir).filter((name) => !EXPECTED_FILES.test(name)),
    vsref,
  });
  return chainKills;
}

/** Kills until KILLS_PER_CHAIN were made (runs that end before their kill moment do not count). */
async function runChain(chain: number): Promise<number> {
  let kills = 0;
  for (let segment = 0; segment < MAX_SEGMENTS && kills < KILLS_PER_CHAIN; segment++) {
    kills += await runSegment(chain, segment, KILLS_PER_CHAIN - kills);
  }
  return kills;
}

describe('SIGKILL of the CLI in the middle of a rotation', () => {
  it('an uninterrupted run rotates everything (reference: sets the range of kill delays)', async () => {
    const vault = copyTemplate(template, join(temp.path, 'reference'));
    const started = performance.now();
    const running = startCli(cli.entry, rotateArgs(vault, passwords), { stdin: 'ignore' });
    let rotatingAt = 0;
    running.child.stdout?.on('data', () => {
      if (rotatingAt === 0 && running.stdout().includes('"phase":"rotating"'))
        rotatingAt = performance.now();
    });
    const run = await running.exited;
    startUpMs = Math.round((rotatingAt || started) - started);
    rotatingMs = Math.round(performance.now() - (rotatingAt || started));
    expect(run.code, run.stderr).toBe(0);
    expect(lastOfType(completeJsonLines(run.stdout), 'summary')).toMatchObject({
      status: 'completed',
      rotated: template.rotatable,
      failed: 0,
    });
    const state = await expectConsistentWithTemplate(vault, template, NEW_PASSWORD, 'reference');
    expect(state).toEqual({ underOld: 0, underNew: template.rotatable });
    await expectVsrefRotated(vault);
  });

  for (let chain = 0; chain < CHAINS; chain++) {
    it(`chain ${chain}: ${KILLS_PER_CHAIN} kills, a check after each, --resume to the end`, async () => {
      expect(await runChain(chain)).toBe(KILLS_PER_CHAIN);
    }, 300_000);
  }

  it(`killed at least ${MIN_KILLS} times, some inside a batch write; nothing lost`, () => {
    expect(kills.filter((kill) => kill.killed).length).toBeGreaterThanOrEqual(MIN_KILLS);
    // A journal left behind proves a kill landed inside a write transaction.
    expect(kills.filter((kill) => kill.inWrite).length).toBeGreaterThan(0);
  });
});
