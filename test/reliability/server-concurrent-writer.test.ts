/**
 * A rotation of a vault table in a real PostgreSQL / MariaDB server while the
 * application keeps writing through the server: another session updates
 * records (behind and ahead of the rotation's cursor, under the old password
 * and under another one), inserts and deletes. A server cannot tell the
 * rotation that someone else committed, so the rotation re-reads the table
 * after its pass: no update of the application may be lost, and nothing may
 * be left under the old password.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encodeV2Value, openValue } from '../../src/engine/codec/index.js';
import { loadArgon2idBackend, type Argon2idBackend } from '../../src/engine/kdf/index.js';
import { rotateVault } from '../../src/engine/index.js';
import { fixturesDir, makeTempDir, type TempDir } from '../support/fixtures.js';
import { copyVaultToServer, readServerVault } from '../support/server-vault-copy.js';
import {
  SERVER_KINDS,
  serverUnavailable,
  testDatabase,
  type SqlSession,
  type TestDatabase,
} from '../support/servers/index.js';
import { NEW_PASSWORD, PW_A, bytes, tiny } from '../engine/rotation/support/rotation-checks.js';

const FIXTURE = join(fixturesDir, 'tiny200.db');
const OTHER = 'another-application-password-42';

interface Written {
  readonly value: string;
  readonly password: string;
  readonly plaintext: string;
}

describe.each(SERVER_KINDS)('a rotation on %s while the application writes', (kind) => {
  const unavailable = serverUnavailable(kind);
  let db: TestDatabase;
  let owner: SqlSession;
  let writerSession: SqlSession;
  let dir: TempDir;
  let kdf: Argon2idBackend;
  const pool: Written[] = [];
  const param = (n: number): string => (kind === 'postgres' ? `$${n}` : '?');

  beforeAll(async () => {
    if (unavailable) return;
    db = await testDatabase(kind);
    owner = await db.connect();
    writerSession = await db.connect();
    kdf = await loadArgon2idBackend('auto');
    for (let i = 0; i < 60; i++) {
      const password = i % 3 === 2 ? OTHER : PW_A;
      const plaintext = `written by the application #${i}`;
      pool.push({
        value: await encodeV2Value(Buffer.from(plaintext), bytes(password), tiny, kdf),
        password,
        plaintext,
      });
    }
  });
  afterAll(async () => {
    await writerSession?.close();
    await owner?.close();
    await db?.dispose();
  });
  beforeEach(() => {
    dir = makeTempDir('vsa-server-writer-');
  });
  afterEach(() => dir?.dispose());

  it.skipIf(unavailable)(
    'loses no update, deletes nothing it should keep, and leaves nothing under the old password',
    async () => {
      await owner.query('DROP TABLE IF EXISTS vault');
      await owner.query('DROP TABLE IF EXISTS vault_meta');
      await copyVaultToServer(FIXTURE, owner);
      const ids = (await readServerVault(owner)).map((row) => row.id);
      /** the application's last write per id (null: deleted) */
      const last = new Map<string, Written | null>();
      let writing = true;
      let step = 0;
      const writer = (async () => {
        while (writing) {
          const id = ids[(step * 37) % ids.length]!;
          const written = pool[step % pool.length]!;
          if (step % 11 === 10) {
            await writerSession.query(`DELETE FROM vault WHERE id = ${param(1)}`, [id]);
            last.set(id, null);
          } else if (step % 7 === 6) {
            const newId = `app-insert-${step}`;
            await writerSession.query(
              'INSERT INTO vault (id, vault_token, vault_value, created_at, updated_at, expires_at, ' +
                `soft_deleted_at) VALUES (${param(1)}, ${param(2)}, ${param(3)}, '2026-01-01 00:00:00', ` +
                `'2026-01-01 00:00:00', '9999-12-31 23:59:59', '9999-12-31 23:59:59')`,
              [newId, `tk_app_${step}`, written.value],
            );
            last.set(newId, written);
          } else if (last.get(id) !== null) {
            await writerSession.query(
              `UPDATE vault SET vault_value = ${param(1)} WHERE id = ${param(2)}`,
              [written.value, id],
            );
            last.set(id, written);
          }
          step++;
          await new Promise((resolve) => setTimeout(resolve, 3));
        }
      })();
      let result;
      try {
        result = await rotateVault({
          vaultPath: db.url,
          serverPassword: bytes(db.password),
          oldPassword: bytes(PW_A),
          newPassword: bytes(NEW_PASSWORD),
          openConfig: tiny,
          workers: 2,
          batchSize: 8,
          commitIntervalMs: 0,
          checkpointDir: join(dir.path, 'state'),
          // the application stops writing before the pass ends: the re-read must catch everything
          onProgress: (progress) => {
            if (progress.phase === 'rotating' && progress.scanned >= progress.total * 0.7) {
              writing = false;
            }
          },
        });
      } finally {
        writing = false;
        await writer;
      }
      expect(step).toBeGreaterThan(10);
      expect(result.status).toBe('completed');

      const rows = new Map((await readServerVault(owner)).map((row) => [row.id, row]));
      for (const [id, written] of last) {
        if (written === null) {
          expect(rows.has(id), `${id} was deleted by the application`).toBe(false);
          continue;
        }
        const row = rows.get(id);
        expect(row, `${id} written by the application`).toBeDefined();
        if (written.password === OTHER) {
          // not the old password: left exactly as the application wrote it
          expect(row!.vault_value).toBe(written.value);
        } else {
          const opened = await openValue(row!.vault_value, bytes(NEW_PASSWORD), tiny, kdf);
          expect(opened.ok && opened.plaintext.toString(), id).toBe(written.plaintext);
        }
      }
      for (const row of rows.values()) {
        const old = await openValue(row.vault_value, bytes(PW_A), tiny, kdf);
        expect(old.ok, `${row.id} still opens with the old password`).toBe(false);
      }
      // the re-read after the pass found the application's writes
      expect(result.sweep).toBeDefined();
      expect(result.coverage?.foreignWrites).toBe(true);
    },
    180_000,
  );
});
