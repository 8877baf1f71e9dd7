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
import { VERIFY_PASSWORD } from '../passwords.js';
import { createProgressReporter } from '../progress/reporters.js';
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
 * The CLI's bar and its JSON progress lines keep their established shape for
 * verify (verb "opened": scanned = checked, rotated = opened, skipped = did
 * not open, failed = malformed), so scripts reading them keep working.
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
  const login = await readLoginAndPasswords(
    planServerLogin(args, io),
    [{ source: args.password, role: VERIFY_PASSWORD }],
    io,
    'verify',
  );
  const password = login.passwords[0]!;
  const config = args.crypto?.config ?? ARGON2_PRESETS.default;
  const reporter = createProgressReporter(
    { json: args.json, stdout: io.stdout, stderr: io.stderr },
    'opened',
  );
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
      onProgress: (progress) => reporter.update(progressLineOf(progress)),
    });
    reporter.finish();
    const cancelled = result.cancelled === true || cancel.signal.aborted;
    const status = cancelled
      ? 'cancelled'
      : result.opened === 0 && result.checked > 0
        ? 'nothing-opened'
        : 'completed';
    if (args.json)
      writeJsonLine(io.stdout, { type: 'summary', command: 'verify', status, ...result });
    if (status === 'nothing-opened') {
      for (const line of nothingOpenedVerifyText(result, config, unicodeHint))
        writeLine(io.stderr, line);
      return EXIT.nothingOpened;
    }
    if (!args.json) writeLine(io.stdout, verifyText(result, args.sample !== undefined));
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
