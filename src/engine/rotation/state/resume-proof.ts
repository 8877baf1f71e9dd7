/**
 * Proof that a resumed run continues the same rotation, without storing a
 * secret: the checkpoint keeps two canaries (random throwaway plaintexts
 * sealed with the old and the new password) and the keys and value hashes of
 * a few records the rotation wrote. On resume those records must still hold
 * exactly those values (else the vault was restored or rewritten since), and
 * the passwords given now must open the canaries (else they are not the
 * passwords of the interrupted rotation). Four derivations at most.
 */
import { createHash } from 'node:crypto';
import { EngineError } from '../../errors.js';
import type { CryptoPool } from '../../pool/crypto-pool.js';
import type { VaultStore } from '../../storage/types.js';
import type { RotationCheckpoint, RotationProof } from './checkpoint.js';
import { NEW_PASSWORD, OLD_PASSWORD } from '../run/pipeline.js';
import type { RecordScope } from '../job/record-scope.js';

/** Records kept as proof in a checkpoint. */
export const PROOF_RECORDS = 8;
/** Derivations sealing the canaries, and opening them on resume: one per password. */
export const CANARY_DERIVATIONS = 2;

export function proofOf(key: string, value: string): RotationProof {
  return { key, sha256: createHash('sha256').update(value).digest('hex') };
}

/** null when the job was cancelled first (it then writes nothing, so it needs no checkpoint). */
export async function sealCanaries(
  pool: CryptoPool,
): Promise<RotationCheckpoint['canaries'] | null> {
  const [old, fresh] = await Promise.all([
    pool.run({ op: 'seal', password: OLD_PASSWORD, config: 'open' }),
    pool.run({ op: 'seal', password: NEW_PASSWORD, config: 'write' }),
  ]);
  if (old?.outcome.kind === 'aborted' || fresh?.outcome.kind === 'aborted') return null;
  if (old?.outcome.kind !== 'sealed' || fresh?.outcome.kind !== 'sealed') {
    throw new EngineError('INTERNAL', 'The rotation could not seal its resume canaries.');
  }
  return { old: old.outcome.newValue, new: fresh.outcome.newValue };
}

type CanaryOutcome = 'opened' | 'refused' | 'aborted';

/** The pool's passwords tried on a rotation's canaries (two derivations). */
export async function openCanaries(
  pool: CryptoPool,
  canaries: RotationCheckpoint['canaries'],
): Promise<{ old: CanaryOutcome; fresh: CanaryOutcome }> {
  const [old, fresh] = await Promise.all([
    pool.run({ op: 'open', value: canaries.old, password: OLD_PASSWORD }),
    pool.run({ op: 'open', value: canaries.new, password: NEW_PASSWORD, config: 'write' }),
  ]);
  const outcome = (kind: string | undefined): CanaryOutcome =>
    kind === 'opened' ? 'opened' : kind === 'aborted' ? 'aborted' : 'refused';
  return { old: outcome(old?.outcome.kind), fresh: outcome(fresh?.outcome.kind) };
}

export interface ResumeProofSettings {
  readonly checkpoint: RotationCheckpoint;
  readonly checkpointPath: string;
  readonly store: VaultStore;
  /** the records of the resumed rotation (its proof records are read whatever the filter) */
  readonly scope: RecordScope;
  readonly pool: CryptoPool;
}

function vaultChanged(path: string, what: string): EngineError {
  return new EngineError(
    'CHECKPOINT',
    `The vault changed since the interrupted rotation (${what}: it was restored from a backup or rewritten by ` +
      `another program), so its checkpoint ${path} cannot be trusted. Start a new rotation instead of ` +
      'resuming (CLI: --restart): records already under the new password are not rotated twice.',
  );
}

export async function assertSameRotation(settings: ResumeProofSettings): Promise<void> {
  const { checkpoint, checkpointPath, store, pool } = settings;
  const { table } = settings.scope;
  const keyKind = await store.keyKind(table);
  if (keyKind !== checkpoint.keyKind) {
    throw vaultChanged(checkpointPath, `the table's record keys are now ${keyKind}s`);
  }
  // A redo starts from the first record, so nothing the vault holds can make it skip one: only the
  // passwords need proving (other programs may well have rewritten the proof records meanwhile).
  const proofs = checkpoint.redoFromStart ? [] : checkpoint.proof;
  for (const proof of proofs) {
    const record = await store.readRecord(table, proof.key, { includeSoftDeleted: true });
    if (!record) throw vaultChanged(checkpointPath, 'a record it rotated is gone');
    if (proofOf(record.key, record.value).sha256 !== proof.sha256) {
      throw vaultChanged(checkpointPath, `record ${record.id} no longer holds the value it wrote`);
    }
  }
  const { old, fresh } = await openCanaries(pool, checkpoint.canaries);
  if (old === 'aborted' || fresh === 'aborted') {
    throw new EngineError('INTERNAL', 'The resume check was cancelled.');
  }
  if (old !== 'opened') {
    throw new EngineError(
      'CHECKPOINT',
      'The old password given now is not the old password of the interrupted rotation, so resuming would leave ' +
        'the rest of the vault under the old one. Resume with the same old password it was started with.',
    );
  }
  if (fresh !== 'opened') {
    throw new EngineError(
      'CHECKPOINT',
      'The new password given now is not the new password of the interrupted rotation: resuming would split the ' +
        'vault over two new passwords. Resume with the same new password it was started with.',
    );
  }
}
