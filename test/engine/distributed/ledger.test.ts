/**
 * The ledger's tables on real servers: created where the login may, refused
 * clearly (LEDGER_PERMISSION, nothing created) where it may not, dropped
 * once no rotation's rows remain.
 */
import { describe, beforeAll, expect, it } from 'vitest';
import { Ledger } from '../../../src/engine/distributed/ledger/ledger.js';
import { openVault } from '../../../src/engine/storage/index.js';
import { SERVER_KINDS, serverUnavailable } from '../../support/servers/index.js';
import { bytes, loadFixture, openStore, serverDatabase } from './support/distributed-setup.js';

for (const kind of SERVER_KINDS) {
  describe.skipIf(serverUnavailable(kind))(`the ledger on ${kind}`, () => {
    const suite = serverDatabase(kind);

    beforeAll(async () => {
      await loadFixture(suite.owner);
    });

    const ledgerTables = async (): Promise<string[]> =>
      (
        await suite.owner.query<{ name: string }>(
          kind === 'postgres'
            ? `SELECT table_name AS name FROM information_schema.tables WHERE table_name LIKE 'vsa\\_%' ORDER BY 1`
            : `SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'vsa\\_%' ORDER BY 1`,
        )
      ).map((row) => String(row.name));

    it('a login without CREATE rights is refused with LEDGER_PERMISSION, and nothing is created', async () => {
      const reader = await suite.db.readOnlyUser();
      const url = suite.db.url.replace(`${suite.db.user}@`, `${reader.user}@`);
      const store = await openVault(url, { serverPassword: bytes(reader.password) });
      try {
        const error = await Ledger.of(store, null)
          .create()
          .catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'LEDGER_PERMISSION' });
        expect((error as Error).message).toMatch(/CREATE/);
        expect(await ledgerTables()).toEqual([]);
        // Asked before: the catalog says so, and nothing is created either.
        await expect(Ledger.of(store, null).readiness()).rejects.toMatchObject({
          code: 'LEDGER_PERMISSION',
        });
        expect(await ledgerTables()).toEqual([]);
      } finally {
        await store.close();
      }
    });

    it('readiness: can-create for a login that may, creating nothing; exists once created', async () => {
      const store = await openStore(suite.db);
      try {
        const ledger = Ledger.of(store, null);
        expect(await ledger.readiness()).toBe('can-create');
        expect(await ledgerTables()).toEqual([]);
        await ledger.create();
        expect(await ledger.readiness()).toBe('exists');
        await ledger.dropIfUnused('no-such-rotation');
      } finally {
        await store.close();
      }
    });

    it('creates the four tables (twice is harmless) and drops them when no rotation is left', async () => {
      const store = await openStore(suite.db);
      try {
        const ledger = Ledger.of(store, null);
        await ledger.create();
        await ledger.create();
        expect(await ledgerTables()).toEqual([
          'vsa_rotation',
          'vsa_shard',
          'vsa_visit',
          'vsa_worker',
        ]);
        expect(await ledger.exists()).toBe(true);
        expect(await ledger.dropIfUnused('no-such-rotation')).toBe(true);
        expect(await ledgerTables()).toEqual([]);
        expect(await ledger.exists()).toBe(false);
      } finally {
        await store.close();
      }
    });

    // Roles with their own grants: MySQL/MariaDB only (PostgreSQL's are inherited in the catalog).
    if (kind === 'mysql')
      it.each([
        ['its default role', false],
        ['a role granted to its default role', true],
      ])(
        'CREATE granted through %s is seen: can-create, and the tables are made',
        async (_, nested) => {
          const login = await suite.db.readOnlyUser();
          const role = `vsa_ledger_role_${login.user}`;
          const outer = `vsa_outer_role_${login.user}`;
          const { admin, database } = suite.db;
          await admin.query(`CREATE ROLE ${role}`);
          if (nested) await admin.query(`CREATE ROLE ${outer}`);
          try {
            await admin.query(
              `GRANT CREATE, DROP, SELECT, INSERT, UPDATE, DELETE ON ${database}.* TO ${role}`,
            );
            const defaultRole = nested ? outer : role;
            if (nested) await admin.query(`GRANT ${role} TO ${outer}`);
            await admin.query(`GRANT ${defaultRole} TO '${login.user}'@'%'`);
            await admin.query(`SET DEFAULT ROLE ${defaultRole} FOR '${login.user}'@'%'`);
            const url = suite.db.url.replace(`${suite.db.user}@`, `${login.user}@`);
            const store = await openVault(url, { serverPassword: bytes(login.password) });
            try {
              const ledger = Ledger.of(store, null);
              expect(await ledger.readiness()).toBe('can-create');
              await ledger.create();
              expect(await ledger.readiness()).toBe('exists');
              expect(await ledger.dropIfUnused('no-such-rotation')).toBe(true);
            } finally {
              await store.close();
            }
          } finally {
            await admin.query(`DROP ROLE ${role}`);
            if (nested) await admin.query(`DROP ROLE ${outer}`);
          }
        },
      );
  });
}
