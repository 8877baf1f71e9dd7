/**
 * What else runs when a MariaDB vault row is updated, and could keep the old
 * password's values: a trigger on a partitioned table (refused like any
 * trigger; allowed, its undoing is caught by the read-back), a
 * system-versioned table (its history keeps every old row: always refused,
 * found by name instead of "no tables"), a foreign key on vault_value
 * (cascades values elsewhere: always refused), a table without transactions
 * (the guard could not hold a record: refused), a FEDERATED table (another
 * server's: refused), the general log (never an
 * old value in a statement). Against a real MariaDB; every refusal leaves
 * the table, its history and the other tables as they were.
 */
import { describe, expect, it } from 'vitest';
import { rotateVault } from '../../../src/engine/index.js';
import type { RotationOptions } from '../../../src/engine/rotation/types.js';
import { openVault } from '../../../src/engine/storage/index.js';
import { readManifest } from '../../support/fixtures.js';
import { readServerVault } from '../../support/server-vault-copy.js';
import { serverUnavailable } from '../../support/servers/index.js';
import {
  bytes,
  expectCompletedAsManifest,
  expectedCounts,
  PW_A,
} from './support/rotation-checks.js';
import { useServerFixture } from './support/server-fixture.js';

type Failure = Error & { code?: string };

describe.skipIf(serverUnavailable('mysql'))('MariaDB copies of old values besides triggers', () => {
  const server = useServerFixture('mysql');
  const manifest = readManifest('tiny200');
  const options = (extra: Partial<RotationOptions> = {}): RotationOptions =>
    server.options({ backup: false, ...extra });

  const refusal = (extra: Partial<RotationOptions> = {}): Promise<Failure | null> =>
    rotateVault(options(extra)).then(
      () => null,
      (error: unknown) => error as Failure,
    );

  const count = async (sql: string): Promise<number> =>
    Number((await server.owner.query<{ n: number }>(sql))[0]!.n);

  it('refuses a system-versioned table by name, whatever the options; the history unchanged', async () => {
    await server.owner.query('ALTER TABLE vault ADD SYSTEM VERSIONING');
    await server.owner.query("UPDATE vault SET vault_token = concat(vault_token, '') LIMIT 1");
    const before = await readServerVault(server.owner);
    const history = 'SELECT count(*) AS n FROM vault FOR SYSTEM_TIME ALL';
    const historyBefore = await count(history);

    // found, not "no tables": read-only commands list it
    const store = await openVault(server.db.url, {
      serverPassword: bytes(server.db.password),
      readOnly: true,
    });
    try {
      expect((await store.info()).tables.map((table) => table.name)).toContain('vault');
    } finally {
      await store.close();
    }

    for (const extra of [{}, { allowTriggers: true }, { dryRun: true }]) {
      const error = await refusal(extra);
      expect(error?.code, error?.message).toBe('TRIGGERS');
      expect(error!.message).toContain('is system-versioned (WITH SYSTEM VERSIONING)');
      expect(error!.message).toContain('FOR SYSTEM_TIME ALL');
      expect(error!.message).toContain('ALTER TABLE `vault` DROP SYSTEM VERSIONING');
      expect(error!.message).toContain('Nothing was changed');
    }
    expect(await readServerVault(server.owner)).toEqual(before);
    expect(await count(history)).toBe(historyBefore);

    // what the message says to do works
    await server.owner.query('ALTER TABLE vault DROP SYSTEM VERSIONING');
    expectCompletedAsManifest(await rotateVault(options()), manifest, PW_A);
  });

  it("never sends an old value in a statement's text (a general log keeps none)", async () => {
    const { admin, user } = server.db;
    const values = (await readServerVault(server.owner)).map((row) => row.vault_value);
    const saved = (
      await admin.query('SELECT @@GLOBAL.log_output AS o, @@GLOBAL.general_log AS g')
    )[0]!;
    await admin.query("SET GLOBAL log_output = 'TABLE', GLOBAL general_log = 'ON'");
    try {
      expectCompletedAsManifest(await rotateVault(options()), manifest, PW_A);
    } finally {
      await admin.query('SET GLOBAL general_log = ?, GLOBAL log_output = ?', [saved.g, saved.o]);
    }
    const logged = (
      await admin.query<{ text: string }>(
        'SELECT CONVERT(argument USING utf8mb4) AS text FROM mysql.general_log WHERE user_host LIKE ?',
        [`${user}[${user}]%`],
      )
    ).map((row) => row.text);
    // the log did record the rotation's guarded writes
    expect(logged.filter((text) => text.includes('FOR UPDATE')).length).toBeGreaterThan(0);
    expect(values.filter((value) => logged.some((text) => text.includes(value)))).toEqual([]);
  });

  it('refuses a table without transactions (MyISAM, Aria): its guard could not hold a record', async () => {
    for (const engine of ['MyISAM', 'Aria']) {
      await server.owner.query(`ALTER TABLE vault ENGINE=${engine}`);
      const before = await readServerVault(server.owner);
      const error = await refusal({ allowTriggers: true });
      expect(error?.code, error?.message).toBe('UNSUPPORTED_IDS');
      expect(error!.message).toContain(`uses the ${engine} engine, which has no transactions`);
      expect(error!.message).toContain('ENGINE=InnoDB');
      expect(await readServerVault(server.owner)).toEqual(before);
    }
  });

  it("refuses a FEDERATED table (another server's triggers and logs are out of sight)", async () => {
    const { admin, user, password, port, database } = server.db;
    const installed = await admin.query(
      "SELECT 1 FROM information_schema.ENGINES WHERE ENGINE = 'FEDERATED' AND SUPPORT <> 'NO'",
    );
    if (installed.length === 0) await admin.query("INSTALL SONAME 'ha_federatedx'");
    await server.owner.query(
      `CREATE TABLE remote_vault (id varchar(40) NOT NULL PRIMARY KEY, vault_token varchar(40) NOT NULL, ` +
        'vault_value longtext NOT NULL, created_at datetime NOT NULL, updated_at datetime NOT NULL, ' +
        'expires_at datetime NOT NULL, soft_deleted_at datetime NOT NULL) ENGINE=FEDERATED ' +
        `CONNECTION='mysql://${user}:${password}@127.0.0.1:${port}/${database}/vault'`,
    );
    const before = await readServerVault(server.owner);
    const error = await refusal({ table: 'remote_vault', allowTriggers: true });
    expect(error?.code, error?.message).toBe('TRIGGERS');
    expect(error!.message).toContain('uses the FEDERATED engine');
    expect(error!.message).not.toContain(password);
    expect(await readServerVault(server.owner)).toEqual(before);
  });

  async function partitionWith(trigger: string): Promise<void> {
    // a partitioned table's unique keys must hold the partitioning column
    await server.owner.query('ALTER TABLE vault DROP INDEX idx_vault_token');
    await server.owner.query('ALTER TABLE vault PARTITION BY KEY (id) PARTITIONS 4');
    await server.owner.query(trigger);
  }

  it('refuses a partitioned table whose trigger copies old values; nothing copied', async () => {
    await server.owner.query('CREATE TABLE vault_audit (id varchar(40), old_value longtext)');
    await partitionWith(
      'CREATE TRIGGER copy_old AFTER UPDATE ON vault FOR EACH ROW ' +
        'INSERT INTO vault_audit VALUES (OLD.id, OLD.vault_value)',
    );
    const before = await readServerVault(server.owner);
    const error = await refusal();
    expect(error?.code, error?.message).toBe('TRIGGERS');
    expect(error!.message).toContain('"copy_old"');
    expect(await count('SELECT count(*) AS n FROM vault_audit')).toBe(0);
    expect(await readServerVault(server.owner)).toEqual(before);
  });

  it('allowed, a trigger of a partitioned table that undoes the writes is caught by the read-back', async () => {
    await partitionWith(
      'CREATE TRIGGER keep_old BEFORE UPDATE ON vault FOR EACH ROW SET NEW.vault_value = OLD.vault_value',
    );
    const values = (await readServerVault(server.owner)).map((row) => row.vault_value);
    const result = await rotateVault(options({ allowTriggers: true }));
    const expected = expectedCounts(manifest, PW_A);
    expect(result).toMatchObject({
      status: 'incomplete',
      rotated: 0,
      failed: expected.rotated,
      triggers: ['keep_old'],
    });
    expect((await readServerVault(server.owner)).map((row) => row.vault_value)).toEqual(values);
  });

  it('refuses a foreign key on vault_value (it would cascade values elsewhere); nothing cascaded', async () => {
    // vault_value as a key: short values only, in a table of its own
    await server.owner.query('CREATE TABLE keyed LIKE vault');
    await server.owner.query(
      'ALTER TABLE keyed MODIFY vault_value varchar(700) NOT NULL, ADD KEY (vault_value)',
    );
    await server.owner.query(
      'INSERT INTO keyed SELECT * FROM vault WHERE length(vault_value) <= 700',
    );
    await server.owner.query(
      'CREATE TABLE copies (v varchar(700), CONSTRAINT copies_value FOREIGN KEY (v) ' +
        'REFERENCES keyed (vault_value) ON UPDATE CASCADE)',
    );
    await server.owner.query('INSERT INTO copies SELECT vault_value FROM keyed');
    const before = await readServerVault(server.owner, 'keyed');
    const copies = await server.owner.query('SELECT v FROM copies ORDER BY v');

    for (const extra of [{ table: 'keyed' }, { table: 'keyed', allowTriggers: true }]) {
      const error = await refusal(extra);
      expect(error?.code, error?.message).toBe('TRIGGERS');
      expect(error!.message).toContain(`copies_value of ${server.db.database}.copies`);
      expect(error!.message).toContain('Nothing was changed');
    }
    expect(await readServerVault(server.owner, 'keyed')).toEqual(before);
    expect(await server.owner.query('SELECT v FROM copies ORDER BY v')).toEqual(copies);
  });
});
