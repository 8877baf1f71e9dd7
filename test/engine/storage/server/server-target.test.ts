import { describe, expect, it } from 'vitest';
import { isServerTarget, parseServerTarget } from '../../../../src/engine/storage/index.js';

describe('connection strings', () => {
  it('tell a server from a vault file', () => {
    expect(isServerTarget('postgres://u@h/db')).toBe(true);
    expect(isServerTarget('PostgreSQL://u@h/db')).toBe(true);
    expect(isServerTarget('mariadb://u@h/db')).toBe(true);
    expect(isServerTarget('./postgres://file.db')).toBe(false);
    expect(isServerTarget('vault.db')).toBe(false);
    expect(isServerTarget('file:///tmp/vault.db')).toBe(false);
  });

  it('read host, port (default per dialect), database and user; display never holds secrets', () => {
    expect(parseServerTarget('postgres://app@db.internal/vault')).toMatchObject({
      dialect: 'postgres',
      host: 'db.internal',
      port: 5432,
      database: 'vault',
      user: 'app',
      display: 'postgres://app@db.internal:5432/vault',
    });
    expect(parseServerTarget('mysql://127.0.0.1:3307/my%20db')).toMatchObject({
      dialect: 'mysql',
      port: 3307,
      database: 'my db',
      user: null,
      tls: null,
    });
    const ipv6 = parseServerTarget('postgres://u@[::1]:6000/db');
    expect(ipv6).toMatchObject({ host: '::1', port: 6000, display: 'postgres://u@[::1]:6000/db' });
  });

  it('refuse a password in the URL and say where it goes instead, without echoing it', () => {
    let message = '';
    try {
      parseServerTarget('postgres://app:hunter2-secret@db/vault');
    } catch (error) {
      message = (error as Error).message;
      expect(error).toMatchObject({ code: 'USAGE' });
    }
    expect(message).toMatch(/--db-password-file/);
    expect(message).toMatch(/PGPASSWORD/);
    expect(message).not.toContain('hunter2-secret');
  });

  it('verify the certificate by default when the server is on another host; this machine stays plain unless asked', () => {
    expect(parseServerTarget('postgres://u@db.example/v').tls).toBe('verify-full');
    expect(parseServerTarget('mysql://u@db.example/v').tls).toBe('verify-full');
    expect(parseServerTarget('postgres://u@db.example/v?sslmode=require').tls).toBe('require');
    expect(parseServerTarget('postgres://u@db.example/v?sslmode=disable').tls).toBe('disable');
    expect(parseServerTarget('postgres://u@localhost/v').tls).toBeNull();
    expect(parseServerTarget('mysql://u@127.0.0.2/v').tls).toBeNull();
    expect(parseServerTarget('postgres://u@[::1]/v').tls).toBeNull();
    // only literal loopback addresses: a NAME starting with 127. is another machine
    expect(parseServerTarget('postgres://u@127.db.example.com/v').tls).toBe('verify-full');
    expect(parseServerTarget('mysql://u@127.0.0.1.nip.io/v').tls).toBe('verify-full');
    expect(parseServerTarget('postgres://u@localhost.example.com/v').tls).toBe('verify-full');
    const verified = parseServerTarget(
      'mysql://u@db/v?ssl-mode=VERIFY_IDENTITY&ssl-ca=/etc/ca.pem',
    );
    expect(verified).toMatchObject({ tls: 'verify-full', caFile: '/etc/ca.pem' });
    // the CA path is not part of what people see
    expect(verified.display).toBe('mysql://u@db:3306/v');
  });

  it('refuse a parameter given twice instead of letting the last one win', () => {
    for (const query of [
      'sslmode=verify-full&sslmode=disable',
      'sslmode=verify-full&ssl-mode=DISABLED',
      'sslrootcert=/a.pem&ssl_ca=/b.pem',
    ]) {
      expect(() => parseServerTarget(`postgres://u@h/db?${query}`), query).toThrow(
        expect.objectContaining({
          code: 'USAGE',
          message: expect.stringMatching(/more than once/),
        }),
      );
    }
  });

  it('read the MySQL RSA key options (as the mysql client has them), for MySQL only', () => {
    expect(parseServerTarget('mysql://u@localhost/db')).toMatchObject({
      getServerPublicKey: false,
      serverPublicKeyFile: null,
    });
    expect(
      parseServerTarget(
        'mysql://u@localhost/db?get-server-public-key=true&server_public_key_path=/k.pem',
      ),
    ).toMatchObject({ getServerPublicKey: true, serverPublicKeyFile: '/k.pem' });
    expect(() => parseServerTarget('mysql://u@h/db?get-server-public-key=maybe')).toThrow(
      /true or false/,
    );
    expect(() => parseServerTarget('postgres://u@h/db?get-server-public-key=true')).toThrow(
      /Unknown connection option/,
    );
    expect(() => parseServerTarget('postgres://u@h/db?constructor=1')).toThrow(
      /Unknown connection option/,
    );
  });

  it('refuse what they cannot use, saying what to write', () => {
    expect(() => parseServerTarget('postgres://u@h')).toThrow(/names no database/);
    expect(() => parseServerTarget('postgres://u@h/db?sslmode=sometimes')).toThrow(
      /Unknown TLS mode/,
    );
    expect(() => parseServerTarget('postgres://u@h/db?options=-c%20x')).toThrow(
      /Unknown connection option/,
    );
    expect(() => parseServerTarget('postgres://')).toThrow(/cannot be read|names no host/);
  });
});
