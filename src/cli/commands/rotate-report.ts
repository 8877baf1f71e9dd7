/**
 * What `rotate` tells a person (text) or a program (JSON) about a pre-flight
 * check and a finished job. Pure functions of the results: no I/O here.
 */
import {
  describeArgon2Config,
  noneOpenedText,
  nothingOpenedCauses,
  wrongConfigMessage,
  type Argon2Config,
  type EngineErrorCode,
  type PreflightResult,
  type RotationResult,
} from '../../engine/index.js';
import {
  alreadyOpenText,
  foundAlreadyCompleted,
  looksAlreadyRotated,
  newPasswordOpensSample,
} from '../../core/verdict.js';
import { vaultDriverText } from '../../core/vault-drivers.js';
import type { RotateArgs } from '../args.js';
import { formatCount, formatDuration, formatTable } from '../format.js';
import { roundedRates } from '../json-output.js';
import { CLI_NAME, passwordArguments } from '../resume-command.js';
import { shellCommand } from '../shell-quote.js';
import { printable } from '../terminal-text.js';

const MAX_FAILURES_LISTED = 10;

/** "3 of 16 sampled v2 records and 2 of 2 legacy v1 records" (v2 and v1 are sampled apart). */
function sampleSplitText(preflight: PreflightResult): string {
  const { v2, v1 } = preflight;
  const v2Text = `${formatCount(v2.opened)} of ${formatCount(v2.sampled)} sampled v2 records`;
  if (v1.sampled === 0) return v2Text;
  const v1Text = `${formatCount(v1.opened)} of ${formatCount(v1.sampled)} legacy v1 records`;
  return v2.sampled === 0 ? `${v1Text} (no v2 record)` : `${v2Text} and ${v1Text}`;
}

/** @param scanning the run goes on although nothing opened (--scan-anyway): say so */
export function preflightText(
  preflight: PreflightResult,
  scanning = false,
  distributed = false,
): string[] {
  // A distributed coordinator times its own pool: the other machines shorten it.
  const estimate = distributed ? 'Estimated time on this machine alone' : 'Estimated time';
  const lines = [
    `Pre-flight: the old password opened ${sampleSplitText(preflight)} ` +
      `(table "${printable(preflight.table)}", ${formatCount(preflight.total)} records). ` +
      `${estimate}: ${formatDuration(preflight.estimatedSeconds * 1000)}.`,
  ];
  // Otherwise the refusal that follows says it all.
  if (scanning && scanRefusal(preflight)) {
    lines.push(
      'warning: none of the sampled records opened with the old password; --scan-anyway tests every ' +
        'record all the same. If none opens, the run ends with exit code 4. Press Ctrl-C to stop.',
    );
  }
  return lines;
}

/** The pre-flight refused the scan itself (nothing opened): --scan-anyway is the way past it. */
export function scanRefusal(preflight: PreflightResult): boolean {
  return preflight.refusal === 'nothing-opened' || preflight.refusal === 'already-rotated';
}

/** A refused pre-flight, as lines for stderr (the first starts "error: ") and a code for --json. */
export interface RefusalReport {
  readonly code: EngineErrorCode;
  readonly lines: readonly string[];
}

/**
 * Why a rotation is refused before it starts: settings that open no v2 record
 * (the preset that did, if any), a vault that looks already rotated (the
 * verify command to check), or a sample in which nothing opened (the possible
 * causes and --scan-anyway).
 */
export function refusalReport(
  args: RotateArgs,
  preflight: PreflightResult,
  openConfig: Argon2Config,
  unicodeHint: string | null,
): RefusalReport {
  const sample = preflight.newPasswordSample;
  const table = printable(preflight.table);
  const context = { config: openConfig, table, cryptoOption: '--crypto' };
  const scanAnyway = `test every record anyway with --scan-anyway (about ${formatDuration(Math.max(1, preflight.estimatedSeconds) * 1000)} here).`;
  if (preflight.refusal === 'already-rotated' && sample) {
    // Said as after a full scan (a warning's words: the likelier story first), exit 4 all the same.
    return {
      code: 'ALREADY_ROTATED',
      lines: [
        `${alreadyOpenText(sample)}: this vault looks already rotated (a previous run probably completed).`,
        `  Check with: ${verifyCommand(args, preflight.table)}`,
        `  Nothing was changed: the old password opened ${noneOpenedText(preflight)} of table "${table}".`,
        `  If the vault was not rotated before, the old password is wrong, or ${wrongParametersText(openConfig)}.`,
        `  If records still hold the old password, ${scanAnyway}`,
      ],
    };
  }
  if (preflight.refusal === 'nothing-opened') {
    const causes = nothingOpenedCauses({ sample: preflight, newPasswordSample: sample }, context);
    if (unicodeHint) causes[0] = `${causes[0]}. ${unicodeHint}`;
    return {
      code: 'NOTHING_OPENED',
      lines: [
        `error: the old password opened ${noneOpenedText(preflight)} of table "${table}" with the Argon2id ` +
          `settings ${describeArgon2Config(openConfig)}: a rotation would test all ${formatCount(preflight.total)} ` +
          'records and change nothing, so it was not started. Nothing was changed.',
        '  Possible causes:',
        ...causes.map((cause) => `  - ${cause}`),
        `  If the old password protects only a few records the sample missed, ${scanAnyway}`,
      ],
    };
  }
  const lines: string[] = [];
  if (sample && newPasswordOpensSample(sample)) {
    lines.push(
      `${alreadyOpenText(sample)}: this vault looks already rotated (a previous run probably completed).`,
      `  Check with: ${verifyCommand(args, preflight.table)}`,
    );
  }
  lines.push(
    wrongConfigMessage(preflight, {
      config: openConfig,
      suggestedPreset: preflight.suggestedPreset,
      cryptoOption: '--crypto',
    }),
  );
  if (unicodeHint && preflight.opened === 0 && !preflight.suggestedPreset) {
    lines.push(`  ${unicodeHint}`);
  }
  lines[0] = `error: ${lines[0]}`;
  return { code: 'WRONG_ARGON2_CONFIG', lines };
}

export function preflightJson(preflight: PreflightResult): object {
  return { type: 'preflight', ...roundedRates(preflight) };
}

function failureLines(result: RotationResult): string[] {
  if (result.failed === 0) return [];
  const lines = [
    `${formatCount(result.failed)} records could not be rotated (left unchanged): malformed values, or values another program changed during the rotation.`,
  ];
  for (const failure of result.failures.slice(0, MAX_FAILURES_LISTED)) {
    lines.push(
      `  ${printable(failure.id)}: ${printable(failure.reason)} (${printable(failure.detail)})`,
    );
  }
  const more = result.failed - Math.min(result.failures.length, MAX_FAILURES_LISTED);
  if (more > 0) lines.push(`  … and ${formatCount(more)} more (--json lists up to 1,000).`);
  return lines;
}

function countLines(result: RotationResult, rotatedLabel: string): string[] {
  return formatTable([
    ['  scanned', formatCount(result.scanned), ''],
    [`  ${rotatedLabel}`, formatCount(result.rotated), ''],
    ['  skipped', formatCount(result.skipped), 'did not open with the old password'],
    ['  failed', formatCount(result.failed), result.failed > 0 ? 'see below' : ''],
  ]);
}

function onServer(result: RotationResult): boolean {
  // A distributed rotation runs only on a server (its result names no single driver).
  if ('distributed' in result) return true;
  return result.driver !== undefined && vaultDriverText(result.driver).holds === 'server';
}

/** What the engine checked before saying completed: every record visited once; other programs' writes swept. */
function coverageLines(result: RotationResult): string[] {
  const lines: string[] = [];
  const { coverage, sweep } = result;
  const scope = result.resumed ? 'records after the resume point' : 'records in scope';
  if (coverage && onServer(result) && !result.dryRun) {
    // A server cannot tell other programs' commits: the sweep always re-reads the table.
    lines.push(
      `Checked: every one of the ${formatCount(coverage.rowsAtStart)} ${scope} was visited exactly once. ` +
        'A database server cannot tell whether other programs wrote during the run, so the table was ' +
        're-read after the main pass' +
        (sweep
          ? `: ${formatCount(sweep.changed)} record(s) changed and ${formatCount(sweep.inserted)} added since were ` +
            `re-examined in ${formatCount(sweep.rounds)} sweep(s) and ${formatCount(sweep.rotated)} rotated; ` +
            `${formatCount(sweep.deleted)} record(s) were deleted.`
          : '.'),
    );
    return lines;
  }
  if (coverage && !coverage.foreignWrites) {
    lines.push(
      `Checked: every one of the ${formatCount(coverage.rowsAtStart)} ${scope} was visited exactly once, ` +
        'and no other program wrote to the vault during the run.',
    );
  }
  if (sweep) {
    lines.push(
      `Another program wrote to the vault during the run: ${formatCount(sweep.examined)} record(s) it changed ` +
        `(${formatCount(sweep.changed)}) or added (${formatCount(sweep.inserted)}) were re-examined in ` +
        `${formatCount(sweep.rounds)} sweep(s) and ${formatCount(sweep.rotated)} rotated; ` +
        `${formatCount(sweep.deleted)} record(s) it deleted.`,
    );
  }
  return lines;
}

/** Which driver ran the job: native SQLite, the in-memory WebAssembly fallback, or a server's. */
export function driverLine(result: RotationResult): string | null {
  if (result.driver === undefined) return null;
  const text = vaultDriverText(result.driver);
  return `${text.holds === 'file' ? 'SQLite driver' : 'Database'}: ${text.summary}`;
}

function softDeletedLine(args: RotateArgs): string {
  return args.skipSoftDeleted
    ? 'Soft-deleted records were left as they are (--skip-soft-deleted), as the Go library does: those under the old password still open with it.'
    : "Soft-deleted records were included. The Go library's own rotation skips them, which leaves the old password working on them; use --skip-soft-deleted to do the same.";
}

/** `verify` of the table with the new password and the parameters values were written with. */
function verifyCommand(args: RotateArgs, table: string): string {
  const argv = ['verify', args.vaultPath, '--table', table];
  // The database login as given (a source, never the password).
  argv.push(...passwordArguments('--db-password', args.dbPassword.source, false));
  if (args.dbPassword.optionFile !== undefined)
    argv.push('--db-option-file', args.dbPassword.optionFile);
  const crypto = args.newCrypto ?? args.crypto;
  if (crypto) argv.push('--crypto', crypto.spec);
  argv.push(...passwordArguments('--password', args.newPassword, false));
  return shellCommand([CLI_NAME, ...argv]);
}

function verifyHint(args: RotateArgs, result: RotationResult): string {
  return `Check it with the new password: ${verifyCommand(args, result.table)}`;
}

export function completedText(args: RotateArgs, result: RotationResult): string[] {
  const took = formatDuration(result.seconds * 1000);
  const lines: string[] = [];
  if (result.dryRun) {
    lines.push(
      `Dry run of table "${printable(result.table)}" (${took}): ${formatCount(result.rotated)} of ${formatCount(result.scanned)} records would be rotated. Nothing was written.`,
    );
    lines.push(...countLines(result, 'would rotate'));
  } else if (foundAlreadyCompleted(result)) {
    lines.push(
      `Already completed: table "${printable(result.table)}" was rotated by an earlier run (checked in ${took}: ` +
        `none of its ${formatCount(result.scanned)} records opens with the old password; ` +
        `${alreadyOpenText(result.newPasswordSample!)}). Nothing was changed.`,
    );
  } else {
    lines.push(
      `Rotated ${formatCount(result.rotated)} of ${formatCount(result.scanned)} records of table "${printable(result.table)}" in ${took}.`,
    );
    lines.push(...countLines(result, 'rotated'));
  }
  lines.push(...coverageLines(result));
  lines.push(...failureLines(result));
  const driver = driverLine(result);
  if (driver) lines.push(driver);
  if (result.backupPath) {
    lines.push(
      `Backup of the vault before the rotation: ${printable(result.backupPath)} (keep it until you have checked the vault).`,
    );
  } else if (!result.dryRun && !foundAlreadyCompleted(result)) {
    lines.push(
      args.backup.kind === 'none'
        ? 'No backup was made (--no-backup).'
        : 'No backup was made by this run (the notes say why).',
    );
  }
  lines.push(softDeletedLine(args));
  for (const note of result.notes ?? []) lines.push(printable(note));
  if (!result.dryRun && result.rotated > 0) lines.push(verifyHint(args, result));
  return lines;
}

/** @param resumable the command printed resumes (a checkpoint, or a distributed rotation's ledger) */
export function cancelledText(
  result: RotationResult,
  resume: string,
  resumable = result.checkpointPath !== null,
): string[] {
  const lines = [
    `Cancelled after ${formatDuration(result.seconds * 1000)}: scanned ${formatCount(result.scanned)} records, ` +
      `rotated ${formatCount(result.rotated)}, skipped ${formatCount(result.skipped)}, failed ${formatCount(result.failed)}. ` +
      (result.dryRun
        ? 'Nothing was written (dry run).'
        : 'Every finished batch is committed; nothing is half-written.'),
    ...failureLines(result),
  ];
  const driver = driverLine(result);
  if (driver) lines.push(driver);
  if (result.backupPath)
    lines.push(`Backup of the vault before the rotation: ${printable(result.backupPath)}`);
  lines.push(resumable ? 'To resume:' : 'To start again:', `  ${resume}`);
  return lines;
}

function wrongParametersText(openConfig: Argon2Config): string {
  return `the vault uses other Argon2id parameters than ${describeArgon2Config(openConfig)} (set them with --crypto)`;
}

export function nothingOpenedText(
  args: RotateArgs,
  result: RotationResult,
  openConfig: Argon2Config,
  unicodeHint: string | null,
): string[] {
  const sample = result.newPasswordSample;
  const wrongParameters = wrongParametersText(openConfig);
  // The new password already opening records is the likelier story: say it first.
  const lines =
    sample && looksAlreadyRotated(result)
      ? [
          `${alreadyOpenText(sample)}: this vault looks already rotated (a previous run probably completed).`,
          `  Check with: ${verifyCommand(args, result.table)}`,
          `  Nothing was changed by this run: the old password opened NONE of the ${formatCount(result.scanned)} records scanned in table "${printable(result.table)}".`,
          `  If the vault was not rotated before, the old password is wrong, or ${wrongParameters}.`,
        ]
      : [
          `error: the old password opened NONE of the ${formatCount(result.scanned)} records scanned in table "${printable(result.table)}". Nothing was changed.`,
          `  The old password is probably wrong, or ${wrongParameters}.`,
        ];
  if (result.failed > 0) {
    lines.push(`  ${formatCount(result.failed)} records are malformed: no password can open them.`);
  }
  if (unicodeHint) lines.push(`  ${unicodeHint}`);
  return lines;
}

export interface RotationSummaryJson {
  readonly type: 'summary';
  readonly command: 'rotate';
  /** the engine's status, except that a dry run that went through is 'dry-run': nothing was rotated */
  readonly status: RotationResult['status'] | 'dry-run';
  readonly table: string;
  readonly dryRun: boolean;
  readonly scanned: number;
  readonly rotated: number;
  readonly skipped: number;
  readonly failed: number;
  readonly seconds: number;
  readonly backup: string | null;
  readonly checkpoint: string | null;
  readonly derivations: number;
  /** derivations of the checks besides the pass (the sample's records the pass did not take, canaries) */
  readonly checkDerivations: number;
  /** of `derivations`, those the pre-flight's sample did (records the pass took instead of deriving again) */
  readonly derivationsReused: number;
  /** the SQLite driver that ran the rotation; null when the engine did not say */
  readonly driver: RotationResult['driver'] | null;
  readonly failures: RotationResult['failures'];
  /** records in scope at the start and visited by the main pass; whether another program wrote meanwhile */
  readonly coverage?: RotationResult['coverage'];
  /** present when another program wrote during the run: what the sweep re-examined */
  readonly sweep?: RotationResult['sweep'];
  /** triggers on the table that ran on every rotated record (--allow-triggers) */
  readonly triggers?: RotationResult['triggers'];
  /** sentences for people: what else the run did or did not do */
  readonly notes: readonly string[];
  /** nothing-opened only: sampled records tested with the new password */
  readonly newPasswordSample?: RotationResult['newPasswordSample'];
  readonly resumeCommand?: string;
  readonly message?: string;
}

export function summaryJson(
  result: RotationResult,
  extra: { resumeCommand?: string; message?: string } = {},
): RotationSummaryJson {
  return {
    type: 'summary',
    command: 'rotate',
    status: result.dryRun && result.status === 'completed' ? 'dry-run' : result.status,
    table: result.table,
    dryRun: result.dryRun,
    scanned: result.scanned,
    rotated: result.rotated,
    skipped: result.skipped,
    failed: result.failed,
    seconds: roundedRates({ seconds: result.seconds }).seconds,
    backup: result.backupPath,
    checkpoint: result.checkpointPath,
    derivations: result.derivations,
    checkDerivations: result.checkDerivations ?? 0,
    derivationsReused: result.derivationsReused ?? 0,
    driver: result.driver ?? null,
    failures: result.failures,
    ...(result.coverage && { coverage: result.coverage }),
    ...(result.triggers && { triggers: result.triggers }),
    notes: result.notes ?? [],
    ...(result.sweep && { sweep: result.sweep }),
    ...(result.newPasswordSample && { newPasswordSample: result.newPasswordSample }),
    ...extra,
  };
}
