/**
 * PostgreSQL: rows the login cannot see, and copies the server makes on its
 * own. Row-level security that may hide records from the login (or keep them
 * from its updates) is refused by name before anything is read or written;
 * rules on UPDATE and triggers on partitions or inheritance children are
 * refused as a trigger on the table is (TRIGGERS), with nothing copied;
 * allowed, they keep the read-back. Real server, a login `app` with SELECT
 * and UPDATE only, the tiny200 fixture.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  inspectVault,
  preflightRotation,
  rotateVault,
  verifyVault,
} from '../../../src/engine/index.js';
import { postgresMetaTableSql } from '../../../bench/vaultstore-ddl.js';
import { fixturesDir, makeTempDir, type TempDir } from '../../support/fixtures.js';
import { copyVaultToServer, readServerVault } from '../../support/server-vault-copy.js';
import {
  randomName,
  serverUnavailable,
  testDatabase,
  type DbLogin,
  type SqlSession,
  type TestDatabase,
} from '../../support/servers/index.js';
import { NEW_PASSWORD, PW_A, bytes, tiny } from './support/rotation-checks.js';

const FIXTURE = join(fixturesDir, 'tiny200.db');
const RECORDS = 200;

describe.skipIf(serverUnavailable('postgres'))(
  'PostgreSQL: hidden rows and server-side copies',
  () => {
    let db: TestDatabase;
    let owner: SqlSession;
    let app: DbLogin;
    let dir: TempDir;

    beforeAll(async () => {
      db = await testDatabase('postgres');
      owner = await db.connect();
      app = { user: randomName('vsa_app'), password: `pw-${randomName('app')}` };
      await db.admin.query(`CREATE ROLE ${app.user} LOGIN PASSWORD '${app.password}'`);
      await db.admin.query(`GRANT CONNECT ON DATABASE ${db.database} TO ${app.user}`);
      await db.admin.query(`GRANT USAGE ON SCHEMA public TO ${app.user}`);
    });
    afterAll(async () => {
      await owner?.close();
      await db?.admin.query(`DROP OWNED BY ${app.user}`);
      await db?.admin.query(`DROP ROLE ${app.user}`);
      await db?.dispose();
    });
    beforeEach(async () => {
      dir = makeTempDir('vsa-pg-guards-');
      await owner.query('DROP TABLE IF EXISTS vault, vault_meta, vault_audit CASCADE');
      await owner.query('DROP FUNCTION IF EXISTS copy_old() CASCADE');
      await db.admin.query(`DROP SCHEMA IF EXISTS ${app.user} CASCADE`);
    });
    afterEach(() => dir.dispose());

    const stateDir = () => join(dir.path, 'state');

    /** The fixture in public.vault (owned by the database owner), `app` may SELECT and UPDATE it. */
    async function loadForApp(): Promise<string> {
      await copyVaultToServer(FIXTURE, owner);
      await owner.query(`GRANT SELECT, UPDATE ON vault TO ${app.user}`);
      const [sixth] = await owner.query<{ id: string }>(
        'SELECT id FROM vault ORDER BY id OFFSET 5 LIMIT 1',
      );
      return sixth!.id;
    }

    function as(login: DbLogin) {
      return {
        vaultPath: db.url.replace(`${db.user}@`, `${login.user}@`),
        serverPassword: bytes(login.password),
      };
    }

    const rotation = (login: DbLogin, extra: Partial<Parameters<typeof rotateVault>[0]> = {}) =>
      rotateVault({
        ...as(login),
        oldPassword: bytes(PW_A),
        newPassword: bytes(NEW_PASSWORD),
        openConfig: tiny,
        workers: 2,
        checkpointDir: stateDir(),
        ...extra,
      });

    async function refusal(run: Promise<unknown>): Promise<Error & { code: string }> {
      const outcome = await run.then(
        () => null,
        (error: unknown) => error as Error & { code: string },
      );
      expect(outcome, 'refused').not.toBeNull();
      return outcome!;
    }

    /** Nothing of the rotation's own on disk: no lock, checkpoint or backup. */
    function expectNoStateFiles(): void {
      expect(existsSync(stateDir()) ? readdirSync(stateDir()) : []).toEqual([]);
    }

    describe('row-level security', () => {
      it('a policy hiding 5 of the records from the login: refused by name, nothing written', async () => {
        const sixth = await loadForApp();
        await owner.query('ALTER TABLE vault ENABLE ROW LEVEL SECURITY');
        await owner.query(
          `CREATE POLICY visible ON vault FOR ALL TO ${app.user} USING (id >= '${sixth}')`,
        );
        // what the login sees: the subset a rotation would have called "every record"
        const seen = await db.connect(app);
        try {
          expect((await readServerVault(seen)).length).toBe(RECORDS - 5);
        } finally {
          await seen.close();
        }
        const before = await readServerVault(owner);

        const error = await refusal(rotation(app));
        expect(error.code).toBe('SERVER_PERMISSION');
        expect(error.message).toContain('Row-level security is on for the table public.vault');
        expect(error.message).toContain('"visible" (FOR ALL, USING (');
        expect(error.message).toContain(sixth);
        expect(error.message).toContain(`owner "${db.user}"`);
        expect(error.message).toContain('BYPASSRLS');
        expect(error.message).toContain('Nothing was changed');
        expect(await readServerVault(owner)).toEqual(before);
        expectNoStateFiles();

        // verify and info would count the same subset: they say so too
        const verify = await refusal(
          verifyVault({ ...as(app), password: bytes(PW_A), config: tiny, workers: 1 }),
        );
        expect(verify).toMatchObject({ code: 'SERVER_PERMISSION' });
        expect(verify.message).toContain('"visible"');
        const info = await refusal(inspectVault({ ...as(app), checkpointDir: stateDir() }));
        expect(info).toMatchObject({ code: 'SERVER_PERMISSION' });
      });

      it('an UPDATE policy narrower than the SELECT policy is named as such, nothing written', async () => {
        const sixth = await loadForApp();
        await owner.query('ALTER TABLE vault ENABLE ROW LEVEL SECURITY');
        await owner.query(`CREATE POLICY read_all ON vault FOR SELECT TO ${app.user} USING (true)`);
        await owner.query(
          `CREATE POLICY update_some ON vault FOR UPDATE TO ${app.user} USING (id >= '${sixth}')`,
        );
        const before = await readServerVault(owner);
        const error = await refusal(rotation(app));
        expect(error.code).toBe('SERVER_PERMISSION');
        expect(error.message).toMatch(
          /the UPDATE policy "update_some" \(FOR UPDATE, .*\) is narrower/,
        );
        expect(error.message).toContain('not because another program wrote them');
        expect(await readServerVault(owner)).toEqual(before);
        expectNoStateFiles();
        // the pre-flight (a read-only connection) says so before a rotation is started
        const preflight = await refusal(
          preflightRotation({ ...as(app), oldPassword: bytes(PW_A), openConfig: tiny, workers: 1 }),
        );
        expect(preflight).toMatchObject({ code: 'SERVER_PERMISSION' });
        expect(preflight.message).toContain('"update_some"');
        // reading is not limited: a verify sees every record
        const verified = await verifyVault({
          ...as(app),
          password: bytes(PW_A),
          config: tiny,
          workers: 2,
        });
        expect(verified).toMatchObject({ table: 'public.vault', checked: RECORDS });
      });

      it('a restrictive policy, or one for a role the login is a member of, hides rows too', async () => {
        const sixth = await loadForApp();
        await owner.query('ALTER TABLE vault ENABLE ROW LEVEL SECURITY');
        await owner.query('CREATE POLICY everything ON vault FOR ALL TO PUBLIC USING (true)');
        await owner.query(
          `CREATE POLICY newer_only ON vault AS RESTRICTIVE FOR SELECT TO PUBLIC USING (id >= '${sixth}')`,
        );
        const restricted = await refusal(rotation(app, { backup: false }));
        expect(restricted.code).toBe('SERVER_PERMISSION');
        expect(restricted.message).toContain('"newer_only" (restrictive, FOR SELECT, USING (');
        expect(restricted.message).not.toContain('"everything"');

        await owner.query('DROP POLICY newer_only ON vault');
        const group = randomName('vsa_group');
        await db.admin.query(`CREATE ROLE ${group} NOLOGIN`);
        try {
          await db.admin.query(`GRANT ${group} TO ${app.user}`);
          await owner.query(
            `CREATE POLICY for_group ON vault AS RESTRICTIVE TO ${group} USING (false)`,
          );
          const member = await refusal(rotation(app, { backup: false }));
          expect(member.code).toBe('SERVER_PERMISSION');
          expect(member.message).toContain('"for_group" (restrictive, FOR ALL, USING (false))');
        } finally {
          await owner.query('DROP POLICY IF EXISTS for_group ON vault');
          await db.admin.query(`DROP OWNED BY ${group}`);
          await db.admin.query(`DROP ROLE ${group}`);
        }
      });

      it('no policy for the login: every row hidden, refused', async () => {
        await loadForApp();
        await owner.query('ALTER TABLE vault ENABLE ROW LEVEL SECURITY');
        const error = await refusal(rotation(app, { backup: false }));
        expect(error.code).toBe('SERVER_PERMISSION');
        expect(error.message).toContain('the table has no policies');
      });

      it('RLS on, but the owner is exempt: the owner rotates every record; FORCE refuses the owner too', async () => {
        const sixth = await loadForApp();
        await owner.query('ALTER TABLE vault ENABLE ROW LEVEL SECURITY');
        await owner.query(
          `CREATE POLICY visible ON vault FOR ALL TO PUBLIC USING (id >= '${sixth}')`,
        );
        await owner.query('ALTER TABLE vault FORCE ROW LEVEL SECURITY');
        const forced = await refusal(rotation(db, { backup: false }));
        expect(forced.code).toBe('SERVER_PERMISSION');
        expect(forced.message).toContain('forces row-level security on its owner');
        await owner.query('ALTER TABLE vault NO FORCE ROW LEVEL SECURITY');

        const result = await rotation(db, { backup: false });
        expect(result).toMatchObject({ status: 'completed', table: 'public.vault', failed: 0 });
        expect(result.coverage).toMatchObject({ rowsAtStart: RECORDS, visited: RECORDS });
      });

      it('a policy that passes every row (USING (true), PUBLIC) lets the login rotate', async () => {
        await loadForApp();
        await owner.query('ALTER TABLE vault ENABLE ROW LEVEL SECURITY');
        await owner.query('CREATE POLICY everything ON vault FOR ALL TO PUBLIC USING (true)');
        const result = await rotation(app, { backup: false });
        expect(result).toMatchObject({ status: 'completed', failed: 0 });
        expect(result.coverage).toMatchObject({ rowsAtStart: RECORDS, visited: RECORDS });
      });
    });

    describe('rules and triggers beyond the table itself', () => {
      async function auditRows(): Promise<number> {
        const [row] = await owner.query<{ n: string }>('SELECT count(*) AS n FROM vault_audit');
        return Number(row!.n);
      }

      async function expectRefusedUncopied(name: RegExp): Promise<void> {
        const before = await readServerVault(owner);
        const error = await refusal(rotation(db, { table: 'vault' }));
        expect(error.code).toBe('TRIGGERS');
        expect(error.message).toMatch(name);
        expect(await readServerVault(owner)).toEqual(before);
        expect(await auditRows()).toBe(0);
        expectNoStateFiles();
      }

      it('a rule ON UPDATE DO ALSO copying old values: refused, nothing copied; allowed: read back', async () => {
        await copyVaultToServer(FIXTURE, owner);
        await owner.query('CREATE TABLE vault_audit (id text, vault_value text)');
        await owner.query(
          `CREATE RULE keep_old AS ON UPDATE TO vault
           DO ALSO INSERT INTO vault_audit VALUES (OLD.id, OLD.vault_value)`,
        );
        await expectRefusedUncopied(/"keep_old \(rule on UPDATE\)"/);

        const result = await rotation(db, { allowTriggers: true, backup: false });
        expect(result).toMatchObject({ status: 'completed', failed: 0 });
        expect(result.triggers).toEqual(['keep_old (rule on UPDATE)']);
        // what the rule did is what the user allowed: one copy per rotated record
        expect(await auditRows()).toBe(result.rotated);
      });

      it('a partitioned vault whose partitions carry a trigger copying old values: refused, nothing copied', async () => {
        await owner.query(`CREATE TABLE vault ("id" varchar(40) NOT NULL, "vault_token" varchar(40) NOT NULL,
        "vault_value" text NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL,
        "expires_at" timestamptz NOT NULL, "soft_deleted_at" timestamptz NOT NULL, PRIMARY KEY ("id"))
        PARTITION BY RANGE ("id")`);
        await owner.query(
          `CREATE TABLE vault_low PARTITION OF vault FOR VALUES FROM (MINVALUE) TO ('8')`,
        );
        await owner.query(
          `CREATE TABLE vault_high PARTITION OF vault FOR VALUES FROM ('8') TO (MAXVALUE)`,
        );
        await owner.query(postgresMetaTableSql('vault_meta'));
        await copyVaultToServer(FIXTURE, owner, { createTables: false });
        await owner.query('CREATE TABLE vault_audit (id text, vault_value text)');
        await owner.query(`CREATE FUNCTION copy_old() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO vault_audit VALUES (OLD.id, OLD.vault_value); RETURN NEW; END $$`);
        for (const partition of ['vault_low', 'vault_high']) {
          await owner.query(
            `CREATE TRIGGER copy_old AFTER UPDATE ON ${partition} FOR EACH ROW EXECUTE FUNCTION copy_old()`,
          );
        }
        await expectRefusedUncopied(
          /"copy_old \(trigger on partition public\.vault_high\)", "copy_old \(trigger on partition public\.vault_low\)"/,
        );
      });

      it('an inheritance child with a trigger (its rows are updated through the parent): refused', async () => {
        await copyVaultToServer(FIXTURE, owner);
        await owner.query('CREATE TABLE vault_audit (id text, vault_value text)');
        await owner.query('CREATE TABLE vault_archive () INHERITS (vault)');
        await owner.query(`CREATE FUNCTION copy_old() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO vault_audit VALUES (OLD.id, OLD.vault_value); RETURN NEW; END $$`);
        await owner.query(
          'CREATE TRIGGER copy_old AFTER UPDATE ON vault_archive FOR EACH ROW EXECUTE FUNCTION copy_old()',
        );
        await expectRefusedUncopied(/"copy_old \(trigger on child table public\.vault_archive\)"/);
      });
    });

    describe('which table: schema.table', () => {
      /** public.vault for `app`, and a vault of its own in its schema (first on its search path). */
      async function twoVaults(): Promise<SqlSession> {
        await loadForApp();
        await db.admin.query(`CREATE SCHEMA AUTHORIZATION ${app.user}`);
        const session = await db.connect(app);
        await copyVaultToServer(FIXTURE, session);
        return session;
      }

      const valuesIn = (session: SqlSession, table: string) =>
        session.query<{ id: string; vault_value: string }>(
          `SELECT id, vault_value FROM ${table} ORDER BY id`,
        );

      it('a name in two schemas of the search path is refused with the qualified names; schema.table picks one', async () => {
        const session = await twoVaults();
        try {
          const own = `${app.user}.vault`;
          const ownBefore = await valuesIn(session, own);
          const publicBefore = await valuesIn(session, 'public.vault');

          // no table named: both are listed by schema
          const unnamed = await refusal(rotation(app, { backup: false }));
          expect(unnamed.code).toBe('USAGE');
          expect(unnamed.message).toContain(`2 vault tables: ${own}, public.vault`);
          // "vault" is in both schemas: PostgreSQL would take the login's own, maybe not the one meant
          const ambiguous = await refusal(rotation(app, { table: 'vault', backup: false }));
          expect(ambiguous.code).toBe('USAGE');
          expect(ambiguous.message).toContain(
            `The table name "vault" is in 2 schemas of the search path`,
          );
          expect(ambiguous.message).toContain(`"${own}", "public.vault"`);
          expect(await valuesIn(session, own)).toEqual(ownBefore);
          expect(await valuesIn(session, 'public.vault')).toEqual(publicBefore);
          expectNoStateFiles();

          // info names both by schema
          const info = await inspectVault({ ...as(app), checkpointDir: stateDir() });
          expect(info.tables.map((table) => [table.name, table.records])).toEqual([
            [own, RECORDS],
            ['public.vault', RECORDS],
          ]);

          const result = await rotation(app, { table: 'public.vault' });
          expect(result).toMatchObject({ status: 'completed', table: 'public.vault', failed: 0 });
          // the default backup is named after the schema too
          expect(result.backupPath).toMatch(/-public_vault-[0-9a-f]+/);
          expect(await valuesIn(session, own)).toEqual(ownBefore);
          const after = await valuesIn(session, 'public.vault');
          const changed = after.filter(
            (row, i) => row.vault_value !== publicBefore[i]!.vault_value,
          );
          expect(changed.length).toBe(result.rotated);
        } finally {
          await session.close();
        }
      });
    });
  },
);
