/**
 * What a rotation job tells while it runs and when it ends: its job events
 * (its own check's progress and result first, then the pass's progress, then
 * the result or error) and its audit-log line. A job that ended in its own
 * check (refused by it, or cancelled before its pass began) wrote nothing and
 * gets no line, as the separate pre-flight job it replaces never did.
 */
import type {
  PreflightProgress,
  PreflightResult,
  RotationProgress,
  RotationResult,
} from '../../engine/index.js';
import { CHECK_REFUSAL_CODES } from '../../core/error-codes.js';
import type { AuditEntry, IpcError, JobEvent, RotationRequest } from '../../shared/ipc-contract.js';
import { auditEntry } from './audit-log.js';
import type { HostOutcome } from './host-job.js';
import type { ActiveRotationInfo } from './job-registry.js';

/** What a started job does with its progress and its outcome (once it has left the registry). */
export interface JobEnd<P, T, U> {
  readonly onProgress: (progress: P) => void;
  /** a rotation's own check (its pre-flight) */
  readonly onPreflightProgress?: (progress: PreflightProgress) => void;
  readonly onPreflight?: (result: PreflightResult) => void;
  readonly settled: (outcome: HostOutcome<T>, job: ActiveRotationInfo) => U;
}

export function rotationJobEnd(
  jobId: string,
  request: RotationRequest,
  emit: (event: JobEvent) => void,
  record: (entry: AuditEntry) => void,
): JobEnd<RotationProgress, RotationResult, RotationResult | null> {
  const check = ownCheckEvents(jobId, emit);
  return {
    onProgress: (progress) => emit({ type: 'progress', jobId, progress }),
    ...check.events,
    settled: (outcome, job) => {
      if (!endedInCheck(check.result(), outcome)) {
        record(auditEntry(request, job.vaultPath, job.startedAt, outcome));
      }
      if (outcome.ok) emit({ type: 'result', jobId, result: outcome.value });
      else emit({ type: 'error', jobId, error: outcome.error });
      return outcome.ok ? outcome.value : null;
    },
  };
}

/** A job's own check (its pre-flight) told as job events under its id; its result kept. */
export function ownCheckEvents(
  jobId: string,
  emit: (event: JobEvent) => void,
): {
  readonly events: Required<
    Pick<JobEnd<unknown, unknown, unknown>, 'onPreflight' | 'onPreflightProgress'>
  >;
  /** the check's result, once told (null: none yet) */
  result(): PreflightResult | null;
} {
  let check: PreflightResult | null = null;
  return {
    events: {
      onPreflightProgress: (progress) => emit({ type: 'preflight-progress', jobId, progress }),
      onPreflight: (result) => {
        check = result;
        emit({ type: 'preflight-result', jobId, result });
      },
    },
    result: () => check,
  };
}

/** The job's error is its own check's refusal (told before it): nothing was written. */
export function refusedInCheck(check: PreflightResult | null, error: IpcError): boolean {
  return check !== null && !check.canRotate && CHECK_REFUSAL_CODES.has(error.code);
}

/**
 * The rotation stopped in (or before) its own check: refused by it, or cancelled before its pass
 * counted a record or left anything to resume.
 */
function endedInCheck(
  check: PreflightResult | null,
  outcome: HostOutcome<RotationResult>,
): boolean {
  if (outcome.ok) {
    const { status, scanned, checkpointPath } = outcome.value;
    return status === 'cancelled' && scanned === 0 && checkpointPath === null;
  }
  return refusedInCheck(check, outcome.error);
}
