// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import {
  distributedResult,
  ledgerEvent,
  ledgerStatus,
  QUEUE_URL,
  REDIS_PASSWORD,
  SERVER,
  serverVault,
  workerRow,
} from './support/distributed-fixtures.js';
import { FakeVaultAdmin, handleOf, progressOf } from './support/fake-vault-admin.js';
import { apiWithVault, renderApp, VAULT_PATH, type RenderedApp } from './support/render-app.js';
import { NEW, OLD } from './support/rotation-store.js';

afterEach(() => {
  cleanup();
});

function type(label: string, value: string): void {
  fireEvent.change(screen.getByLabelText(label, { selector: 'input' }), { target: { value } });
}

async function openServerVault(api = new FakeVaultAdmin()): Promise<RenderedApp> {
  api.addVault(serverVault());
  const app = renderApp(api);
  await act(() => app.store.getState().openVault(handleOf(SERVER)));
  return app;
}

/** The dialog with passwords typed and other machines on, as a user fills it. */
function fillDialog(url = QUEUE_URL): void {
  fireEvent.click(screen.getByRole('button', { name: 'Rotate password…' }));
  type('Current password', OLD);
  type('New password', NEW);
  type('Confirm new password', NEW);
  fireEvent.click(screen.getByLabelText('Use other machines too'));
  type('Redis queue URL', url);
  type('Redis password', REDIS_PASSWORD);
}

async function startDistributed(app: RenderedApp): Promise<string> {
  fillDialog();
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Start rotation' }));
  });
  expect(app.api.calls.startDistributedRotation).toHaveLength(1);
  return app.api.jobId;
}

describe('rotate dialog with other machines', () => {
  it('offers other machines for a server vault only', async () => {
    const app = renderApp(apiWithVault());
    await act(() => app.store.getState().openVault(handleOf(VAULT_PATH)));
    fireEvent.click(screen.getByRole('button', { name: 'Rotate password…' }));
    expect(screen.queryByLabelText('Use other machines too')).toBeNull();
    cleanup();

    await openServerVault();
    fireEvent.click(screen.getByRole('button', { name: 'Rotate password…' }));
    expect(screen.getByLabelText('Use other machines too')).toBeTruthy();
    expect(screen.queryByLabelText('Redis queue URL')).toBeNull();
  });

  it('says what is wrong with the queue next to it, and keeps Start disabled', async () => {
    await openServerVault();
    fillDialog('redis://:hunter2@queue.internal:6379');
    const url = screen.getByLabelText('Redis queue URL');
    expect(url.getAttribute('aria-invalid')).toBe('true');
    const problem = document.getElementById(url.getAttribute('aria-describedby')!);
    expect(problem?.textContent).toMatch(/Redis password field/);
    const start = screen.getByRole('button', { name: 'Start rotation' });
    expect(start.hasAttribute('disabled')).toBe(true);

    type('Redis queue URL', 'redis://queue.internal:6379');
    // Redis's password in clear to another machine: refused before main refuses it.
    expect(screen.getByText(/would send this password in clear/)).toBeTruthy();
    expect(start.hasAttribute('disabled')).toBe(true);

    type('Redis queue URL', QUEUE_URL);
    expect(start.hasAttribute('disabled')).toBe(false);
    expect(screen.getByLabelText('Dry run').hasAttribute('disabled')).toBe(true);
  });

  it('names an unfinished rotation the check found, and starts nothing over it', async () => {
    const api = new FakeVaultAdmin();
    api.distributedCheckAnswer = {
      ok: true,
      value: { queueAnswered: true, ledger: 'exists', unfinished: ledgerStatus() },
    };
    const app = await openServerVault(api);
    fillDialog();
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Start rotation' }));
    });
    expect(screen.getByTestId('queue-blocked').textContent).toMatch(
      /is still running: 12 of 40 shards done/,
    );
    expect(app.api.calls.startDistributedRotation).toEqual([]);
    expect(screen.getByRole('button', { name: 'Start rotation' }).hasAttribute('disabled')).toBe(
      true,
    );
  });

  it('offers no "Rotate anyway" across machines after a check that opened nothing', async () => {
    const api = new FakeVaultAdmin();
    api.preflightAnswer = {
      ok: true,
      value: {
        ...(api.preflightAnswer.ok ? api.preflightAnswer.value : ({} as never)),
        opened: 0,
        v2: { sampled: 16, opened: 0, malformed: 0 },
        canRotate: false,
        refusal: 'nothing-opened',
      },
    };
    const app = await openServerVault(api);
    fillDialog();
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Start rotation' }));
    });
    // The coordinator's own check refused it: no separate check, the dialog is back.
    expect(app.api.calls.preflight).toEqual([]);
    expect(app.api.calls.startDistributedRotation).toHaveLength(1);
    expect(screen.getByRole('dialog', { name: /Rotate password/ })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Rotate anyway…' })).toBeNull();
    expect(screen.getByText(/The check opened no sampled record: fix the password/)).toBeTruthy();
    // The same check on one machine offers it.
    fireEvent.click(screen.getByLabelText('Use other machines too'));
    expect(screen.getByRole('button', { name: 'Rotate anyway…' })).toBeTruthy();
    expect(app.api.calls.startDistributedRotation).toHaveLength(1);
  });

  it('fills the queue from a recent one, never with a password', async () => {
    const api = new FakeVaultAdmin();
    api.recentQueueList = [{ url: QUEUE_URL, caFile: '/etc/redis-ca.pem' }];
    await openServerVault(api);
    fireEvent.click(screen.getByRole('button', { name: 'Rotate password…' }));
    fireEvent.click(screen.getByLabelText('Use other machines too'));
    await act(async () => {});
    fireEvent.change(screen.getByLabelText('Recent queues'), { target: { value: '0' } });
    expect((screen.getByLabelText('Redis queue URL') as HTMLInputElement).value).toBe(QUEUE_URL);
    expect(
      (screen.getByLabelText('CA certificate file (empty: the system’s)') as HTMLInputElement)
        .value,
    ).toBe('/etc/redis-ca.pem');
    expect((screen.getByLabelText('Redis password') as HTMLInputElement).value).toBe('');
  });
});

describe('distributed progress screen', () => {
  it('shows the workers, lost and refused ones in words, the shards and the rate chart', async () => {
    const app = await openServerVault();
    const jobId = await startDistributed(app);
    // The password inputs are gone with the dialog.
    expect(document.body.innerHTML).not.toContain(REDIS_PASSWORD);
    await act(async () => {
      app.api.emit(ledgerEvent(jobId, 100_000, 1000));
      app.api.emit(
        ledgerEvent(
          jobId,
          140_000,
          4000,
          [
            workerRow('w1:1', { lastSeenMs: 140_000, rate: 120 }),
            workerRow('w2:2', { lastSeenMs: 105_000, rate: 80 }),
            workerRow('w3:3', { lastSeenMs: 139_000, state: 'refused', rate: 0 }),
            workerRow('w4:4', { lastSeenMs: 139_000, backend: 'wasm', rate: 30 }),
          ],
          { failing: [{ shard: 7, code: 'CONNECTION_LOST' }] },
        ),
      );
    });
    const rows = within(screen.getByTestId('workers-table')).getAllByRole('row').slice(1);
    expect(rows.map((row) => within(row).getByTestId('worker-state').textContent)).toEqual([
      'working',
      'lost',
      'refused: wrong password',
      'working',
    ]);
    expect(rows[3]!.textContent).toContain('wasm: slower');
    expect(rows.map((row) => within(row).getByRole('rowheader').textContent)).toEqual([
      'w1',
      'w2',
      'w3',
      'w4',
    ]);
    expect(screen.getByTestId('failing-shards').textContent).toBe(
      '1 shard failed on the last try and is retried by the queue: shard 7 (CONNECTION_LOST).',
    );
    expect(screen.getByTestId('scanned').textContent).toBe('4,000 of 10,000 records scanned');
    const tally = screen.getByTestId('shard-tally').textContent;
    expect(tally).toContain('Shards done10');
    expect(tally).toContain('Active2');
    expect(tally).toContain('Pending28');
    // 120 + 30 records/s: the lost worker's rate no longer counts.
    expect(document.querySelector('[data-stat="rate"] dd')?.textContent).toBe('150/s');
    expect(document.querySelector('[data-stat="eta"] dd')?.textContent).toBe('about 40 s');
    const chart = screen.getByRole('img', { name: 'Records per second over time' });
    expect(chart.querySelectorAll('path.rate-chart-line')).toHaveLength(4);
    expect(screen.getByTestId('rate-chart').textContent).toContain('All machines: 150/s');
  });

  it('names workers of one host by their id, in the table and the chart alike', async () => {
    const app = await openServerVault();
    const jobId = await startDistributed(app);
    await act(async () => {
      app.api.emit(
        ledgerEvent(jobId, 1000, 10, [
          workerRow('vm:11:a', { lastSeenMs: 1000 }),
          workerRow('vm:22:b', { lastSeenMs: 1000 }),
          workerRow('other:33:c', { lastSeenMs: 1000 }),
        ]),
      );
    });
    const rows = within(screen.getByTestId('workers-table')).getAllByRole('row').slice(1);
    expect(rows.map((row) => within(row).getByRole('rowheader').textContent)).toEqual([
      'vm:11:a',
      'vm:22:b',
      'other',
    ]);
    expect(screen.getByTestId('rate-chart').textContent).toContain('vm:22:b: 50/s');
  });

  it('gives the worker command and manifest to copy, with password files and no password', async () => {
    const app = await openServerVault();
    await startDistributed(app);
    const panel = screen.getByTestId('add-workers');
    const command = within(panel).getByTestId('worker-command').textContent ?? '';
    const manifest = within(panel).getByTestId('worker-manifest').textContent ?? '';
    expect(command).toMatch(
      /^vaultstore-admin worker 'postgres:\/\/rotator@db\.internal:5432\/app/,
    );
    expect(command).toContain(`--queue ${QUEUE_URL}`);
    expect(command).toContain('--queue-password-file');
    expect(command).toContain('--workers 4');
    expect(manifest).toContain('kind: Job');
    fireEvent.change(within(panel).getByLabelText('Argon2id pool per worker'), {
      target: { value: '8' },
    });
    expect(within(panel).getByTestId('worker-command').textContent).toContain('--workers 8');
    for (const text of [command, manifest, panel.textContent ?? '']) {
      for (const secret of [OLD, NEW, REDIS_PASSWORD]) expect(text).not.toContain(secret);
    }
  });

  it('copies the command, and says so when the clipboard refuses', async () => {
    const app = await openServerVault();
    await startDistributed(app);
    const copiedTexts: string[] = [];
    let allow = true;
    // The browser's clipboard (absent in jsdom): records what the page writes, or refuses.
    Object.defineProperty(navigator, 'clipboard', {
      configurable: true,
      value: {
        writeText: async (text: string) => {
          if (!allow) throw new Error('denied');
          copiedTexts.push(text);
        },
      },
    });
    try {
      await act(async () => {
        fireEvent.click(screen.getByRole('button', { name: 'Copy command' }));
      });
      expect(copiedTexts).toEqual([screen.getByTestId('worker-command').textContent]);
      expect(screen.getByText('The command was copied.')).toBeTruthy();
      allow = false;
      await act(async () => {
        fireEvent.click(screen.getByRole('button', { name: 'Copy manifest' }));
      });
      expect(screen.getByText(/The manifest could not be copied/).className).toBe('field-error');
    } finally {
      Reflect.deleteProperty(navigator, 'clipboard');
    }
  });

  it('cancels every worker through the job, then offers Resume with other machines', async () => {
    const app = await openServerVault();
    const jobId = await startDistributed(app);
    fireEvent.click(screen.getByRole('button', { name: 'Cancel…' }));
    expect(screen.getByRole('alertdialog').textContent).toMatch(/Every worker stops/);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Cancel rotation' }));
    });
    expect(app.api.calls.cancelJob).toContain(jobId);
    await act(async () => {
      app.api.emit({ type: 'result', jobId, result: distributedResult('cancelled') });
    });
    fireEvent.click(screen.getByRole('button', { name: 'Resume…' }));
    expect(screen.getByRole('dialog', { name: /Resume interrupted rotation/ })).toBeTruthy();
    expect((screen.getByLabelText('Use other machines too') as HTMLInputElement).checked).toBe(
      true,
    );
    expect((screen.getByLabelText('Redis password') as HTMLInputElement).value).toBe('');
  });

  it('draws the rate chart on one machine too', async () => {
    const app = renderApp(apiWithVault());
    await act(() => app.store.getState().openVault(handleOf(VAULT_PATH)));
    fireEvent.click(screen.getByRole('button', { name: 'Rotate password…' }));
    type('Current password', OLD);
    type('New password', NEW);
    type('Confirm new password', NEW);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Start rotation' }));
    });
    await act(async () => {
      app.api.emit({
        type: 'progress',
        jobId: app.api.jobId,
        progress: progressOf(40, 200, { ratePerSecond: 25, elapsedMs: 2000 }),
      });
    });
    // The chart redraws at most once a second: wait for it, not for a set time.
    const chart = await screen.findByText('Records/s: 25/s', {}, { timeout: 3000 });
    expect(chart.closest('[data-testid="rate-chart"]')).toBeTruthy();
    expect(screen.getByRole('img', { name: 'Records per second over time' })).toBeTruthy();
  });
});

describe('re-attach and result', () => {
  it('shows the ledger’s running rotation on opening the vault, with Resume and Cancel', async () => {
    const api = new FakeVaultAdmin();
    api.distributedStatusAnswer = { ok: true, value: ledgerStatus() };
    api.cancelDistributedAnswer = { ok: true, value: ledgerStatus({ state: 'cancelled' }) };
    const app = await openServerVault(api);
    await act(async () => {});
    const banner = screen.getByTestId('distributed-banner');
    expect(banner.textContent).toMatch(/is running/);
    const cancel = within(banner).getByRole('button', { name: 'Cancel it on every worker' });
    cancel.focus();
    await act(async () => {
      fireEvent.click(cancel);
    });
    expect(app.api.calls.cancelDistributed).toEqual([{ vault: handleOf(SERVER), table: 'vault' }]);
    expect(screen.getByTestId('distributed-banner').textContent).toMatch(/was cancelled/);
    // The Cancel button is gone: its focus went to Resume.
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Resume…' }));
    fireEvent.click(screen.getByRole('button', { name: 'Resume…' }));
    expect((screen.getByLabelText('Use other machines too') as HTMLInputElement).checked).toBe(
      true,
    );
  });

  it('proves the coverage in words, lists each worker, and exports both without a secret', async () => {
    const app = await openServerVault();
    const jobId = await startDistributed(app);
    await act(async () => {
      app.api.emit({
        type: 'result',
        jobId,
        result: distributedResult('completed', {
          // The coordinator's last sweep round always runs; this one found nothing.
          sweep: {
            rounds: 1,
            examined: 0,
            changed: 0,
            inserted: 0,
            deleted: 0,
            rotated: 0,
            stillWriting: false,
          },
          notes: ['The ledger tables were kept (dropping them failed: denied).'],
        }),
      });
    });
    const checked = document.querySelector('[data-fact="coverage"] dd')?.textContent;
    expect(checked).toBe(
      'Every one of the 10000 records in scope was visited exactly once; no other program wrote to the vault.',
    );
    expect(screen.getByTestId('result-notes').textContent).toContain('The ledger tables were kept');
    const proof = screen.getByTestId('union-proof').textContent ?? '';
    expect(proof).toContain('split into 40 shards');
    expect(proof).toContain('10,000 rows were in scope at the start, 10,000 were visited');
    expect(proof).toContain('1 sweep round after the main pass found nothing written meanwhile');
    expect(proof).toContain('every record was visited exactly once');
    const summary = screen.getByTestId('distributed-summary');
    expect(
      within(summary)
        .getAllByRole('row')
        .map((row) => row.textContent),
    ).toEqual([
      'HostWorkerPoolArgon2idRecordsState',
      'w1w1:118native6,000left',
      'w2w2:224wasm4,000left',
    ]);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Export JSON' }));
    });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Export Markdown' }));
    });
    const [json, markdown] = app.api.calls.exportReport;
    const report = JSON.parse(json!.contents);
    expect(report.distributed).toMatchObject({
      rotation: 'rot-1',
      queue: QUEUE_URL,
      shards: 40,
      rowsAtStart: 10_000,
      visited: 10_000,
      sweepRounds: 1,
      proof,
    });
    expect(report.distributed.workers.map((w: { records: number }) => w.records)).toEqual([
      6000, 4000,
    ]);
    expect(markdown!.contents).toContain('## Across machines');
    expect(markdown!.contents).toContain('## Notes\n\n- The ledger tables were kept');
    expect(report.result.notes).toEqual([
      'The ledger tables were kept (dropping them failed: denied).',
    ]);
    expect(markdown!.contents).toContain('| w1 | w1:11 | 8 | native | 6,000 | left |');
    for (const { contents } of [json!, markdown!]) {
      for (const secret of [OLD, NEW, REDIS_PASSWORD]) expect(contents).not.toContain(secret);
    }
  });
});
