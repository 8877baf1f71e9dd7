import { describe, expect, it } from 'vitest';
import { selectScreen, type AppStore } from '../../src/renderer/store/app-store.js';
import { selectDraftValidity } from '../../src/renderer/store/rotation-state.js';
import {
  type FakeVaultAdmin,
  handleOf,
  progressOf,
  resultOf,
  settle,
  tableInfo,
  unfinishedRotation,
  vaultSummary,
} from './support/fake-vault-admin.js';
import {
  eachWithOpenVault,
  fillValidDraft,
  NEW,
  OLD,
  passingCheck,
  VAULT,
} from './support/rotation-store.js';

describe('rotation slice', () => {
  let api: FakeVaultAdmin;
  let store: AppStore;
  eachWithOpenVault((fresh) => ({ api, store } = fresh));

  it('goes open → configuring → running → completed, and shows the matching screens', async () => {
    expect(selectScreen(store.getState())).toBe('vault');
    store.getState().openRotateDialog();
    expect(store.getState().rotationStatus).toBe('configuring');
    fillValidDraft(store);
    await store.getState().startRotation();
    expect(store.getState().rotationStatus).toBe('running');
    expect(store.getState().job?.jobId).toBe(api.jobId);
    expect(selectScreen(store.getState())).toBe('progress');

    api.emit({ type: 'progress', jobId: api.jobId, progress: progressOf(50, 200) });
    expect(store.getState().progress?.scanned).toBe(50);
    api.emit({ type: 'result', jobId: api.jobId, result: resultOf('completed') });
    expect(store.getState().rotationStatus).toBe('completed');
    expect(store.getState().result?.rotated).toBe(150);
    expect(selectScreen(store.getState())).toBe('result');
  });

  it('sends the passwords and settings to the engine, keeps them while its check runs, wipes them once it passed', async () => {
    store.getState().openRotateDialog();
    fillValidDraft(store);
    store.getState().updateDraft({ includeSoftDeleted: false, dryRun: true });
    api.holdStart = true;
    const starting = store.getState().startRotation();
    await settle();

    // The rotation's own check is the pre-flight: the dialog stays open and shows it.
    expect(store.getState().rotationStatus).toBe('checking');
    expect(selectScreen(store.getState())).toBe('vault');
    expect(store.getState().preflight).toEqual({
      status: 'running',
      jobId: api.jobId,
      progress: null,
    });
    expect(store.getState().draft.oldPassword).toBe(OLD);
    expect(api.calls.startRotation).toEqual([
      {
        vault: handleOf(VAULT),
        table: 'vault',
        oldPassword: OLD,
        newPassword: NEW,
        crypto: { preset: 'default' },
        includeSoftDeleted: false,
        backup: true,
        dryRun: true,
        resume: false,
      },
    ]);
    api.releaseStart();
    await starting;
    // One check per Start (a dry run too): no separate pre-flight job.
    expect(api.calls.preflight).toHaveLength(0);
    expect(store.getState().rotationStatus).toBe('running');
    const { draft } = store.getState();
    expect([draft.oldPassword, draft.newPassword, draft.confirmPassword]).toEqual(['', '', '']);
    expect(JSON.stringify(store.getState())).not.toContain(OLD);
    expect(JSON.stringify(store.getState())).not.toContain(NEW);
  });

  it('does not start while the input breaks the policy', async () => {
    store.getState().openRotateDialog();
    const cases = [
      { oldPassword: '', newPassword: NEW, confirmPassword: NEW },
      { oldPassword: OLD, newPassword: 'short-pass', confirmPassword: 'short-pass' },
      { oldPassword: OLD, newPassword: OLD, confirmPassword: OLD },
      { oldPassword: OLD, newPassword: NEW, confirmPassword: `${NEW}x` },
    ];
    for (const passwords of cases) {
      store.getState().updateDraft(passwords);
      expect(selectDraftValidity(store.getState()).canStart).toBe(false);
      await store.getState().startRotation();
    }
    // a custom config with an impossible memory size
    store.getState().updateDraft({
      oldPassword: OLD,
      newPassword: NEW,
      confirmPassword: NEW,
      crypto: { preset: 'custom', custom: { iterations: '1', memoryKiB: '4', parallelism: '1' } },
    });
    expect(selectDraftValidity(store.getState()).canStart).toBe(false);
    await store.getState().startRotation();
    expect(api.calls.startRotation).toHaveLength(0);
    expect(store.getState().rotationStatus).toBe('configuring');
  });

  it('counts the 16-byte policy in UTF-8 bytes, not characters', () => {
    store.getState().openRotateDialog();
    // 8 characters, 16 bytes
    const accented = 'éééééééé';
    store
      .getState()
      .updateDraft({ oldPassword: OLD, newPassword: accented, confirmPassword: accented });
    expect(selectDraftValidity(store.getState()).canStart).toBe(true);
    const seven = 'ééééééé';
    store.getState().updateDraft({ newPassword: seven, confirmPassword: seven });
    expect(selectDraftValidity(store.getState()).canStart).toBe(false);
  });

  it('cancels after confirmation: running → cancelling → cancelled', async () => {
    store.getState().openRotateDialog();
    fillValidDraft(store);
    await store.getState().startRotation();
    api.emit({ type: 'progress', jobId: api.jobId, progress: progressOf(80, 200) });

    store.getState().requestCancel();
    expect(store.getState().cancelConfirmOpen).toBe(true);
    expect(api.calls.cancelJob).toHaveLength(0);
    store.getState().dismissCancel();
    expect(store.getState().rotationStatus).toBe('running');

    store.getState().requestCancel();
    await store.getState().confirmCancel();
    expect(store.getState().rotationStatus).toBe('cancelling');
    expect(store.getState().cancelConfirmOpen).toBe(false);
    expect(api.calls.cancelJob).toEqual([api.jobId]);

    api.emit({ type: 'progress', jobId: api.jobId, progress: progressOf(96, 200) });
    expect(store.getState().rotationStatus).toBe('cancelling');
    api.emit({ type: 'result', jobId: api.jobId, result: resultOf('cancelled', { rotated: 96 }) });
    expect(store.getState().rotationStatus).toBe('cancelled');
    expect(selectScreen(store.getState())).toBe('progress');
  });

  it('returns to running with a notice when the engine refuses to cancel', async () => {
    store.getState().openRotateDialog();
    fillValidDraft(store);
    await store.getState().startRotation();
    api.cancelError = { code: 'INTERNAL', message: 'Could not reach the job. Try again.' };
    store.getState().requestCancel();
    await store.getState().confirmCancel();
    expect(store.getState().rotationStatus).toBe('running');
    expect(store.getState().rotationNotice?.message).toBe('Could not reach the job. Try again.');
  });

  it('starts a resume under an id it made, so a cancel need not wait for the answer of main', async () => {
    store.getState().openRotateDialog({ resume: true });
    fillValidDraft(store);
    api.holdStart = true;
    const starting = store.getState().startRotation();
    await settle();
    const jobId = api.jobId;
    expect(jobId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(store.getState().job?.jobId).toBe(jobId);
    // A resume runs no check: its passwords left the store at once.
    expect(store.getState().rotationStatus).toBe('starting');
    expect(store.getState().draft.oldPassword).toBe('');
    store.getState().requestCancel();
    await store.getState().confirmCancel();
    expect(store.getState().rotationStatus).toBe('cancelling');
    expect(api.calls.cancelJob).toEqual([jobId]);
    api.releaseStart();
    await starting;
    // Sent again once main has the job (a cancel that reached main first found nothing to stop).
    expect(api.calls.cancelJob).toEqual([jobId, jobId]);
    expect(store.getState().rotationStatus).toBe('cancelling');
  });

  it('gives every rotation a new id', async () => {
    for (let run = 0; run < 3; run += 1) {
      store.setState({ rotationStatus: 'idle' });
      store.getState().openRotateDialog();
      fillValidDraft(store);
      await store.getState().startRotation();
    }
    expect(new Set(api.calls.startRotationJobIds).size).toBe(3);
  });

  it('applies events of its job at once, even before startRotation answered', async () => {
    store.getState().openRotateDialog();
    fillValidDraft(store);
    api.holdStart = true;
    const starting = store.getState().startRotation();
    await settle();
    const jobId = api.jobId;
    api.emit({ type: 'preflight-result', jobId, result: passingCheck() });
    api.emit({ type: 'progress', jobId, progress: progressOf(10, 200) });
    expect(store.getState().progress?.scanned).toBe(10);
    expect(store.getState().rotationStatus).toBe('running');
    api.emit({ type: 'progress', jobId, progress: progressOf(20, 200) });
    api.emit({ type: 'progress', jobId: 'someone-else', progress: progressOf(199, 200) });
    expect(store.getState().progress?.scanned).toBe(20);
    api.releaseStart();
    await starting;
    expect(store.getState().progress?.scanned).toBe(20);
    expect(store.getState().rotationStatus).toBe('running');

    // a result that raced the answer lands, and the late answer does not undo it
    store.setState({ rotationStatus: 'idle' });
    store.getState().openRotateDialog();
    fillValidDraft(store);
    const second = store.getState().startRotation();
    await settle();
    api.emit({ type: 'result', jobId: api.jobId, result: resultOf('completed') });
    expect(store.getState().rotationStatus).toBe('completed');
    api.releaseStart();
    await second;
    expect(store.getState().rotationStatus).toBe('completed');
  });

  it('ignores events of other jobs', async () => {
    store.getState().openRotateDialog();
    fillValidDraft(store);
    await store.getState().startRotation();
    api.emit({ type: 'progress', jobId: 'job-99', progress: progressOf(150, 200) });
    api.emit({ type: 'result', jobId: 'job-99', result: resultOf('completed') });
    expect(store.getState().progress).toBeNull();
    expect(store.getState().rotationStatus).toBe('running');
  });

  it('keeps only the latest of a burst of progress events', async () => {
    store.getState().openRotateDialog();
    fillValidDraft(store);
    await store.getState().startRotation();
    for (let scanned = 1; scanned <= 200; scanned += 1) {
      api.emit({ type: 'progress', jobId: api.jobId, progress: progressOf(scanned, 200) });
    }
    expect(store.getState().progress?.scanned).toBe(200);
  });

  it('ends in nothing-opened when no record opened', async () => {
    store.getState().openRotateDialog();
    fillValidDraft(store);
    await store.getState().startRotation();
    api.emit({ type: 'result', jobId: api.jobId, result: resultOf('nothing-opened') });
    expect(store.getState().rotationStatus).toBe('nothing-opened');
    expect(selectScreen(store.getState())).toBe('result');
  });

  it('ends in error on an error event or a refused start, keeping the human message', async () => {
    store.getState().openRotateDialog();
    fillValidDraft(store);
    await store.getState().startRotation();
    const locked = {
      code: 'LOCKED' as const,
      message: 'Another program holds the vault. Close it and resume.',
    };
    api.emit({ type: 'error', jobId: api.jobId, error: locked });
    expect(store.getState().rotationStatus).toBe('error');
    expect(store.getState().rotationError).toEqual(locked);

    store.getState().backToVault();
    store.getState().openRotateDialog();
    fillValidDraft(store);
    api.startError = { code: 'BUSY', message: 'A rotation is already running.' };
    await store.getState().startRotation();
    // Refused before its check: nothing ran, the dialog shows why and keeps the passwords.
    expect(store.getState().rotationStatus).toBe('configuring');
    expect(store.getState().preflight).toEqual({
      status: 'error',
      error: { code: 'BUSY', message: 'A rotation is already running.' },
      fromStart: true,
    });
    expect(store.getState().draft.oldPassword).toBe(OLD);
  });

  it('clears the passwords when the dialog closes', () => {
    store.getState().openRotateDialog();
    fillValidDraft(store);
    store.getState().closeRotateDialog();
    expect(store.getState().rotationStatus).toBe('idle');
    expect(store.getState().draft.oldPassword).toBe('');
    expect(store.getState().draft.newPassword).toBe('');
    expect(store.getState().draft.confirmPassword).toBe('');
  });

  it('resumes a cancelled job with its settings, asking for the passwords again', async () => {
    store.getState().openRotateDialog();
    fillValidDraft(store);
    store.getState().updateDraft({
      crypto: { preset: 'custom', custom: { iterations: '1', memoryKiB: '64', parallelism: '1' } },
      includeSoftDeleted: false,
    });
    await store.getState().startRotation();
    api.emit({ type: 'result', jobId: api.jobId, result: resultOf('cancelled') });

    store.getState().openRotateDialog({ resume: true });
    const { draft } = store.getState();
    expect(draft.resume).toBe(true);
    expect(draft.oldPassword).toBe('');
    expect(draft.includeSoftDeleted).toBe(false);
    expect(draft.crypto.preset).toBe('custom');
    fillValidDraft(store);
    await store.getState().startRotation();
    expect(api.calls.startRotation[1]).toMatchObject({
      resume: true,
      includeSoftDeleted: false,
      crypto: { preset: 'custom', config: { iterations: 1, memoryKiB: 64, parallelism: 1 } },
    });
  });

  it('re-reads the vault after a job and when going back to it', async () => {
    store.getState().openRotateDialog();
    fillValidDraft(store);
    await store.getState().startRotation();
    api.vaults.set(
      VAULT,
      vaultSummary(VAULT, [tableInfo('vault', 200)], {
        unfinishedRotations: [unfinishedRotation('vault')],
      }),
    );
    const before = api.calls.openVaultPath.length;
    api.emit({ type: 'result', jobId: api.jobId, result: resultOf('cancelled') });
    await settle();
    expect(api.calls.openVaultPath.length).toBe(before + 1);
    expect(store.getState().vault?.unfinishedRotations.map((r) => r.table)).toEqual(['vault']);
    store.getState().backToVault();
    expect(store.getState().rotationStatus).toBe('idle');
    expect(selectScreen(store.getState())).toBe('vault');
  });
});
