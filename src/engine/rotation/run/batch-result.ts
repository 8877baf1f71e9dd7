/**
 * A store's answer to one guarded batch must account for each record of the
 * batch exactly once (written, or left because its value changed): a store
 * that reports more, or a record twice, would have the rotation count writes
 * that never happened and print them as rotated records. Whatever the store,
 * that is a bug: an internal error, never a success.
 */
import { EngineError } from '../../errors.js';
import type { WriteBatchResult } from '../../storage/types.js';

export function assertBatchAccounted(
  batchKeys: readonly string[],
  result: WriteBatchResult,
  where: { readonly table: string; readonly vault: string },
): void {
  const pending = new Set(batchKeys);
  const reported = [...result.written, ...result.guardFailed];
  const accounted = reported.filter((key) => pending.delete(key));
  if (accounted.length === batchKeys.length && reported.length === batchKeys.length) return;
  throw new EngineError(
    'INTERNAL',
    `Writing a batch of ${batchKeys.length} record(s) to table ${JSON.stringify(where.table)} of ` +
      `${where.vault}, the store reported ${result.written.length} written and ${result.guardFailed.length} ` +
      `left unchanged (${reported.length - accounted.length} of them not, or not once, in the batch): ` +
      'the rotation cannot tell what it wrote, so it stops here instead of counting it. Batches committed ' +
      'before this one are kept. Please report this; check the vault with verify before relying on it.',
  );
}
