/** `vaultstore-admin verify`: how many records of a table open with a password (read-only). */
import {
  ARGON2_PRESETS,
  describeArgon2Config,
  unicodeNormalizationHint,
  verifyVault,
  type Argon2Config,
  type RotationProgress,
  type VerifyProgress,
  type VerifyResult,
} from '../../engine/index.js';
import type { VerifyArgs } from '../args.js';
import { cancellingMessage, handleCancelSignals } from '../cancel-signals.js';
import type { CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { formatCount } from '../format.js';
import { writeJsonLine, writeLine } from '../io.js';
import { planServerLogin, readLoginAndPasswords } from '../db-password.js';
import { NO_LONGER_VALID_PASSWORD, VERIFY_PASSWORD } from '../passwords.js';
import { VERIFY_WORDS } from '../progress/progress-line.js';
import { createProgressReporter, JsonProgressLines } from '../progress/reporters.js';
import { zeroBytes } from '../secret-bytes.js';
import { printable } from '../terminal-text.js';

export function verifyText(result: VerifyResult, sampled: boolean): string {
  const what = sampled ? `a sample of ${formatCount(result.checked)}` : formatCount(result.checked);
  const v1 = result.openedV1 ? ` (${formatCount(result.openedV1)} of them legacy v1 values)` : '';
  return (
    `Table "${printable(result.table)}": checked ${what} records: ${formatCount(result.opened)} open with this password${v1}, ` +
    `${formatCount(result.notOpened)} do not, ${formatCount(result.malformed)} are malformed.`
  );
}

/** --fail-if-any-open: what was found, for a person (stdout when none opened, stderr otherwise). */
export function failIfAnyOpenText(result: VerifyResult, sampled: boolean): string {
  const what = sampled
    ? `a sample of ${formatCount(result.checked)} records`
    : `all ${formatCount(result.checked)} records`;
  return result.opened === 0
    ? `Table "${printable(result.table)}": none of ${what} opens with this password, as expected ` +
        `(${formatCount(result.malformed)} malformed).`
    : `error: ${formatCount(result.opened)} of ${what} of table "${printable(result.table)}" still open with ` +
        'this password (--fail-if-any-open). Rotate them (rotate --resume if a rotation was cut short, or run rotate again).';
}

type VerifyStatus = 'completed' | 'cancelled' | 'nothing-opened' | 'none-opened' | 'still-opens';

function verifyStatus(result: VerifyResult, args: VerifyArgs, cancelled: boolean): VerifyStatus {
  if (cancelled) return 'cancelled';
  if (args.failIfAnyOpen) return result.opened === 0 ? 'none-opened' : 'still-opens';
  return result.opened === 0 && result.checked > 0 ? 'nothing-opened' : 'completed';
}

export function nothingOpenedVerifyText(
  result: VerifyResult,
  config: Argon2Config,
  unicodeHint: string | null,
): string[] {
  const lines = [
    `error: the password opened NONE of the ${formatCount(result.checked)} records checked in table "${printable(result.table)}".`,
    `  The password is probably wrong, or the vault uses other Argon2id parameters than ${describeArgon2Config(config)} (set them with --crypto).`,
  ];
  if (unicodeHint) lines.push(`  ${unicodeHint}`);
  return lines;
}

const BAR_PHASE: Record<VerifyProgress['phase'], RotationProgress['phase']> = {
  starting: 'validating',
  checking: 'rotating',
  done: 'done',
  cancelled: 'cancelled',
  failed: 'failed',
};

/**
 * The terminal bar and log lines draw verify's events with the rotation's
 * layout and verify's own words (VERIFY_WORDS): scanned = checked, rotated =
 * opened, skipped = did not open, failed = malformed. --json prints the
 * events as they are.
 */
export function progressLineOf(progress: VerifyProgress): RotationProgress {
  return {
    phase: BAR_PHASE[progress.phase],
    total: progress.total,
    scanned: progress.checked,
    rotated: progress.opened,
    skipped: progress.notOpened,
    failed: progress.malformed,
    bytes: 0,
    ratePerSecond: progress.ratePerSecond,
    elapsedMs: progress.elapsedMs,
    etaMs: progress.etaMs,
  };
}

export async function runVerify(args: VerifyArgs, context: CommandContext): Promise<ExitCode> {
  const { io } = context;
  const role = args.failIfAnyOpen ? NO_LONGER_VALID_PASSWORD : VERIFY_PASSWORD;
  const login = await readLoginAndPasswords(
    planServerLogin(args, io),
    [{ source: args.password, role }],
    io,
    'verify',
  );
  const password = login.passwords[0]!;
  const config = args.crypto?.config ?? ARGON2_PRESETS.default;
  // --json prints verify's own events; a terminal or a log gets the bar or lines in verify's words.
  const json = args.json ? new JsonProgressLines(io.stdout) : null;
  const reporter =
    json ??
    createProgressReporter({ json: false, stdout: io.stdout, stderr: io.stderr }, VERIFY_WORDS);
  const showProgress = (progress: VerifyProgress): void =>
    json ? json.update(progress) : reporter.update(progressLineOf(progress));
  const cancel = handleCancelSignals(
    {
      onCancel: (signal) => {
        reporter.finish();
        writeLine(io.stderr, cancellingMessage(signal));
      },
      onForce: () => context.exit(EXIT.forced),
    },
    context.signals,
  );
  try {
    const unicodeHint = unicodeNormalizationHint(password);
    const result = await verifyVault({
      vaultPath: login.vaultPath,
      ...(login.serverPassword && { serverPassword: login.serverPassword }),
      table: args.table,
      password,
      config,
      includeSoftDeleted: !args.skipSoftDeleted,
      sampleSize: args.sample,
      workers: args.workers,
      kdfBackend: args.kdf,
      driver: args.driver,
      signal: cancel.signal,
      onProgress: showProgress,
    });
    reporter.finish();
    const cancelled = result.cancelled === true || cancel.signal.aborted;
    const status = verifyStatus(result, args, cancelled);
    const sampled = args.sample !== undefined;
    if (args.json) {
      writeJsonLine(io.stdout, {
        type: 'summary',
        command: 'verify',
        status,
        failIfAnyOpen: args.failIfAnyOpen,
        sampled,
        ...result,
      });
    }
    if (status === 'still-opens') {
      writeLine(io.stderr, failIfAnyOpenText(result, sampled));
      return EXIT.stillOpens;
    }
    if (status === 'none-opened') {
      if (!args.json) writeLine(io.stdout, failIfAnyOpenText(result, sampled));
      return EXIT.ok;
    }
    if (status === 'nothing-opened') {
      for (const line of nothingOpenedVerifyText(result, config, unicodeHint))
        writeLine(io.stderr, line);
      return EXIT.nothingOpened;
    }
    if (!args.json) writeLine(io.stdout, verifyText(result, sampled));
    if (cancelled) {
      writeLine(io.stderr, 'Cancelled: the counts cover the records checked so far.');
      return EXIT.cancelled;
    }
    return EXIT.ok;
  } finally {
    reporter.finish();
    cancel.dispose();
    zeroBytes(password, login.serverPassword);
  }
}
