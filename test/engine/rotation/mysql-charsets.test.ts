/**
 * A MariaDB vault whose id (or whole table) is in another character set than
 * the connection's utf8mb4: utf16 ids, latin1 ids with non-ASCII characters,
 * a utf16 value column. Every guarded write must land on the record it read
 * (compared in the column's own character set), the counts must be exact,
 * and the Go library must open every rotated record with the new password.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { rotateVault } from '../../../src/engine/index.js';
import { openVault } from '../../../src/engine/storage/index.js';
import { readManifest } from '../../support/fixtures.js';
import type { VaultManifest } from '../../support/fixtures.js';
import {
  copyVaultFromServer,
  copyVaultToServer,
  readSqliteVault,
} from '../../support/server-vault-copy.js';
import { serverUnavailable } from '../../support/servers/index.js';
import { expectVsrefVerifies } from '../../support/vsref.js';
import {
  NEW_PASSWORD,
  PW_A,
  bytes,
  expectCompletedAsManifest,
  expectFixtureRotated,
} from './support/rotation-checks.js';
import { useServerFixture } from './support/server-fixture.js';

/**
 * The fixture with each id prefixed by one of `prefixes` (in turn), and its
 * manifest renamed the same way (values carry no id: they still open).
 */
function renamedFixture(
  source: string,
  target: string,
  prefixes: readonly string[],
): { file: string; manifest: VaultManifest } {
  copyFileSync(source, target);
  const manifest = readManifest('tiny200');
  const renamed: VaultManifest['records'] = {};
  const db = new Database(target);
  try {
    const rename = db.prepare('UPDATE vault SET id = ? WHERE id = ?');
    Object.keys(manifest.records)
      .sort()
      .forEach((id, i) => {
        const newId = `${prefixes[i % prefixes.length]}${id}`;
        rename.run(newId, id);
        renamed[newId] = manifest.records[id]!;
      });
  } finally {
    db.close();
  }
  const renamedManifest = { ...manifest, records: renamed };
  writeFileSync(`${target}.manifest.json`, JSON.stringify(renamedManifest));
  return { file: target, manifest: renamedManifest };
}

const CASES = [
  {
    name: 'utf16 ids',
    prefixes: ['é', 'ß', 'Ω', '😀', 'a', 'Ä'],
    ddl: 'ALTER TABLE vault MODIFY id varchar(40) CHARACTER SET utf16 NOT NULL',
  },
  {
    name: 'latin1 ids with non-ASCII characters',
    prefixes: ['é', 'ß', 'Ä', 'ø', 'ñ', 'b'],
    ddl: 'ALTER TABLE vault MODIFY id varchar(40) CHARACTER SET latin1 NOT NULL',
  },
  {
    name: 'a whole table in utf16 (ids, tokens and values)',
    prefixes: ['é', 'Ω', '😀', 'c'],
    ddl: 'ALTER TABLE vault CONVERT TO CHARACTER SET utf16',
  },
] as const;

describe.skipIf(serverUnavailable('mysql'))(
  'MariaDB vault columns in another character set',
  () => {
    const server = useServerFixture('mysql', { copy: false });
    const manifest = readManifest('tiny200');

    for (const { name, prefixes, ddl } of CASES) {
      it(`rotates a vault with ${name}: exact counts, every record opens with the new password (vsref)`, async () => {
        const { db, owner, dir } = server;
        const fixture = renamedFixture(
          server.fixture,
          join(dir.path, `${db.database}-in.db`),
          prefixes,
        );
        await copyVaultToServer(fixture.file, owner);
        await owner.query(ddl);
        // info counts value kinds exactly whatever the value column's character set
        const records = Object.values(manifest.records);
        const store = await openVault(db.url, { serverPassword: bytes(db.password) });
        try {
          expect((await store.info()).tables[0]).toMatchObject({
            name: 'vault',
            records: records.length,
            v2: records.filter((record) => record.version === 'v2').length,
            v1: records.filter((record) => record.version === 'v1').length,
            other: 0,
          });
        } finally {
          await store.close();
        }

        const result = await rotateVault(server.options());
        expectCompletedAsManifest(result, manifest, PW_A);
        // no sweep round found anything: every write landed on the record it read
        expect(result.sweep).toMatchObject({ changed: 0, inserted: 0, rotated: 0 });
        // the backup holds the records as they were, ids and values exact
        expect(readSqliteVault(result.backupPath!)).toEqual(readSqliteVault(fixture.file));

        const back = join(dir.path, `${db.database}-out.db`);
        await copyVaultFromServer(owner, back);
        copyFileSync(`${fixture.file}.manifest.json`, `${back}.manifest.json`);
        await expectFixtureRotated(back, fixture.manifest, {
          oldPassword: PW_A,
          newPassword: NEW_PASSWORD,
        });
        await expectVsrefVerifies(back, {
          config: 'tiny',
          expect: `${PW_A}=>${NEW_PASSWORD}`,
          softDeleted: 'rotated',
        });
      });
    }
  },
);
