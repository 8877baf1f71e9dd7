/**
 * The distributed rotation (issue 19): the rotate dialog's "Use other
 * machines too" form and its check, the recent queues, and the selected
 * server table's rotation found in the ledger (the re-attach banner). The
 * job itself (status, job id, result) is the rotation slice's, as for one
 * machine; its ledger readings sit beside it (rotation-state.ts).
 * What the slice holds, how it starts, and how to read it.
 */
import { vaultDriverText } from '../../core/vault-drivers.js';
import type {
  DistributedCheckResult,
  DistributedProgressEvent,
  DistributedStatus,
  IpcError,
  QueueConnection,
} from '../../shared/ipc-contract.js';
import { INITIAL_QUEUE_FORM, queueFormProblems, type QueueForm } from '../lib/queue-form.js';
import type { PreflightData } from './preflight-state.js';
import { draftValidity, type DraftValidity, type RotationData } from './rotation-state.js';
import type { VaultData } from './vault-state.js';

export type DistributedCheckState =
  | { status: 'idle' }
  /** `id` matches the answer to the call (a newer check or an edit drops an older answer) */
  | { status: 'running'; id: number }
  | { status: 'done'; result: DistributedCheckResult }
  | { status: 'error'; error: IpcError };

export interface DistributedData {
  queueForm: QueueForm;
  distributedCheck: DistributedCheckState;
  /** queues used before, newest first, never with a password */
  recentQueues: QueueConnection[];
  /** the selected server table's distributed rotation that is running or unfinished in the ledger */
  tableRotation: DistributedStatus | null;
  /** a Cancel of that rotation is on its way */
  tableRotationCancelling: boolean;
  tableRotationError: IpcError | null;
}

export interface DistributedSlice extends DistributedData {
  /** an edit of the queue drops the check made of the previous one */
  updateQueueForm(patch: Partial<QueueForm>): void;
  useRecentQueue(queue: QueueConnection): void;
  chooseQueueCaFile(): Promise<void>;
  loadRecentQueues(): Promise<void>;
  /** Redis answers, the ledger can be made, no other rotation is active */
  runDistributedCheck(): Promise<void>;
  /** the dialog's submit with "Use other machines too": the queue's check, then the start */
  submitDistributed(): Promise<void>;
  /** starts the coordinator once the queue's check passed (its own check samples the passwords) */
  startDistributedRotation(): Promise<void>;
  handleDistributedProgress(event: DistributedProgressEvent): void;
  /** reads the selected server table's distributed rotation from the ledger */
  loadTableRotation(): Promise<void>;
  /** cancels that rotation for every worker (committed batches stay) */
  cancelTableRotation(): Promise<void>;
}

export const INITIAL_DISTRIBUTED_STATE: DistributedData = {
  queueForm: INITIAL_QUEUE_FORM,
  distributedCheck: { status: 'idle' },
  recentQueues: [],
  tableRotation: null,
  tableRotationCancelling: false,
  tableRotationError: null,
};

type DistributedView = DistributedData &
  RotationData &
  PreflightData &
  Pick<VaultData, 'vault' | 'selectedTable'>;

/** A vault in a database server: only its rotation can be distributed. */
export function selectOnServer(state: Pick<VaultData, 'vault'>): boolean {
  return state.vault !== null && vaultDriverText(state.vault.driver).holds === 'server';
}

/** The dialog's rotation is a distributed one. */
export function selectDistributing(
  state: Pick<DistributedData, 'queueForm'> & Pick<VaultData, 'vault'>,
): boolean {
  return state.queueForm.use && selectOnServer(state);
}

/** A ledger state a new rotation must not start over: Resume or Cancel it. */
export function isUnfinished(status: DistributedStatus | null): status is DistributedStatus {
  return status !== null && (status.state === 'running' || status.state === 'cancelled');
}

/** The selected table's unfinished distributed rotation (the banner's), whose settings a resume repeats. */
export function selectUnfinishedDistributed(
  state: Pick<DistributedData, 'tableRotation'>,
): DistributedStatus | null {
  return isUnfinished(state.tableRotation) ? state.tableRotation : null;
}

export interface DistributedValidity {
  base: DraftValidity;
  queueProblems: ReturnType<typeof queueFormProblems>;
  queueValid: boolean;
  /** the check passed for this queue: Redis answered and the ledger can be made */
  checkPassed: boolean;
  /** the check found a running or unfinished rotation of the table: a new one would be refused */
  blockedBy: DistributedStatus | null;
  canCheck: boolean;
  /** Start may be pressed: what is left are the checks it runs */
  canSubmit: boolean;
  canStart: boolean;
}

export function distributedValidity(state: DistributedView): DistributedValidity {
  const base = draftValidity(
    state.draft,
    state.vault !== null && state.selectedTable !== null,
    state.rotationStatus === 'configuring',
    state.preflight,
  );
  const queueProblems = queueFormProblems(state.queueForm);
  const queueValid = Object.keys(queueProblems).length === 0;
  const check = state.distributedCheck;
  const found = check.status === 'done' ? check.result.unfinished : null;
  const blockedBy = found !== null && !state.draft.resume ? found : null;
  const checkPassed = check.status === 'done' && blockedBy === null;
  return {
    base,
    queueProblems,
    queueValid,
    checkPassed,
    blockedBy,
    canCheck: base.tableChosen && queueValid,
    canSubmit: base.canStart && queueValid && !state.draft.dryRun && blockedBy === null,
    // The sample is the coordinator's own check (a resume's canaries prove the passwords).
    canStart: base.canStart && queueValid && !state.draft.dryRun && checkPassed,
  };
}
