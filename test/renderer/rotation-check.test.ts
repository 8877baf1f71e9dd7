import { describe, expect, it } from 'vitest';
import { selectScreen, type AppStore } from '../../src/renderer/store/app-store.js';
import { selectDraftValidity } from '../../src/renderer/store/rotation-state.js';
import { type FakeVaultAdmin, progressOf, resultOf, settle } from './support/fake-vault-admin.js';
import {
  checkProgress,
  eachWithOpenVault,
  fillValidDraft,
  NEW,
  NOTHING_OPENED,
  OLD,
  passingCheck,
  WRONG_SETTINGS,
} from './support/rotation-store.js';

describe("a Start's own check (the rotation job's pre-flight)", () => {
  let api: FakeVaultAdmin;
  let store: AppStore;
  eachWithOpenVault((fresh) => ({ api, store } = fresh));

  const start = async (): Promise<void> => {
    store.getState().openRotateDialog();
    fillValidDraft(store);
    await store.getState().startRotation();
  };

  it('shows the check progress, then its result, then the pass: one job, no separate check', async () => {
    api.autoCheck = false;
    await start();
    const jobId = api.jobId;
    expect(store.getState().rotationStatus).toBe('checking');
    expect(selectScreen(store.getState())).toBe('vault');

    api.emit({ type: 'preflight-progress', jobId, progress: checkProgress(5) });
    const preflight = store.getState().preflight;
    expect(preflight.status === 'running' && preflight.progress?.stepDone).toBe(5);
    // A progress of the pass before the check's verdict does not leave the dialog.
    api.emit({ type: 'progress', jobId, progress: progressOf(0, 200) });
    expect(store.getState().rotationStatus).toBe('checking');
    expect(store.getState().draft.newPassword).toBe(NEW);

    api.emit({ type: 'preflight-result', jobId, result: passingCheck() });
    expect(store.getState().rotationStatus).toBe('running');
    expect(selectScreen(store.getState())).toBe('progress');
    expect(store.getState().draft.oldPassword).toBe('');
    api.emit({ type: 'progress', jobId, progress: progressOf(50, 200) });
    expect(store.getState().progress?.scanned).toBe(50);
    api.emit({ type: 'result', jobId, result: resultOf('completed') });
    expect(store.getState().rotationStatus).toBe('completed');
    expect(api.calls.preflight).toHaveLength(0);
    expect(api.calls.startRotation).toHaveLength(1);
  });

  it('a refusal ends the job: the dialog shows it with the passwords kept; Rotate anyway starts again with scanAnyway', async () => {
    api.preflightAnswer = { ok: true, value: NOTHING_OPENED };
    await start();
    expect(store.getState().rotationStatus).toBe('configuring');
    expect(store.getState().preflight).toEqual({
      status: 'done',
      result: NOTHING_OPENED,
      fromStart: true,
    });
    expect(store.getState().draft).toMatchObject({ oldPassword: OLD, newPassword: NEW });
    const validity = selectDraftValidity(store.getState());
    expect([validity.canStart, validity.canScanAnyway]).toEqual([false, true]);
    // Start again is refused as before: only the confirmed "Rotate anyway" goes past.
    await store.getState().submitRotateDialog();
    expect(api.calls.startRotation).toHaveLength(1);

    store.getState().requestScanAnyway();
    await store.getState().confirmScanAnyway();
    expect(api.calls.startRotation).toHaveLength(2);
    expect(api.calls.startRotation[1]).toMatchObject({ scanAnyway: true, oldPassword: OLD });
    // The same refusal, overridden: the pass goes on and the passwords leave the store.
    expect(store.getState().rotationStatus).toBe('running');
    expect(JSON.stringify(store.getState())).not.toContain(OLD);
    expect(api.calls.preflight).toHaveLength(0);
  });

  it('the suggested preset starts the refused job again with it', async () => {
    api.preflightAnswer = { ok: true, value: WRONG_SETTINGS };
    await start();
    expect(store.getState().rotationStatus).toBe('configuring');
    expect(selectDraftValidity(store.getState()).canScanAnyway).toBe(false);
    api.preflightAnswer = { ok: true, value: passingCheck() };
    await store.getState().applySuggestedPreset();
    expect(api.calls.startRotation.map((request) => request.crypto)).toEqual([
      { preset: 'default' },
      { preset: 'lightweight' },
    ]);
    expect(store.getState().rotationStatus).toBe('running');
    expect(api.calls.preflight).toHaveLength(0);
  });

  it('the suggested preset after "Check password" only checks again', async () => {
    api.preflightAnswer = { ok: true, value: WRONG_SETTINGS };
    store.getState().openRotateDialog();
    fillValidDraft(store);
    await store.getState().runPreflight();
    await store.getState().applySuggestedPreset();
    expect(api.calls.preflight.map((request) => request.crypto)).toEqual([
      { preset: 'default' },
      { preset: 'lightweight' },
    ]);
    expect(api.calls.startRotation).toHaveLength(0);
  });

  it('cancel during the check (even before main answered) cancels the job and keeps the dialog', async () => {
    api.autoCheck = false;
    api.holdStart = true;
    store.getState().openRotateDialog();
    fillValidDraft(store);
    const starting = store.getState().startRotation();
    await settle();
    const jobId = api.jobId;
    store.getState().cancelPreflight();
    expect(store.getState().rotationStatus).toBe('configuring');
    expect(store.getState().preflight.status).toBe('idle');
    expect(api.calls.cancelJob).toEqual([jobId]);
    api.releaseStart();
    await starting;
    // That cancel reached main before the job: sent again once main has it.
    expect(api.calls.cancelJob).toEqual([jobId, jobId]);
    expect(store.getState().draft).toMatchObject({ oldPassword: OLD, newPassword: NEW });

    // A new Start waits until the cancelled job has let go of the vault.
    api.holdStart = false;
    const again = store.getState().startRotation();
    await settle();
    expect(api.calls.startRotation).toHaveLength(1);
    expect(store.getState().rotationStatus).toBe('checking');
    api.emit({ type: 'result', jobId, result: resultOf('cancelled', { rotated: 0 }) });
    await again;
    expect(api.calls.startRotation).toHaveLength(2);
    expect(api.jobId).not.toBe(jobId);
    expect(store.getState().rotationStatus).toBe('checking');
  });

  it('a cancel that ends the job in its check brings the dialog back, nothing written', async () => {
    api.autoCheck = false;
    await start();
    const jobId = api.jobId;
    api.emit({
      type: 'preflight-result',
      jobId,
      result: { ...passingCheck(), cancelled: true },
    });
    expect(store.getState().rotationStatus).toBe('checking');
    api.emit({ type: 'result', jobId, result: resultOf('cancelled', { rotated: 0 }) });
    expect(store.getState().rotationStatus).toBe('configuring');
    expect(store.getState().draft.oldPassword).toBe(OLD);
  });

  it('an error before the check (the vault locked, a table with triggers) is shown in the dialog', async () => {
    api.autoCheck = false;
    await start();
    const triggers = {
      code: 'TRIGGERS' as const,
      message: 'The table vault has triggers: drop them or rotate with the application stopped.',
    };
    api.emit({ type: 'error', jobId: api.jobId, error: triggers });
    expect(store.getState().rotationStatus).toBe('configuring');
    expect(store.getState().preflight).toEqual({
      status: 'error',
      error: triggers,
      fromStart: true,
    });
    expect(store.getState().draft.newPassword).toBe(NEW);
    // Fixed elsewhere, Start is offered again.
    expect(selectDraftValidity(store.getState()).canStart).toBe(true);
  });

  it('an edit while the check runs stops the job (it holds the old inputs)', async () => {
    api.autoCheck = false;
    await start();
    const jobId = api.jobId;
    store.getState().updateDraft({ backup: false });
    expect(store.getState().rotationStatus).toBe('configuring');
    expect(api.calls.cancelJob).toEqual([jobId]);
    // Its late events change nothing.
    api.emit({ type: 'preflight-result', jobId, result: passingCheck() });
    expect(store.getState().rotationStatus).toBe('configuring');
    expect(store.getState().preflight.status).toBe('idle');
  });

  it('closing the dialog while the check runs cancels the job and clears the passwords', async () => {
    api.autoCheck = false;
    await start();
    store.getState().closeRotateDialog();
    expect(api.calls.cancelJob).toEqual([api.jobId]);
    expect(store.getState().rotationStatus).toBe('idle');
    expect(JSON.stringify(store.getState())).not.toContain(OLD);
  });
});
