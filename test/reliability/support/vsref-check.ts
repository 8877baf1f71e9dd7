/**
 * `vsref verify` (the independent Go implementation) on a vault made from a
 * template: the rotation OLD => NEW happened, soft-deleted records included,
 * nothing else changed. Skipped with a printed reason when vsref is absent.
 */
import { expectVsrefVerifies, vsrefPath, vsrefSkipReason } from '../../support/vsref.js';
import { NEW_PASSWORD, OLD_PASSWORD } from '../../support/passwords.js';

let skipPrinted = false;

/** true when vsref ran and passed; false when it is absent (reason printed once). */
export async function expectVsrefRotated(vaultPath: string, table = 'vault'): Promise<boolean> {
  if (!vsrefPath) {
    if (!skipPrinted) console.warn(`[skip] ${vsrefSkipReason}`);
    skipPrinted = true;
    return false;
  }
  return expectVsrefVerifies(vaultPath, {
    config: 'tiny',
    expect: `${OLD_PASSWORD}=>${NEW_PASSWORD}`,
    softDeleted: 'rotated',
    table,
  });
}
