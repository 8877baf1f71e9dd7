/**
 * WITHOUT ROWID vault tables can only be paged on their id: unique, non-NULL,
 * valid UTF-8 text ids rotate fully; any other id shape is refused up front
 * (UNSUPPORTED_IDS, naming the problem), with the file byte-identical and
 * nothing created next to it (no lock, checkpoint or backup).
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rotateVault } from '../../../src/engine/index.js';
import { makeTempDir, type TempDir } from '../../support/fixtures.js';
import {
  ODD_OLD,
  ODD_OTHER,
  createOddVault,
  oddRotationOptions,
  expectOddRotated,
  listDir,
  snapshotRows,
  vaultTableDdl,
  type OddRow,
} from '../../support/odd-vault.js';
import { sha256File } from '../../support/vault-builder.js';

const TIMEOUT_MS = 90_000;

let dir: TempDir;
beforeEach(() => {
  dir = makeTempDir('vsa-without-rowid-');
});
afterEach(() => dir.dispose());

const pad = (n: number): string => String(n).padStart(4, '0');

describe('a WITHOUT ROWID vault table', () => {
  it(
    'with unique text ids is rotated fully over several pages',
    async () => {
      const path = join(dir.path, 'good.db');
      const rows: OddRow[] = Array.from({ length: 70 }, (_, i) => ({
        id: `id-${pad(i)}`,
        password: i % 6 === 5 ? ODD_OTHER : ODD_OLD,
      }));
      const records = await createOddVault(
        path,
        vaultTableDdl('vault', {
          idType: 'text NOT NULL',
          tail: 'PRIMARY KEY (id)',
          withoutRowid: true,
        }),
        rows,
      );
      const before = snapshotRows(path);
      const result = await rotateVault(oddRotationOptions(path, { backup: false }));
      const old = records.filter((record) => record.password === ODD_OLD).length;
      expect(result).toMatchObject({
        status: 'completed',
        scanned: 70,
        rotated: old,
        skipped: 70 - old,
        failed: 0,
      });
      expect(result.coverage).toEqual({ rowsAtStart: 70, visited: 70, foreignWrites: false });
      await expectOddRotated(before, snapshotRows(path), records);
    },
    TIMEOUT_MS,
  );

  const refused: {
    what: string;
    ddl: string;
    rows: OddRow[];
    message: RegExp;
  }[] = [
    {
      what: 'NULL ids (id not in the primary key)',
      ddl: vaultTableDdl('vault', {
        idType: 'text',
        tail: 'PRIMARY KEY (vault_token)',
        withoutRowid: true,
      }),
      rows: Array.from({ length: 20 }, (_, i) => ({ id: i % 4 === 0 ? null : pad(i) })),
      message: /5 record\(s\) have no id \(NULL\)/,
    },
    {
      what: 'ids that are not text (integers in an untyped column)',
      ddl: vaultTableDdl('vault', { idType: '', tail: 'PRIMARY KEY (id)', withoutRowid: true }),
      rows: Array.from({ length: 20 }, (_, i) => ({ id: i < 3 ? i + 1 : `id-${pad(i)}` })),
      message: /3 record\(s\) have an id that is not text/,
    },
    {
      what: 'duplicate ids (primary key on vault_token and id)',
      ddl: vaultTableDdl('vault', {
        idType: 'text NOT NULL',
        tail: 'PRIMARY KEY (vault_token, id)',
        withoutRowid: true,
      }),
      rows: Array.from({ length: 20 }, (_, i) => ({ id: pad(i === 7 || i === 8 ? 7 : i) })),
      message: /1 record\(s\) repeat an id another record has/,
    },
    {
      what: 'invalid UTF-8 text ids',
      ddl: vaultTableDdl('vault', {
        idType: 'text NOT NULL',
        tail: 'PRIMARY KEY (id)',
        withoutRowid: true,
      }),
      rows: Array.from({ length: 20 }, (_, i) =>
        i === 3 || i === 9
          ? { idSql: `CAST(x'ff${i.toString(16).padStart(2, '0')}61' AS TEXT)` }
          : { id: pad(i) },
      ),
      message: /2 record\(s\) have an id that is not valid UTF-8 text/,
    },
  ];

  for (const { what, ddl, rows, message } of refused) {
    it(
      `with ${what} is refused with UNSUPPORTED_IDS, file byte-identical, nothing created`,
      async () => {
        const path = join(dir.path, 'refused.db');
        await createOddVault(path, ddl, rows);
        const hash = sha256File(path);
        const files = listDir(dir.path);
        const error = await rotateVault(oddRotationOptions(path, { backup: true })).then(
          () => null,
          (caught: unknown) => caught,
        );
        expect(error).toMatchObject({ code: 'UNSUPPORTED_IDS' });
        const text = (error as Error).message;
        expect(text).toMatch(message);
        expect(text).toContain('WITHOUT ROWID');
        expect(text).toContain('nothing was changed');
        expect(sha256File(path)).toBe(hash);
        expect(listDir(dir.path)).toEqual(files);
      },
      TIMEOUT_MS,
    );
  }
});
