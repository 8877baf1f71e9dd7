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
import type { AuditEntry, JobEvent, RotationRequest } from '../../shared/ipc-contract.js';
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
  let check: PreflightResult | null = null;
  return {
    onProgress: (progress) => emit({ type: 'progress', jobId, progress }),
    onPreflightProgress: (progress) => emit({ type: 'preflight-progress', jobId, progress }),
    onPreflight: (result) => {
      check = result;
      emit({ type: 'preflight-result', jobId, result });
    },
    settled: (outcome, job) => {
      if (!endedInCheck(check, outcome)) {
        record(auditEntry(request, job.vaultPath, job.startedAt, outcome));
      }
      if (outcome.ok) emit({ type: 'result', jobId, result: outcome.value });
      else emit({ type: 'error', jobId, error: outcome.error });
      return outcome.ok ? outcome.value : null;
    },
  };
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
  return check !== null && !check.canRotate && CHECK_REFUSAL_CODES.has(outcome.error.code);
}
