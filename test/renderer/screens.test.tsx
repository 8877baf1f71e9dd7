// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  FakeVaultAdmin,
  handleOf,
  progressOf,
  resultOf,
  tableInfo,
  unfinishedRotation,
  vaultSummary,
  verifyProgressOf,
} from './support/fake-vault-admin.js';
import { connectLaunchedVaults } from '../../src/renderer/store/launched-vaults.js';
import { apiWithVault, renderApp, VAULT_PATH, type RenderedApp } from './support/render-app.js';

const OLD = 'Old-password-0123456789';
const NEW = 'Brand-new-password-0123456789';

/** Opens the vault and starts a rotation through the dialog, as a user would. */
async function startRotation(app: RenderedApp): Promise<void> {
  await act(() => app.store.getState().openVault(handleOf(VAULT_PATH)));
  fireEvent.click(screen.getByRole('button', { name: 'Rotate password…' }));
  for (const [label, value] of [
    ['Current password', OLD],
    ['New password', NEW],
    ['Confirm new password', NEW],
  ] as const) {
    fireEvent.change(screen.getByLabelText(label, { selector: 'input' }), { target: { value } });
  }
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Start rotation' }));
  });
}

function statValue(name: string): string {
  const tile = document.querySelector(`[data-stat="${name}"] dd`);
  if (!tile) throw new Error(`no stat ${name}`);
  return tile.textContent ?? '';
}

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('start screen', () => {
  it('opens a vault from the dialog, the recent list or a drop', async () => {
    const api = apiWithVault();
    api.recent = [VAULT_PATH];
    const app = renderApp(api);
    await act(async () => {});
    const recent = screen.getByRole('button', { name: /app\.db/ });
    expect(recent.textContent).toContain('/home/ada/vaults');
    await act(async () => {
      fireEvent.click(recent);
    });
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('app.db');

    fireEvent.click(screen.getByRole('button', { name: 'Close vault' }));
    api.droppedPath = VAULT_PATH;
    const file = new File(['SQLite format 3'], 'app.db');
    await act(async () => {
      fireEvent.drop(screen.getByTestId('dropzone'), {
        dataTransfer: { files: [file], types: ['Files'] },
      });
    });
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('app.db');

    fireEvent.click(screen.getByRole('button', { name: 'Close vault' }));
    api.dialogPick = VAULT_PATH;
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Open vault…' }));
    });
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('app.db');
    expect(app.api.calls.openVaultPath).toEqual([VAULT_PATH, VAULT_PATH, VAULT_PATH]);
  });

  it('shows the rotation history from the audit log, newest first, digits grouped', async () => {
    const api = new FakeVaultAdmin();
    const entry = {
      startedAt: '2026-03-01T10:00:00.000Z',
      finishedAt: '2026-03-01T10:05:00.000Z',
      vault: '/home/ada/vaults/app.db',
      table: 'vault',
      outcome: 'completed' as const,
      dryRun: false,
      resume: false,
      counts: { scanned: 12_000, rotated: 11_500, skipped: 500, failed: 0 },
      backupPath: null,
      error: null,
    };
    api.auditEntries = [
      { ...entry, outcome: 'error', counts: null, error: { code: 'IO', message: 'Disk gone.' } },
      {
        ...entry,
        vault: 'postgres://rotator@db.internal:5432/app',
        distributed: {
          queue: 'rediss://queue.internal:6380/0',
          workHere: true,
          rotation: 'rot-1',
          shards: 40,
          sweepRounds: 1,
          workers: [
            { host: 'node-a', records: 6000, state: 'left' },
            { host: 'node-a', records: 1000, state: 'left' },
            { host: 'this-mac', records: 4500, state: 'left' },
          ],
        },
      },
      entry,
    ];
    renderApp(api);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Rotation history…' }));
    });
    const dialog = screen.getByRole('dialog', { name: 'Rotation history' });
    const rows = within(dialog).getAllByRole('row').slice(1);
    expect(rows.map((row) => row.textContent)).toEqual([
      expect.stringMatching(/app\.dbvaultFailed–––$/),
      // Two workers on node-a: two machines.
      expect.stringMatching(/appvaultCompleted, 2 machines11,5005000$/),
      expect.stringMatching(/app\.dbvaultCompleted11,5005000$/),
    ]);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('shows a vault named on the command line, but not over a running rotation', async () => {
    const api = apiWithVault();
    const app = renderApp(api);
    const disconnect = connectLaunchedVaults(api, app.store);
    await act(async () => {
      api.launchVault(api.vaults.get(VAULT_PATH)!);
    });
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('app.db');
    await startRotation(app);
    expect(app.store.getState().rotationStatus).toBe('running');
    await act(async () => {
      api.launchVault({
        ...api.vaults.get(VAULT_PATH)!,
        fileName: 'other.db',
        handle: handleOf('/v/other.db'),
      });
    });
    expect(app.store.getState().vault?.fileName).toBe('app.db');
    disconnect();
  });

  it('shows an open error as its human message with a way forward', async () => {
    const api = new FakeVaultAdmin();
    api.dialogPick = '/tmp/notes.txt';
    renderApp(api);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Open vault…' }));
    });
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('Vault file not found');
    expect(alert.textContent).toContain('There is no file at /tmp/notes.txt. Check the path.');
    expect(within(alert).getByRole('button', { name: 'Choose another file…' })).toBeTruthy();
    fireEvent.click(within(alert).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('alert')).toBeNull();
  });
});

describe('vault screen', () => {
  it('shows the file, driver and counts', async () => {
    const api = new FakeVaultAdmin().addVault(
      vaultSummary(
        VAULT_PATH,
        [tableInfo('vault', 1234, { softDeleted: 12, expired: 7, v1: 20, other: 1 })],
        {
          driver: 'sql.js',
          fileSizeBytes: 5 * 1024 * 1024,
        },
      ),
    );
    const app = renderApp(api);
    await act(() => app.store.getState().openVault(handleOf(VAULT_PATH)));
    expect(screen.getByText(VAULT_PATH)).toBeTruthy();
    expect(screen.getByText('5 MiB')).toBeTruthy();
    expect(screen.getByText(/whole file in memory/)).toBeTruthy();
    expect(statValue('records')).toBe('1,234');
    expect(statValue('soft-deleted')).toBe('12');
    expect(statValue('expired')).toBe('7');
    expect(statValue('v1')).toBe('20');
    expect(statValue('other')).toBe('1');
    expect(document.title).toBe('app.db · VaultStore Admin');
  });

  it('asks which table when there are several, and offers to resume an interrupted one', async () => {
    const api = new FakeVaultAdmin().addVault(
      vaultSummary(VAULT_PATH, [tableInfo('vault', 10), tableInfo('archive', 4)], {
        unfinishedRotations: [unfinishedRotation('archive')],
      }),
    );
    const app = renderApp(api);
    await act(() => app.store.getState().openVault(handleOf(VAULT_PATH)));
    const rotate = screen.getByRole('button', { name: 'Rotate password…' }) as HTMLButtonElement;
    expect(rotate.disabled).toBe(true);
    expect(screen.queryByText(/was interrupted/)).toBeNull();
    fireEvent.click(screen.getByRole('radio', { name: /archive/ }));
    expect(rotate.disabled).toBe(false);
    expect(statValue('records')).toBe('4');
    expect(screen.getByTestId('unfinished-progress').textContent).toMatch(
      /; 40 of 200 records done\.$/,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Resume interrupted rotation…' }));
    const dialog = screen.getByRole('dialog', { name: 'Resume interrupted rotation' });
    expect(within(dialog).getByRole('button', { name: 'Resume rotation' })).toBeTruthy();
  });

  it('names a checkpoint that cannot be resumed, and offers no resume', async () => {
    const api = new FakeVaultAdmin().addVault(
      vaultSummary(VAULT_PATH, [tableInfo('vault', 10)], {
        checkpointProblem: 'The checkpoint /vaults/app.db.rotation-checkpoint.json is damaged.',
      }),
    );
    const app = renderApp(api);
    await act(() => app.store.getState().openVault(handleOf(VAULT_PATH)));
    expect(screen.getByText('An interrupted rotation cannot be resumed')).toBeTruthy();
    expect(screen.getByText(/rotation-checkpoint\.json is damaged/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Resume interrupted rotation…' })).toBeNull();
  });
});

describe('progress screen', () => {
  it('renders a burst of progress events throttled, ending on the latest', async () => {
    vi.useFakeTimers();
    const app = renderApp(apiWithVault());
    await startRotation(app);
    const before = app.commits();
    // 50 events, 1 ms apart: each arrives in its own task, as IPC messages do.
    for (let scanned = 1; scanned <= 50; scanned += 1) {
      act(() => {
        app.api.emit({
          type: 'progress',
          jobId: app.api.jobId,
          progress: progressOf(scanned, 200),
        });
        vi.advanceTimersByTime(1);
      });
    }
    const duringBurst = app.commits() - before;
    expect(duringBurst).toBeLessThan(5);
    act(() => {
      vi.advanceTimersByTime(100);
    });
    expect(screen.getByTestId('scanned').textContent).toBe('50 of 200 records scanned');
    const bar = screen.getByRole('progressbar', { name: 'Records scanned' }) as HTMLProgressElement;
    expect(bar.value).toBe(50);
    expect(bar.max).toBe(200);
    expect(statValue('rotated')).toBe('50');
  });

  it('asks before cancelling, shows Cancelling…, then the partial summary with Resume', async () => {
    const app = renderApp(apiWithVault());
    await startRotation(app);
    act(() =>
      app.api.emit({ type: 'progress', jobId: app.api.jobId, progress: progressOf(80, 200) }),
    );

    fireEvent.click(screen.getByRole('button', { name: 'Cancel…' }));
    const confirm = screen.getByRole('alertdialog', { name: 'Cancel the rotation?' });
    expect(document.activeElement).toBe(
      within(confirm).getByRole('button', { name: 'Keep rotating' }),
    );
    fireEvent.keyDown(confirm, { key: 'Escape' });
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(app.api.calls.cancelJob).toHaveLength(0);

    fireEvent.click(screen.getByRole('button', { name: 'Cancel…' }));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Cancel rotation' }));
    });
    expect(app.api.calls.cancelJob).toEqual([app.api.jobId]);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Cancelling…');
    expect(
      (screen.getByRole('button', { name: 'Cancelling…' }) as HTMLButtonElement).disabled,
    ).toBe(true);

    await act(async () => {
      app.api.emit({
        type: 'result',
        jobId: app.api.jobId,
        result: resultOf('cancelled', { scanned: 96, rotated: 70, skipped: 26 }),
      });
    });
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Rotation cancelled');
    const summary = screen.getByTestId('cancelled-summary');
    expect(summary.textContent).toContain('70 records already use the new password');
    expect(summary.textContent).toContain('never stored');
    fireEvent.click(within(summary).getByRole('button', { name: 'Resume…' }));
    const dialog = screen.getByRole('dialog', { name: 'Resume interrupted rotation' });
    expect(
      (within(dialog).getByLabelText('Current password', { selector: 'input' }) as HTMLInputElement)
        .value,
    ).toBe('');
  });

  it('shows an engine error as its message, with the way back', async () => {
    const app = renderApp(apiWithVault());
    await startRotation(app);
    await act(async () => {
      app.api.emit({
        type: 'error',
        jobId: app.api.jobId,
        error: { code: 'DISK_FULL', message: 'The disk is full. Free some space, then resume.' },
      });
    });
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('The disk is full');
    expect(alert.textContent).toContain('Free some space, then resume.');
    await act(async () => {
      fireEvent.click(within(alert).getByRole('button', { name: 'Back to vault' }));
    });
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('app.db');
  });

  it('unsubscribes from rotation events and stops its timers on unmount', async () => {
    vi.useFakeTimers();
    const app = renderApp(apiWithVault());
    expect(app.api.listenerCount).toBe(1);
    await startRotation(app);
    act(() => {
      app.api.emit({ type: 'progress', jobId: app.api.jobId, progress: progressOf(1, 200) });
      app.api.emit({ type: 'progress', jobId: app.api.jobId, progress: progressOf(2, 200) });
    });
    // the second event waits in the throttles' timers (the numbers and the rate chart);
    // React keeps timers of its own
    const pending = vi.getTimerCount();
    app.unmount();
    expect(app.api.listenerCount).toBe(0);
    expect(vi.getTimerCount()).toBe(pending - 2);
  });
});

describe('result screen', () => {
  it('says the backup was not needed when nothing was written, with grouped digits', async () => {
    const app = renderApp(apiWithVault());
    await startRotation(app); // the dialog's default: back up first
    await act(async () => {
      app.api.emit({
        type: 'result',
        jobId: app.api.jobId,
        result: resultOf('completed', { rotated: 0, skipped: 12_345, backupPath: null }),
      });
    });
    const backup = screen.getByText('Backup').nextElementSibling?.textContent ?? '';
    expect(backup).toMatch(/^None needed: nothing was written/);
    expect(backup).not.toContain('turned off');
    expect(statValue('skipped')).toBe('12,345');
  });

  it('shows counts, backup and failures, and exports a report without secrets', async () => {
    const app = renderApp(apiWithVault());
    await startRotation(app);
    const failures = Array.from({ length: 12 }, (_, index) => ({
      id: `rec-${index}`,
      reason: 'malformed' as const,
      detail: 'bad base64',
    }));
    await act(async () => {
      app.api.emit({
        type: 'result',
        jobId: app.api.jobId,
        result: resultOf('completed', { failed: 12, failures, rotated: 138, driver: 'sql.js' }),
      });
    });
    expect(screen.getByTestId('result-title').textContent).toBe('Password rotated');
    expect(statValue('rotated')).toBe('138');
    expect(statValue('failed')).toBe('12');
    expect(screen.getByText('/vaults/app.db.backup-1.db')).toBeTruthy();
    expect(screen.getAllByRole('row')).toHaveLength(1 + 8);
    expect(screen.getByText(/and 4 more/)).toBeTruthy();
    // Which SQLite driver ran it: sql.js is named as the fallback it is.
    expect(document.querySelector('[data-fact="sqlite-driver"] dd')?.textContent).toBe(
      'sql.js (WebAssembly fallback): the native driver did not load',
    );

    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Export JSON' }));
    });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Export Markdown' }));
    });
    const [json, markdown] = app.api.calls.exportReport;
    expect(json?.format).toBe('json');
    expect(JSON.parse(json!.contents).result.failures).toHaveLength(12);
    expect(JSON.parse(json!.contents).result.sqliteDriver).toBe('sql.js');
    expect(markdown?.contents).toContain('- SQLite driver: sql.js');
    expect(markdown?.format).toBe('markdown');
    expect(markdown?.suggestedName).toMatch(/^rotation-app-vault-.*\.md$/);
    for (const report of [json!, markdown!]) {
      expect(report.contents).not.toContain(OLD);
      expect(report.contents).not.toContain(NEW);
    }
    expect(screen.getByText(/Report saved to/).textContent).toContain('/reports/report.json');
  });

  it('verifies with the new password and wipes it after the check', async () => {
    const app = renderApp(apiWithVault());
    await startRotation(app);
    await act(async () => {
      app.api.emit({ type: 'result', jobId: app.api.jobId, result: resultOf('completed') });
    });
    fireEvent.click(screen.getByRole('button', { name: 'Verify with the new password…' }));
    const dialog = screen.getByRole('dialog', { name: 'Verify the vault' });
    const input = within(dialog).getByLabelText('New password', {
      selector: 'input',
    }) as HTMLInputElement;
    expect(document.activeElement).toBe(input);
    fireEvent.change(input, { target: { value: NEW } });
    await act(async () => {
      fireEvent.click(within(dialog).getByRole('button', { name: 'Verify' }));
    });
    expect(app.api.calls.verify[0]).toMatchObject({
      password: NEW,
      table: 'vault',
      crypto: { preset: 'default' },
    });
    expect(input.value).toBe('');
    expect(within(dialog).getByTestId('verify-summary').textContent).toBe(
      '24 of 32 checked records opened',
    );
  });

  it('shows a running verify with a progress bar and counts, and cancels it', async () => {
    const app = renderApp(apiWithVault());
    let release!: () => void;
    app.api.checkGate = new Promise<void>((resolve) => {
      release = resolve;
    });
    await act(() => app.store.getState().openVault(handleOf(VAULT_PATH)));
    fireEvent.click(screen.getByRole('button', { name: 'Verify…' }));
    const dialog = screen.getByRole('dialog', { name: 'Verify the vault' });
    const input = within(dialog).getByLabelText('Password', {
      selector: 'input',
    }) as HTMLInputElement;
    fireEvent.change(input, { target: { value: NEW } });
    await act(async () => {
      fireEvent.click(within(dialog).getByRole('button', { name: 'Verify' }));
    });
    // Running: the password is gone from the form, the bar waits for its first event.
    expect(input.value).toBe('');
    const [jobId] = app.api.calls.verifyJobIds;
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(within(dialog).getByTestId('check-counts').textContent).toBe('Starting the check…');
    expect(within(dialog).getByRole('progressbar').getAttribute('value')).toBeNull();

    await act(async () => {
      app.api.emit({ type: 'verify-progress', jobId: jobId!, progress: verifyProgressOf(8, 32) });
      // Another job's progress is not this check's.
      app.api.emit({
        type: 'verify-progress',
        jobId: crypto.randomUUID(),
        progress: verifyProgressOf(30, 32),
      });
    });
    const bar = within(dialog).getByRole('progressbar', { name: 'Records checked' });
    expect(bar.getAttribute('value')).toBe('8');
    expect(bar.getAttribute('max')).toBe('32');
    expect(within(dialog).getByTestId('check-counts').textContent).toBe(
      '25% · 8 of 32 checked · 4 opened · 4 did not open',
    );

    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel check' }));
    expect(app.api.calls.cancelJob).toEqual([jobId]);
    expect(
      (within(dialog).getByRole('button', { name: 'Cancelling…' }) as HTMLButtonElement).disabled,
    ).toBe(true);
    app.api.verifyAnswer = {
      ok: true,
      value: { table: 'vault', checked: 9, opened: 5, notOpened: 4, malformed: 0, cancelled: true },
    };
    await act(async () => {
      release();
    });
    expect(within(dialog).queryByTestId('check-progress')).toBeNull();
    expect(within(dialog).getByTestId('verify-summary').textContent).toBe(
      '5 of 9 checked records opened',
    );
    expect(within(dialog).getByTestId('verify-cancelled').textContent).toContain(
      'the 9 records checked',
    );
    expect(within(dialog).queryByRole('button', { name: 'Cancel check' })).toBeNull();
    // Nothing else was cancelled, and the password stays out of the store.
    expect(app.api.calls.cancelJob).toEqual([jobId]);
    expect(app.store.getState().verifyDraft.password).toBe('');
  });

  it('shows a running pre-flight with its counts, and Cancel stops and forgets it', async () => {
    const app = renderApp(apiWithVault());
    let release!: () => void;
    app.api.checkGate = new Promise<void>((resolve) => {
      release = resolve;
    });
    await act(() => app.store.getState().openVault(handleOf(VAULT_PATH)));
    fireEvent.click(screen.getByRole('button', { name: 'Rotate password…' }));
    fireEvent.change(screen.getByLabelText('Current password', { selector: 'input' }), {
      target: { value: OLD },
    });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Check password' }));
    });
    const [jobId] = app.api.calls.preflightJobIds;
    await act(async () => {
      app.api.emit({
        type: 'preflight-progress',
        jobId: jobId!,
        progress: {
          phase: 'checking',
          toSample: 16,
          sampled: 4,
          opened: 3,
          malformed: 0,
          stepDone: 4,
          stepTotal: 16,
          elapsedMs: 90,
        },
      });
    });
    expect(
      screen.getByRole('progressbar', { name: 'Sampled records tested' }).getAttribute('value'),
    ).toBe('4');
    expect(screen.getByTestId('check-counts').textContent).toBe(
      '25% · Testing sampled records: 4 of 16 tested · 3 opened',
    );
    // The sample is complete (16 of 16), then the presets are tried: the bar starts over with the trials.
    const trying = (stepDone: number) =>
      app.api.emit({
        type: 'preflight-progress',
        jobId: jobId!,
        progress: {
          phase: 'detecting-preset',
          toSample: 16,
          sampled: 16,
          opened: 0,
          malformed: 0,
          stepDone,
          stepTotal: 12,
          elapsedMs: 900,
        },
      });
    await act(async () => trying(0));
    const trials = screen.getByRole('progressbar', { name: 'Preset trials done' });
    expect(trials.getAttribute('value')).toBe('0');
    expect(screen.getByTestId('check-counts').textContent).toBe(
      '0% · Trying the library presets: 0 of 12 trials',
    );
    await act(async () => trying(3));
    expect(
      screen.getByRole('progressbar', { name: 'Preset trials done' }).getAttribute('value'),
    ).toBe('3');
    expect(screen.getByTestId('check-counts').textContent).toBe(
      '25% · Trying the library presets: 3 of 12 trials',
    );
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Cancel check' }));
    });
    expect(app.api.calls.cancelJob).toEqual([jobId]);
    expect(screen.queryByTestId('check-progress')).toBeNull();
    await act(async () => {
      release();
    });
    // Its late answer is dropped: a partial sample says nothing about the password.
    expect(app.store.getState().preflight).toEqual({ status: 'idle' });
    expect(screen.getByRole('button', { name: 'Check password' })).toBeTruthy();
  });

  it('presents nothing-opened as a warning, not a success', async () => {
    const app = renderApp(apiWithVault());
    await startRotation(app);
    await act(async () => {
      app.api.emit({ type: 'result', jobId: app.api.jobId, result: resultOf('nothing-opened') });
    });
    expect(screen.getByTestId('result-title').textContent).toBe(
      'No record opened with the current password',
    );
    expect(screen.getByText(/Nothing was changed/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Verify/ })).toBeNull();
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Back to vault' }));
    });
    expect(screen.getByRole('button', { name: 'Rotate password…' })).toBeTruthy();
  });

  it('explains an already rotated vault instead of blaming the password', async () => {
    const app = renderApp(apiWithVault());
    await startRotation(app);
    await act(async () => {
      app.api.emit({
        type: 'result',
        jobId: app.api.jobId,
        result: resultOf('nothing-opened', { newPasswordSample: { sampled: 8, opened: 6 } }),
      });
    });
    expect(screen.getByTestId('result-title').textContent).toBe('This vault looks already rotated');
    const status = screen.getByRole('status').textContent ?? '';
    expect(status).toContain('6 of 8 sampled records already open with the new password');
    expect(status).not.toMatch(/probably not the one/);
    expect(screen.getByRole('button', { name: /Verify with the new password/ })).toBeTruthy();
  });

  it('keeps the wrong-password warning when the new password opens none of the sample', async () => {
    const app = renderApp(apiWithVault());
    await startRotation(app);
    await act(async () => {
      app.api.emit({
        type: 'result',
        jobId: app.api.jobId,
        result: resultOf('nothing-opened', { newPasswordSample: { sampled: 8, opened: 0 } }),
      });
    });
    expect(screen.getByTestId('result-title').textContent).toBe(
      'No record opened with the current password',
    );
    expect(screen.getByText(/probably not the one the application uses/)).toBeTruthy();
  });
});
