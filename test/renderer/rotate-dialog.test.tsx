// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  PreflightResult,
  RotationRequest,
  UnfinishedRotation,
} from '../../src/shared/ipc-contract.js';
import {
  FakeVaultAdmin,
  handleOf,
  resultOf,
  tableInfo,
  unfinishedRotation,
  vaultSummary,
} from './support/fake-vault-admin.js';
import { apiWithVault, renderApp, VAULT_PATH, type RenderedApp } from './support/render-app.js';

const OLD = 'Old-password-0123456789';
/** A check in which nothing opened (after the wider sample), not even with the new password. */
const NOTHING_OPENED: PreflightResult = {
  table: 'vault',
  total: 200,
  sampled: 80,
  opened: 0,
  malformed: 0,
  v2: { sampled: 64, opened: 0, malformed: 0 },
  v1: { sampled: 16, opened: 0, malformed: 0 },
  canRotate: false,
  refusal: 'nothing-opened',
  newPasswordSample: { sampled: 8, opened: 0 },
  estimatedSeconds: 20,
};
const NEW = 'Brand-new-password-0123456789';

async function openDialog(app: RenderedApp): Promise<HTMLElement> {
  await act(() => app.store.getState().openVault(handleOf(VAULT_PATH)));
  fireEvent.click(screen.getByRole('button', { name: 'Rotate password…' }));
  return screen.getByRole('dialog', { name: 'Rotate password' });
}

function type(label: string | RegExp, value: string): void {
  fireEvent.change(screen.getByLabelText(label, { selector: 'input' }), { target: { value } });
}

/** The dialog open with valid passwords typed (no check run yet). */
async function openFilledDialog(app: RenderedApp): Promise<void> {
  await openDialog(app);
  type('Current password', OLD);
  type('New password', NEW);
  type('Confirm new password', NEW);
}

function startButton(): HTMLButtonElement {
  return screen.getByRole('button', { name: /^Start/ });
}

describe('rotate dialog', () => {
  let app: RenderedApp;

  beforeEach(() => {
    app = renderApp(apiWithVault());
  });

  afterEach(() => {
    cleanup();
  });

  it('moves focus to the current password when it opens', async () => {
    await openDialog(app);
    expect(document.activeElement).toBe(
      screen.getByLabelText('Current password', { selector: 'input' }),
    );
  });

  it('keeps Start disabled until every rule holds', async () => {
    await openDialog(app);
    expect(startButton().disabled).toBe(true);
    type('Current password', OLD);
    expect(startButton().disabled).toBe(true);
    type('New password', 'short');
    type('Confirm new password', 'short');
    expect(startButton().disabled).toBe(true);
    type('New password', OLD);
    type('Confirm new password', OLD);
    expect(startButton().disabled).toBe(true);
    type('New password', NEW);
    type('Confirm new password', `${NEW}?`);
    expect(startButton().disabled).toBe(true);
    type('Confirm new password', NEW);
    expect(startButton().disabled).toBe(false);
  });

  it('shows the policy in UTF-8 bytes as the user types', async () => {
    await openDialog(app);
    const policy = screen.getByRole('list', { name: 'VaultStore password policy' });
    expect(within(policy).getByText(/At least 16 bytes \(UTF-8\): 0 so far/)).toBeTruthy();
    type('New password', 'ééé');
    expect(within(policy).getByText(/At least 16 bytes \(UTF-8\): 6 so far/)).toBeTruthy();
    // long enough is not yet true, differs from the (empty) current one is
    expect(within(policy).getAllByText('(not met yet)', { exact: false })).toHaveLength(2);
    type('Current password', OLD);
    type('New password', NEW);
    type('Confirm new password', NEW);
    expect(within(policy).getAllByText('(met)', { exact: false })).toHaveLength(3);
    // the estimator loads on first use and rates once typing pauses
    await waitFor(() => expect(screen.getByText(/Strength:/).textContent).toMatch(/Strong/), {
      timeout: 10_000,
    });
  });

  it("rates a common password weak and says why, in the new field's description", async () => {
    await openDialog(app);
    type('New password', 'Password123!');
    const field = screen.getByLabelText('New password', { selector: 'input' });
    const meter = document.getElementById(
      (field.getAttribute('aria-describedby') ?? '').split(' ')[0] ?? '',
    );
    expect(meter).not.toBeNull();
    await waitFor(() => expect(meter?.textContent).toMatch(/Strength: Weak/), { timeout: 10_000 });
    expect(meter?.textContent).toContain('This is similar to a commonly used password.');
    expect(
      within(meter as HTMLElement).getByRole('list', { name: 'Suggestions' }).children.length,
    ).toBeGreaterThan(0);
    type('New password', 'tundra-marble-quiver-lantern-osprey-velvet');
    await waitFor(() => expect(meter?.textContent).toMatch(/Strength: Strong/));
    expect(meter?.textContent).not.toContain('commonly used');
  });

  it('closes on Escape, clears the passwords and gives focus back to the opener', async () => {
    await act(() => app.store.getState().openVault(handleOf(VAULT_PATH)));
    const opener = screen.getByRole('button', { name: 'Rotate password…' });
    // a keyboard user: focus on the button, then activate it
    opener.focus();
    fireEvent.click(opener);
    type('Current password', OLD);
    fireEvent.keyDown(screen.getByLabelText('Current password', { selector: 'input' }), {
      key: 'Escape',
    });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(app.store.getState().draft.oldPassword).toBe('');
    expect(document.activeElement).toBe(opener);
    fireEvent.click(opener);
    expect(
      (screen.getByLabelText('Current password', { selector: 'input' }) as HTMLInputElement).value,
    ).toBe('');
  });

  it('still closes on Escape after focus left the dialog', async () => {
    await openDialog(app);
    (document.activeElement as HTMLElement).blur();
    expect(document.activeElement).toBe(document.body);
    fireEvent.keyDown(document.body, { key: 'Tab' });
    expect(screen.getByRole('dialog').contains(document.activeElement)).toBe(true);
    (document.activeElement as HTMLElement).blur();
    fireEvent.keyDown(document.body, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('shows and hides each password', async () => {
    await openDialog(app);
    const input = screen.getByLabelText('New password', { selector: 'input' }) as HTMLInputElement;
    const toggle = screen.getByRole('button', { name: 'Show new password' });
    expect(input.type).toBe('password');
    fireEvent.click(toggle);
    expect(input.type).toBe('text');
    expect(toggle.getAttribute('aria-pressed')).toBe('true');
    expect(toggle.getAttribute('aria-label')).toBe('Hide new password');
    fireEvent.click(toggle);
    expect(input.type).toBe('password');
    expect(
      (screen.getByLabelText('Current password', { selector: 'input' }) as HTMLInputElement).type,
    ).toBe('password');
  });

  it('starts on Enter, its own check first, with the passwords gone from the inputs and the store', async () => {
    await openFilledDialog(app);
    const confirm = screen.getByLabelText('Confirm new password', { selector: 'input' });
    await act(async () => {
      fireEvent.submit(confirm.closest('form')!);
    });
    // One job: the rotation's own check was the pre-flight, and the pass went on once it passed.
    expect(app.api.calls.preflight).toHaveLength(0);
    expect(app.api.calls.startRotation).toHaveLength(1);
    expect(app.api.calls.startRotation[0]).toMatchObject({ oldPassword: OLD, newPassword: NEW });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Rotating password');
    expect(JSON.stringify(app.store.getState())).not.toContain(NEW);
    for (const input of Array.from(document.querySelectorAll('input'))) {
      expect(input.value).not.toBe(NEW);
    }
  });

  it('never starts a rotation on Enter after a red check; Start is no longer the primary action', async () => {
    app.api.preflightAnswer = { ok: true, value: NOTHING_OPENED };
    await openFilledDialog(app);
    expect(startButton().className).toContain('button-primary');
    const form = screen.getByLabelText('Current password', { selector: 'input' }).closest('form')!;
    await act(async () => {
      fireEvent.submit(form);
    });
    // Enter started the job, whose check found nothing: refused before anything was written
    expect(app.api.calls.preflight).toHaveLength(0);
    expect(app.api.calls.startRotation).toHaveLength(1);
    expect(screen.getByRole('dialog')).toBeTruthy();
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('None of the 80 sampled records opened');
    expect(alert.textContent).toContain('would test every record and change nothing');
    expect(within(alert).getByTestId('preflight-causes').textContent).toContain(
      'the new password opened none of 8 sampled records',
    );
    expect(startButton().disabled).toBe(true);
    expect(startButton().className).not.toContain('button-primary');
    expect(screen.getByText(/or rotate anyway/)).toBeTruthy();
    // Enter again, in any password field: still nothing starts, nor a scan anyway
    for (const label of ['Current password', 'New password', 'Confirm new password']) {
      await act(async () => {
        fireEvent.submit(screen.getByLabelText(label, { selector: 'input' }).closest('form')!);
      });
    }
    expect(app.api.calls.startRotation).toHaveLength(1);
    expect(app.api.calls.preflight).toHaveLength(0);
  });

  it('rotates anyway only after a confirmation, and asks main to scan anyway', async () => {
    app.api.preflightAnswer = { ok: true, value: NOTHING_OPENED };
    await openFilledDialog(app);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Check password' }));
    });
    fireEvent.click(screen.getByRole('button', { name: 'Rotate anyway…' }));
    const confirmation = screen.getByRole('alertdialog', {
      name: /Test all 200 records with the current password\?/,
    });
    // the safe choice has the focus; nothing started yet
    expect(document.activeElement).toBe(within(confirmation).getByRole('button', { name: 'Back' }));
    expect(app.api.calls.startRotation).toHaveLength(0);
    // Enter in a password field does not confirm it
    await act(async () => {
      fireEvent.submit(confirmation.closest('form')!);
    });
    expect(app.api.calls.startRotation).toHaveLength(0);
    fireEvent.click(within(confirmation).getByRole('button', { name: 'Back' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(app.api.calls.startRotation).toHaveLength(0);

    fireEvent.click(screen.getByRole('button', { name: 'Rotate anyway…' }));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Test every record' }));
    });
    expect(app.api.calls.startRotation).toHaveLength(1);
    expect(app.api.calls.startRotation[0]).toMatchObject({ scanAnyway: true, oldPassword: OLD });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('says an already rotated vault looks so, and offers no Start', async () => {
    app.api.preflightAnswer = {
      ok: true,
      value: {
        ...NOTHING_OPENED,
        refusal: 'already-rotated',
        newPasswordSample: { sampled: 8, opened: 6 },
      },
    };
    await openFilledDialog(app);
    await act(async () => {
      fireEvent.click(startButton());
    });
    expect(app.api.calls.startRotation[0]?.newPassword).toBe(NEW);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('This vault looks already rotated');
    expect(alert.textContent).toContain('6 of 8 already open with the new one');
    expect(startButton().disabled).toBe(true);
    // The refused job was the only one: no separate check, no second start.
    expect(app.api.calls.startRotation).toHaveLength(1);
    expect(app.api.calls.preflight).toHaveLength(0);
    expect(screen.getByRole('button', { name: 'Rotate anyway…' })).toBeTruthy();
  });

  it("shows Start's own check in the dialog: progress, Cancel check, then an error before it", async () => {
    app.api.autoCheck = false;
    await openFilledDialog(app);
    await act(async () => {
      fireEvent.click(startButton());
    });
    const jobId = app.api.jobId;
    const dialog = screen.getByRole('dialog', { name: 'Rotate password' });
    expect(within(dialog).getByRole('button', { name: 'Checking…' })).toBeTruthy();
    act(() => {
      app.api.emit({
        type: 'preflight-progress',
        jobId,
        progress: {
          phase: 'checking',
          toSample: 16,
          sampled: 6,
          opened: 6,
          malformed: 0,
          stepDone: 6,
          stepTotal: 16,
          elapsedMs: 60,
        },
      });
    });
    expect(within(dialog).getByRole('status').textContent).toContain(
      'Testing sampled records: 6 of 16 tested · 6 opened',
    );
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel check' }));
    expect(app.api.calls.cancelJob).toEqual([jobId]);
    expect(startButton().disabled).toBe(false);
    act(() => {
      app.api.emit({ type: 'result', jobId, result: resultOf('cancelled', { rotated: 0 }) });
    });

    // Started again, the job ends before its check: the lock of another rotation.
    await act(async () => {
      fireEvent.click(startButton());
    });
    expect(app.api.jobId).not.toBe(jobId);
    act(() => {
      app.api.emit({
        type: 'error',
        jobId: app.api.jobId,
        error: {
          code: 'ROTATION_IN_PROGRESS',
          message: 'Another rotation of this vault is running (the CLI). Wait for it to end.',
        },
      });
    });
    const alert = within(dialog).getByRole('alert');
    expect(alert.textContent).toContain('Not started: another rotation of this vault is running');
    expect(alert.textContent).toContain('Wait for it to end.');
    expect(
      (screen.getByLabelText('New password', { selector: 'input' }) as HTMLInputElement).value,
    ).toBe(NEW);
    expect(startButton().disabled).toBe(false);
  });

  it('does not submit on Enter while invalid', async () => {
    await openDialog(app);
    type('Current password', OLD);
    await act(async () => {
      fireEvent.submit(
        screen.getByLabelText('Current password', { selector: 'input' }).closest('form')!,
      );
    });
    expect(app.api.calls.startRotation).toHaveLength(0);
    expect(screen.getByRole('dialog')).toBeTruthy();
  });

  it('warns loudly when the pre-flight opened nothing, mentioning NFC/NFD for accented passwords', async () => {
    app.api.preflightAnswer = {
      ok: true,
      value: {
        ...NOTHING_OPENED,
        sampled: 16,
        v2: { sampled: 16, opened: 0, malformed: 0 },
        v1: { sampled: 0, opened: 0, malformed: 0 },
      },
    };
    await openDialog(app);
    const check = screen.getByRole('button', { name: 'Check password' });
    expect((check as HTMLButtonElement).disabled).toBe(true);
    type('Current password', 'Mot-de-passe-élève-2024');
    await act(async () => {
      fireEvent.click(check);
    });
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('None of the 16 sampled records opened');
    expect(alert.textContent).toContain('Argon2id preset');
    expect(alert.textContent).toContain('NFC and NFD');
    expect(app.api.calls.preflight[0]?.oldPassword).toBe('Mot-de-passe-élève-2024');

    // editing the password makes the answer stale
    type('Current password', 'Mot-de-passe-eleve-2024');
    expect(screen.queryByRole('alert')).toBeNull();
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Check password' }));
    });
    expect(screen.getByRole('alert').textContent).not.toContain('NFC');
  });

  it('blocks Start when no v2 record opens though v1 ones do, and offers the detected preset in one click', async () => {
    const refused = {
      table: 'vault',
      total: 200,
      sampled: 20,
      opened: 4,
      malformed: 0,
      v2: { sampled: 16, opened: 0, malformed: 0 },
      v1: { sampled: 4, opened: 4, malformed: 0 },
      canRotate: false,
      suggestedPreset: 'lightweight' as const,
      estimatedSeconds: 3,
    };
    app.api.preflightAnswer = { ok: true, value: refused };
    await openFilledDialog(app);
    expect(startButton().disabled).toBe(false);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Check password' }));
    });
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('None of the 16 sampled v2 records opened');
    expect(screen.getByTestId('preflight-split').textContent).toBe(
      'v2 records: 0 of 16 opened · legacy v1 records: 4 of 4 opened',
    );
    expect(alert.textContent).toContain('looks like it uses the lightweight preset');
    expect(startButton().disabled).toBe(true);
    expect(screen.getByText(/no v2 record that opens/)).toBeTruthy();
    // Enter does not get around it either
    await act(async () => {
      fireEvent.submit(startButton().closest('form')!);
    });
    expect(app.api.calls.startRotation).toHaveLength(0);

    // one click: the picker switches to lightweight and the check runs again with it
    const { suggestedPreset: _none, ...passed } = refused;
    app.api.preflightAnswer = {
      ok: true,
      value: {
        ...passed,
        opened: 16,
        v2: { sampled: 16, opened: 12, malformed: 0 },
        canRotate: true,
      },
    };
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Use the lightweight preset' }));
    });
    expect(app.api.calls.preflight).toHaveLength(2);
    expect(app.api.calls.preflight[1]?.crypto).toEqual({ preset: 'lightweight' });
    expect((screen.getByLabelText('Argon2id preset') as HTMLSelectElement).value).toBe(
      'lightweight',
    );
    expect(screen.queryByRole('alert')).toBeNull();
    expect(startButton().disabled).toBe(false);
  });

  it('reports how many sampled records opened and the estimated time', async () => {
    await openDialog(app);
    type('Current password', OLD);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Check password' }));
    });
    expect(screen.getByText('12 of 16 sampled records opened')).toBeTruthy();
    expect(screen.getByText(/Rotating all 200 records should take about 9 s/)).toBeTruthy();
  });

  it('offers custom t/m/p, fills them from a preset, and validates them', async () => {
    await openFilledDialog(app);
    expect(screen.getByText(/The VaultStore library default/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Tiny (tests only)' })).toBeNull();
    fireEvent.change(screen.getByLabelText('Argon2id preset'), { target: { value: 'custom' } });
    fireEvent.click(screen.getByRole('button', { name: 'Tiny (tests only)' }));
    expect((screen.getByLabelText('Memory (m)') as HTMLInputElement).value).toBe('64');
    expect(startButton().disabled).toBe(false);
    fireEvent.change(screen.getByLabelText('Memory (m)'), { target: { value: '4' } });
    expect(screen.getByRole('alert').textContent).toMatch(/Memory \(m\) must be/);
    expect(startButton().disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('Memory (m)'), { target: { value: '64' } });
    await act(async () => {
      fireEvent.click(startButton());
    });
    expect(app.api.calls.startRotation[0]?.crypto).toEqual({
      preset: 'custom',
      config: { iterations: 1, memoryKiB: 64, parallelism: 1 },
    });
  });

  it('offers key length and salt size in the custom form, checks them and sends them', async () => {
    await openFilledDialog(app);
    fireEvent.change(screen.getByLabelText('Argon2id preset'), { target: { value: 'custom' } });
    fireEvent.click(screen.getByRole('button', { name: 'Tiny (tests only)' }));
    const keyLength = screen.getByLabelText('Key length (k)') as HTMLSelectElement;
    expect(keyLength.value).toBe('32');
    expect(Array.from(keyLength.options).map((option) => option.value)).toEqual(['16', '24', '32']);
    expect((screen.getByLabelText('Salt size') as HTMLInputElement).value).toBe('16');
    fireEvent.change(keyLength, { target: { value: '24' } });
    fireEvent.change(screen.getByLabelText('Salt size'), { target: { value: '7' } });
    expect(screen.getByRole('alert').textContent).toMatch(/Salt size must be .* from 8 to 1024/);
    expect(startButton().disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('Salt size'), { target: { value: '32' } });
    expect(screen.queryByRole('alert')).toBeNull();
    await act(async () => {
      fireEvent.click(startButton());
    });
    expect(app.api.calls.startRotation[0]?.crypto).toEqual({
      preset: 'custom',
      config: { iterations: 1, memoryKiB: 64, parallelism: 1, keyLength: 24, saltLength: 32 },
    });
  });

  it('adds the optional character rules to the checklist and sends them', async () => {
    await openDialog(app);
    const policy = screen.getByRole('list', { name: 'VaultStore password policy' });
    expect(within(policy).queryByText(/A symbol/)).toBeNull();
    type('Current password', OLD);
    type('New password', 'brand-new-password-lowercase');
    type('Confirm new password', 'brand-new-password-lowercase');
    expect(startButton().disabled).toBe(false);
    fireEvent.click(screen.getByLabelText('An upper-case letter (A-Z)'));
    fireEvent.click(screen.getByLabelText('A digit (0-9)'));
    expect(
      within(policy)
        .getByText(/An upper-case letter/)
        .closest('li')?.className,
    ).not.toBe('is-ok');
    expect(startButton().disabled).toBe(true);
    type('New password', NEW);
    type('Confirm new password', NEW);
    expect(within(policy).getAllByText('(met)', { exact: false })).toHaveLength(5);
    expect(startButton().disabled).toBe(false);
    await act(async () => {
      fireEvent.click(startButton());
    });
    expect(app.api.calls.startRotation[0]?.newPasswordPolicy).toEqual({
      requireUpper: true,
      requireLower: false,
      requireDigit: true,
      requireSymbol: false,
    });
  });

  it('sends no password rules when none is ticked', async () => {
    await openFilledDialog(app);
    await act(async () => {
      fireEvent.click(startButton());
    });
    expect(app.api.calls.startRotation[0]).not.toHaveProperty('newPasswordPolicy');
  });

  it('has the options on by default except dry run, which renames Start', async () => {
    await openDialog(app);
    expect(
      (screen.getByLabelText('Include soft-deleted records') as HTMLInputElement).checked,
    ).toBe(true);
    expect((screen.getByLabelText('Back up the vault first') as HTMLInputElement).checked).toBe(
      true,
    );
    expect(screen.getByText(/The Go library skips them/)).toBeTruthy();
    fireEvent.click(screen.getByLabelText('Dry run'));
    expect(startButton().textContent).toBe('Start dry run');
  });

  it('keeps Tab inside the dialog', async () => {
    const dialog = await openDialog(app);
    const focusable = dialog.querySelectorAll<HTMLElement>('button:not([disabled]), input, select');
    const last = focusable[focusable.length - 1]!;
    last.focus();
    fireEvent.keyDown(last, { key: 'Tab' });
    expect(document.activeElement).toBe(focusable[0]);
    fireEvent.keyDown(focusable[0]!, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(last);
  });
});

describe('resume dialog after an app restart', () => {
  afterEach(() => {
    cleanup();
  });

  /** A fresh app (no job of this session) on a vault whose inspection found an unfinished rotation. */
  async function openResumeDialog(unfinished: UnfinishedRotation): Promise<RenderedApp> {
    const app = renderApp(
      new FakeVaultAdmin().addVault(
        vaultSummary(VAULT_PATH, [tableInfo('vault', 200, { softDeleted: 12 })], {
          unfinishedRotations: [unfinished],
        }),
      ),
    );
    await act(() => app.store.getState().openVault(handleOf(VAULT_PATH)));
    fireEvent.click(screen.getByRole('button', { name: 'Resume interrupted rotation…' }));
    screen.getByRole('dialog', { name: 'Resume interrupted rotation' });
    return app;
  }

  async function submitWithPasswords(app: RenderedApp): Promise<RotationRequest> {
    type('Current password', OLD);
    type('New password', NEW);
    type('Confirm new password', NEW);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Resume rotation' }));
    });
    const request = app.api.calls.startRotation[0];
    if (!request) throw new Error('no rotation was started');
    return request;
  }

  it('is filled with the checkpoint’s open and write configs and soft-deleted choice, and sends them', async () => {
    const app = await openResumeDialog(
      unfinishedRotation('vault', {
        openConfig: { iterations: 1, memoryKiB: 64, parallelism: 1, saltLength: 24 },
        writeConfig: { iterations: 2, memoryKiB: 32768, parallelism: 2 },
        includeSoftDeleted: false,
      }),
    );
    expect(screen.getByText(/filled in from the run’s checkpoint/)).toBeTruthy();
    const current = screen.getByRole('group', { name: 'Current values' });
    expect((within(current).getByLabelText('Argon2id preset') as HTMLSelectElement).value).toBe(
      'custom',
    );
    expect((within(current).getByLabelText('Iterations (t)') as HTMLInputElement).value).toBe('1');
    expect((within(current).getByLabelText('Memory (m)') as HTMLInputElement).value).toBe('64');
    expect((within(current).getByLabelText('Salt size') as HTMLInputElement).value).toBe('24');
    const written = screen.getByRole('group', { name: 'New values' });
    expect((within(written).getByLabelText('Argon2id preset') as HTMLSelectElement).value).toBe(
      'lightweight',
    );
    const softDeleted = screen.getByLabelText('Include soft-deleted records') as HTMLInputElement;
    expect(softDeleted.checked).toBe(false);

    const request = await submitWithPasswords(app);
    expect(request).toMatchObject({
      resume: true,
      includeSoftDeleted: false,
      crypto: {
        preset: 'custom',
        config: { iterations: 1, memoryKiB: 64, parallelism: 1, saltLength: 24 },
      },
      newCrypto: { preset: 'lightweight' },
    });
  });

  it('shows one picker on the saved preset when the rotation wrote with the same config', async () => {
    const app = await openResumeDialog(
      unfinishedRotation('vault', {
        openConfig: { iterations: 4, memoryKiB: 131072, parallelism: 4 },
        writeConfig: { iterations: 4, memoryKiB: 131072, parallelism: 4 },
        includeSoftDeleted: true,
      }),
    );
    expect(screen.queryByRole('group', { name: 'New values' })).toBeNull();
    expect((screen.getByLabelText('Argon2id preset') as HTMLSelectElement).value).toBe('high');
    expect(
      (screen.getByLabelText('Include soft-deleted records') as HTMLInputElement).checked,
    ).toBe(true);
    const request = await submitWithPasswords(app);
    expect(request).toMatchObject({
      resume: true,
      includeSoftDeleted: true,
      crypto: { preset: 'high' },
    });
    expect(request.newCrypto).toBeUndefined();
  });
});
