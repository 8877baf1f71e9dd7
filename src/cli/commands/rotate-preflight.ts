/**
 * `rotate`'s pre-flight on a terminal or in JSON: the rotation's own check, told as it always was,
 * on one machine or by a distributed coordinator (`rotate --queue`).
 */
import {
  isEngineError,
  type Argon2Config,
  type PreflightResult,
  type RotationOptions,
  type RotationProgress,
  type RotationResult,
} from '../../engine/index.js';
import { CHECK_REFUSAL_CODES } from '../../core/error-codes.js';
import type { RotateArgs } from '../args.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { writeJsonLine, writeLine, type CliIo } from '../io.js';
import { PreflightSpinner } from '../progress/preflight-spinner.js';
import { preflightJson, preflightText, refusalReport, scanRefusal } from './rotate-report.js';

function writeLines(output: CliIo['stderr'], lines: readonly string[]): void {
  for (const line of lines) writeLine(output, line);
}

/**
 * The rotation's own check, shown as its pre-flight (a fresh run; a resume
 * proves its canaries instead): a turning mark while it samples, then its
 * line, before any progress of the pass (held until then). Refused (exit 4,
 * lines on stderr, an error line with --json) when no sampled v2 record
 * opens (unless --skip-config-check) or nothing opens at all (unless
 * --scan-anyway): before the scan, which on a real vault takes hours to end
 * the same way. The sampled records that opened are rotated by the check,
 * not tested again.
 */
export class PreflightShown<P = RotationProgress> {
  result: PreflightResult | null = null;
  private readonly spinner: PreflightSpinner | null;
  private held: P | null = null;

  constructor(
    private readonly args: RotateArgs,
    private readonly io: CliIo,
    signal: AbortSignal,
    private readonly onProgress: (progress: P) => void,
  ) {
    // Seconds of silence at the default preset: a terminal shows that work goes on.
    this.spinner =
      !args.resume && !args.json && io.stderr.isTTY
        ? new PreflightSpinner(io.stderr, signal)
        : null;
  }

  /** What the engine is given: the pre-flight's listeners on a fresh run. */
  listeners(): { onProgress: (progress: P) => void } & Pick<
    RotationOptions,
    'onPreflight' | 'onPreflightProgress'
  > {
    // A coordinator's progress starts after its plan: before any check result, it ran none
    // (it re-attached to a running rotation, whose canaries proved the passwords).
    const unchecked = (): boolean => this.args.distributed !== null && !this.result;
    const onProgress = (progress: P): void => {
      if (this.args.resume || this.passShown() || unchecked()) this.onProgress(progress);
      else if (!this.result) this.held = progress;
    };
    if (this.args.resume) return { onProgress };
    return {
      onProgress,
      onPreflight: (result) => this.show(result),
      ...(this.spinner && { onPreflightProgress: (progress) => this.spinner?.update(progress) }),
    };
  }

  private show(result: PreflightResult): void {
    this.spinner?.stop();
    this.result = result;
    const { args, io } = this;
    if (args.json) writeJsonLine(io.stdout, preflightJson(result));
    // A refusal or a cancel is told once the run has ended (refused / cancelledDuringCheck).
    if (!args.json && !result.cancelled && this.goesOn(result)) {
      writeLines(io.stderr, preflightText(result, true, args.distributed !== null));
    }
    if (this.held !== null && this.passShown()) this.onProgress(this.held);
    this.held = null;
  }

  /** The pass's progress is shown once the check let it start (none after a refusal or a cancel in it). */
  private passShown(): boolean {
    const { result } = this;
    return result !== null && !result.cancelled && this.goesOn(result);
  }

  private goesOn(result: PreflightResult): boolean {
    const overridden = scanRefusal(result) ? this.args.scanAnyway : this.args.skipConfigCheck;
    return result.canRotate || overridden;
  }

  stop(): void {
    this.spinner?.stop();
  }

  /** The error was the check's refusal: report it as the pre-flight always did; else null. */
  refused(error: unknown, openConfig: Argon2Config, unicodeHint: string | null): ExitCode | null {
    const { result, args, io } = this;
    if (!result || this.goesOn(result) || !isEngineError(error)) return null;
    if (!CHECK_REFUSAL_CODES.has(error.code)) return null;
    const report = refusalReport(args, result, openConfig, unicodeHint);
    if (!args.json) writeLines(io.stderr, preflightText(result));
    writeLines(io.stderr, report.lines);
    if (args.json) {
      writeJsonLine(io.stdout, {
        type: 'error',
        code: report.code,
        message: report.lines.join('\n'),
        exitCode: EXIT.nothingOpened,
      });
    }
    return EXIT.nothingOpened;
  }

  /** Cancelled during the check: nothing was changed (no canaries, no checkpoint, no write). */
  cancelledDuringCheck(rotation: RotationResult): ExitCode | null {
    return rotation.status === 'cancelled' ? this.cancelledInCheck() : null;
  }

  /**
   * The check told it was cancelled (a coordinator then ends with an error, having planned
   * nothing): reported as a cancel during the pre-flight; else null.
   */
  cancelledInCheck(): ExitCode | null {
    const { result, args, io } = this;
    if (!result?.cancelled) return null;
    if (!args.json) writeLines(io.stderr, preflightText(result));
    writeLine(io.stderr, 'Cancelled during the pre-flight check. Nothing was changed.');
    if (args.json) {
      writeJsonLine(io.stdout, {
        type: 'summary',
        command: 'rotate',
        status: 'cancelled',
        table: result.table,
      });
    }
    return EXIT.cancelled;
  }
}
