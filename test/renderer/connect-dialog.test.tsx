// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connectionFormProblems,
  emptyConnectionForm,
} from '../../src/renderer/store/connection-state.js';
import { FakeVaultAdmin } from './support/fake-vault-admin.js';
import { renderApp, type RenderedApp } from './support/render-app.js';

const DB_PASSWORD = 'Db-Secret-pass-4417';

afterEach(() => {
  cleanup();
});

function field(label: string): HTMLInputElement | HTMLSelectElement {
  return screen.getByLabelText(label, { selector: 'input, select' });
}

function type(label: string, value: string): void {
  fireEvent.change(field(label), { target: { value } });
}

async function openForm(api = new FakeVaultAdmin()): Promise<RenderedApp> {
  const app = renderApp(api);
  await act(async () => {});
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Connect to a database…' }));
  });
  screen.getByRole('dialog', { name: 'Connect to a database' });
  return app;
}

function fillForm(): void {
  type('Host', 'db.example');
  type('Database', 'app');
  type('User', 'vault_admin');
  type('Database password', DB_PASSWORD);
}

const button = (name: string): HTMLButtonElement => screen.getByRole('button', { name });

describe('connect to a database', () => {
  it('offers PostgreSQL and MySQL with their default ports', async () => {
    await openForm();
    expect(field('Database server').value).toBe('postgres');
    expect(field('Port').value).toBe('5432');
    type('Database server', 'mysql');
    expect(field('Port').value).toBe('3306');
    type('Database server', 'postgres');
    expect(field('Port').value).toBe('5432');
    // A port the user chose stays when the kind changes.
    type('Port', '6543');
    type('Database server', 'mysql');
    expect(field('Port').value).toBe('6543');
    expect(field('Database password').getAttribute('type')).toBe('password');
  });

  it('validates the fields before anything is sent', async () => {
    const { api } = await openForm();
    expect(button('Test connection').disabled).toBe(true);
    expect(button('Connect').disabled).toBe(true);
    fillForm();
    expect(button('Test connection').disabled).toBe(false);

    type('Port', '70000');
    expect(screen.getByText('A port from 1 to 65535.')).toBeTruthy();
    expect(button('Connect').disabled).toBe(true);
    type('Port', '5432');
    type('Host', 'evil@db.example/other');
    expect(screen.getByText(/Only the host name or IP address/)).toBeTruthy();
    expect(button('Test connection').disabled).toBe(true);
    type('Host', 'db.example');
    expect(button('Test connection').disabled).toBe(false);
    expect(api.calls.testConnection).toEqual([]);

    expect(connectionFormProblems(emptyConnectionForm())).toMatchObject({
      database: expect.any(String),
      user: expect.any(String),
    });
    expect(
      connectionFormProblems({
        ...emptyConnectionForm(),
        database: 'd',
        user: 'u',
        tls: 'verify-full',
        caFile: 'relative.pem',
      }),
    ).toEqual({ caFile: expect.any(String) });
  });

  it('tests the connection: shows the tables found, and keeps the password for Connect', async () => {
    const { api, store } = await openForm();
    fillForm();
    await act(async () => {
      fireEvent.click(button('Test connection'));
    });
    expect(api.calls.testConnection).toEqual([
      {
        dialect: 'postgres',
        host: 'db.example',
        port: 5432,
        database: 'app',
        user: 'vault_admin',
        password: DB_PASSWORD,
        // another machine: its certificate is checked unless the person picks less
        tls: 'verify-full',
        caFile: null,
      },
    ]);
    const result = screen.getByTestId('connection-test-result');
    expect(result.textContent).toContain('postgres://vault_admin@db.example:5432/app');
    expect(result.textContent).toContain('vault (200 records)');
    expect(result.textContent).not.toContain(DB_PASSWORD);
    // Typed once: Connect right after a good test sends the same password.
    expect(field('Database password').value).toBe(DB_PASSWORD);
    await act(async () => {
      fireEvent.click(button('Connect'));
    });
    expect(api.calls.connectDatabase).toEqual([api.calls.testConnection[0]]);
    expect(store.getState().connectionForm.password).toBe('');
  });

  it('shows the server error of a failed test with its code title', async () => {
    const api = new FakeVaultAdmin();
    api.testConnectionAnswer = {
      ok: false,
      error: {
        code: 'SERVER_AUTH',
        message: 'The server refused user vault_admin. Check the user and the password.',
      },
    };
    await openForm(api);
    fillForm();
    await act(async () => {
      fireEvent.click(button('Test connection'));
    });
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('The database refused the login');
    expect(alert.textContent).toContain('Check the user and the password.');
    // Kept, so that a corrected user name can be tried without typing it again.
    expect(field('Database password').value).toBe(DB_PASSWORD);
  });

  it('connects: the vault screen shows the URL and the server badge; the password is gone', async () => {
    const { api, store } = await openForm();
    fillForm();
    type('TLS', 'verify-full');
    type('CA certificate file (empty: the system’s)', '/etc/ssl/ca.pem');
    await act(async () => {
      fireEvent.click(button('Connect'));
    });
    expect(api.calls.connectDatabase[0]).toMatchObject({
      tls: 'verify-full',
      caFile: '/etc/ssl/ca.pem',
      password: DB_PASSWORD,
    });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('app on db.example');
    expect(screen.getByText('postgres://vault_admin@db.example:5432/app')).toBeTruthy();
    expect(screen.getByText('PostgreSQL server (postgres)')).toBeTruthy();
    expect(store.getState().connectionForm.password).toBe('');
    expect(JSON.stringify(store.getState())).not.toContain(DB_PASSWORD);

    // Closing the vault tells main to forget the password it keeps for the handle.
    const handle = store.getState().vault!.handle;
    fireEvent.click(button('Close vault'));
    expect(api.calls.closeVault).toEqual([handle]);
  });

  it('checks the certificate of any host but this machine unless the person picks less, and says what less risks', async () => {
    await openForm();
    const risk = (): string => screen.getByTestId('tls-risk').textContent ?? '';
    expect(field('Host').value).toBe('localhost');
    expect(field('TLS').value).toBe('disable');
    for (const [host, tls] of [
      ['db.example', 'verify-full'],
      ['127.db.example.com', 'verify-full'],
      ['127.0.0.1', 'disable'],
      ['[::1]', 'disable'],
      ['10.1.2.3', 'verify-full'],
    ] as const) {
      type('Host', host);
      expect(field('TLS').value, host).toBe(tls);
    }
    expect(risk()).toMatch(/only to the server you named/);
    type('TLS', 'require');
    expect(risk()).toMatch(/can pose as the server/);
    // the person's choice stays when the host changes
    type('Host', 'db.example');
    expect(field('TLS').value).toBe('require');
    type('TLS', 'disable');
    expect(risk()).toMatch(/Nothing is encrypted/);
    expect(field('TLS').getAttribute('aria-describedby')).toBe(screen.getByTestId('tls-risk').id);
  });

  it('fills the form from a recent connection, with an empty password', async () => {
    const api = new FakeVaultAdmin();
    api.recentConnectionList = [
      {
        dialect: 'mysql',
        host: 'maria.internal',
        port: 3307,
        database: 'billing',
        user: 'rotator',
        tls: 'disable',
        caFile: null,
      },
    ];
    await openForm(api);
    type('Database password', 'typed-before');
    const recent = within(screen.getByRole('dialog')).getByRole('button', { name: /billing/ });
    fireEvent.click(recent);
    expect(field('Database server').value).toBe('mysql');
    expect(field('Host').value).toBe('maria.internal');
    expect(field('Port').value).toBe('3307');
    expect(field('Database').value).toBe('billing');
    expect(field('User').value).toBe('rotator');
    expect(field('TLS').value).toBe('disable');
    expect(field('Database password').value).toBe('');
  });

  it('takes the CA file from the file dialog', async () => {
    const api = new FakeVaultAdmin();
    api.caFilePick = '/home/ada/certs/db-ca.pem';
    await openForm(api);
    type('TLS', 'verify-full');
    await act(async () => {
      fireEvent.click(button('Choose…'));
    });
    expect(field('CA certificate file (empty: the system’s)').value).toBe(
      '/home/ada/certs/db-ca.pem',
    );
  });

  it('drops the typed password when the form is cancelled', async () => {
    const { store } = await openForm();
    type('Database password', DB_PASSWORD);
    fireEvent.click(button('Cancel'));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(store.getState().connectionForm.password).toBe('');
  });
});
