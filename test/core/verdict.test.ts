import { describe, expect, it } from 'vitest';
import type { RotationResult } from '../../src/core/types.js';
import {
  interpretResult,
  looksAlreadyRotated,
  newPasswordOpensSample,
  type VerdictInput,
} from '../../src/core/verdict.js';

function result(overrides: Partial<RotationResult> = {}): VerdictInput {
  return {
    status: 'completed',
    dryRun: false,
    rotated: 1500,
    skipped: 0,
    checkpointPath: null,
    ...overrides,
  };
}

describe('interpretResult', () => {
  it('completed: success, exit ok, the old password opens nothing any more', () => {
    expect(interpretResult(result())).toEqual({
      kind: 'rotated',
      tone: 'success',
      title: 'Password rotated',
      explanation: '1,500 records now open with the new password.',
      oldPasswordMayStillOpen: false,
      exitClass: 'ok',
    });
    expect(interpretResult(result({ skipped: 2 })).explanation).toBe(
      '1,500 records now open with the new password. 2 did not open with the current one and were left as they were.',
    );
  });

  it('dry run: success and exit ok, but nothing was written so the old password still opens', () => {
    const verdict = interpretResult(result({ dryRun: true }));
    expect(verdict).toMatchObject({
      kind: 'dry-run',
      tone: 'success',
      title: 'Dry run finished',
      oldPasswordMayStillOpen: true,
      exitClass: 'ok',
    });
    expect(verdict.explanation).toBe('1,500 records would be rotated. Nothing was written.');
  });

  it('cancelled: warning, exit cancelled, says whether it can be resumed', () => {
    const resumable = interpretResult(result({ status: 'cancelled', checkpointPath: '/x.ckpt' }));
    expect(resumable).toMatchObject({
      kind: 'cancelled',
      tone: 'warning',
      oldPasswordMayStillOpen: true,
      exitClass: 'cancelled',
    });
    expect(resumable.explanation).toMatch(/can be resumed/);
    expect(interpretResult(result({ status: 'cancelled' })).explanation).toMatch(/Start it again/);
    expect(interpretResult(result({ status: 'cancelled', dryRun: true })).explanation).toBe(
      'Nothing was written (dry run).',
    );
  });

  it('incomplete: warning, exit incomplete, the old password may still open, the notes explain', () => {
    const verdict = interpretResult(
      result({ status: 'incomplete', notes: ['Another program kept writing.', 'Run again.'] }),
    );
    expect(verdict).toMatchObject({
      kind: 'incomplete',
      tone: 'warning',
      title: 'Not complete: some records may still open with the old password',
      oldPasswordMayStillOpen: true,
      exitClass: 'incomplete',
    });
    expect(verdict.explanation).toBe(
      '1,500 records now open with the new password. Another program kept writing. Run again.',
    );
    expect(interpretResult(result({ status: 'incomplete' })).explanation).toMatch(
      /run the rotation again/,
    );
  });

  it('nothing opened, no new-password sample: error, exit nothingOpened, blames password or preset', () => {
    const verdict = interpretResult(result({ status: 'nothing-opened', rotated: 0 }));
    expect(verdict).toMatchObject({
      kind: 'nothing-opened',
      tone: 'error',
      title: 'No record opened with the current password',
      oldPasswordMayStillOpen: false,
      exitClass: 'nothingOpened',
    });
    expect(verdict.explanation).toMatch(/password or the Argon2id preset/);
  });

  it('nothing opened, the new password opens none of its sample: still nothing-opened', () => {
    const verdict = interpretResult(
      result({
        status: 'nothing-opened',
        rotated: 0,
        newPasswordSample: { sampled: 8, opened: 0 },
      }),
    );
    expect(verdict.kind).toBe('nothing-opened');
  });

  it('nothing opened, the new password opens sampled records: looks already rotated', () => {
    const verdict = interpretResult(
      result({
        status: 'nothing-opened',
        rotated: 0,
        newPasswordSample: { sampled: 8, opened: 5 },
      }),
    );
    expect(verdict).toMatchObject({
      kind: 'already-rotated',
      tone: 'warning',
      title: 'This vault looks already rotated',
      oldPasswordMayStillOpen: false,
      exitClass: 'nothingOpened',
    });
    expect(verdict.explanation).toContain(
      '5 of 8 sampled records already open with the new password, so a previous rotation probably completed',
    );
  });
});

describe('looksAlreadyRotated', () => {
  it('needs nothing opened AND the new password opening a sampled record', () => {
    const sample = { sampled: 8, opened: 1 };
    expect(looksAlreadyRotated({ status: 'nothing-opened', newPasswordSample: sample })).toBe(true);
    expect(looksAlreadyRotated({ status: 'completed', newPasswordSample: sample })).toBe(false);
    expect(looksAlreadyRotated({ status: 'nothing-opened' })).toBe(false);
    expect(newPasswordOpensSample({ sampled: 8, opened: 0 })).toBe(false);
    expect(newPasswordOpensSample(undefined)).toBe(false);
  });
});
