/**
 * `vsref verify` (the independent Go implementation) on a vault made from a
 * template: the rotation OLD => NEW happened, soft-deleted records included,
 * nothing else changed. Skipped with a printed reason when vsref is absent.
 */
import { expect } from 'vitest';
import { runVsref, vsrefPath, vsrefSkipReason } from '../../support/vsref.js';
import { NEW_PASSWORD, OLD_PASSWORD } from './passwords.js';

let skipPrinted = false;

/** true when vsref ran and passed; false when it is absent (reason printed once). */
export async function expectVsrefRotated(vaultPath: string, table = 'vault'): Promise<boolean> {
  if (!vsrefPath) {
    if (!skipPrinted) console.warn(`[skip] ${vsrefSkipReason}`);
    skipPrinted = true;
    return false;
  }
  const out = await runVsref([
    'verify',
    '-db',
    vaultPath,
    '-manifest',
    `${vaultPath}.manifest.json`,
    '-table',
    table,
    '-config',
    'tiny',
    '-expect',
    `${OLD_PASSWORD}=>${NEW_PASSWORD}`,
    '-softdeleted',
    'rotated',
  ]);
  expect(out.stdout + out.stderr, `vsref verify ${vaultPath}`).toMatch(/verify: PASS/);
  expect(out.code).toBe(0);
  return true;
}
