/**
 * Fuzzing the whole job (fast-check): vaults of random, mutated and genuine
 * values (some stored as BLOBs, as a foreign writer might), rotated by the
 * real engine with real workers, through both SQLite drivers. Whatever the
 * values, the job never crashes; every record is rotated or reported
 * (scanned = rotated + skipped + failed); a record is rotated exactly when
 * the codec opens it with the old password, to the same plaintext; every
 * other record stays byte-for-byte as it was.
 *
 * The codec itself is fuzzed in test/engine/codec/properties.test.ts.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeV2Value, openValue } from '../../src/engine/codec/index.js';
import { loadArgon2idBackend, type Argon2idBackend } from '../../src/engine/kdf/index.js';
import { rotateVault } from '../../src/engine/rotation/index.js';
import { makeTempDir, type TempDir } from '../support/fixtures.js';
import { encodeV1Value, vaultTableSql } from '../support/vault-builder.js';
import { NEW_PASSWORD, OLD_PASSWORD, OTHER_PASSWORD } from '../support/passwords.js';
import { seededRandom } from './support/random.js';
import { recoverAndCheckIntegrity, tiny } from './support/rotation-vault.js';

const RUNS = Number(process.env.RELIABILITY_FUZZ_RUNS ?? 24);
const random = seededRandom('fuzz-job');
const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

/** A stored value: text (what VaultStore writes) or a BLOB (what a foreign writer might leave). */
type Stored =
  | { readonly kind: 'text'; readonly value: string }
  | { readonly kind: 'blob'; readonly value: Buffer };

let temp: TempDir;
let kdf: Argon2idBackend;
const genuine: string[] = [];
let runNumber = 0;

beforeAll(async () => {
  temp = makeTempDir('vsa-fuzz-');
  kdf = await loadArgon2idBackend('auto');
  for (let i = 0; i < 24; i++) {
    const password = i % 3 === 2 ? OTHER_PASSWORD : OLD_PASSWORD;
    const plaintext = utf8(`genuine secret ${i} ${'x'.repeat(i * 7)}`);
    genuine.push(
      i % 4 === 3
        ? encodeV1Value(plaintext, password)
        : await encodeV2Value(plaintext, utf8(password), tiny, kdf),
    );
  }
});

afterAll(() => temp?.dispose());

const WEIRD = [
  '',
  '=',
  '==',
  '-',
  '_',
  '+',
  '/',
  '\n',
  '\r',
  ' ',
  '\u0000',
  'é',
  '\uFFFD',
  'v2:',
  'V2:',
];

/** A genuine value with one of the mistakes that happen to stored values. */
const mutated = fc
  .tuple(
    fc.constantFrom(...Array.from({ length: 24 }, (_, i) => i)),
    fc.nat(),
    fc.nat(),
    fc.constantFrom(...WEIRD),
  )
  .map(([which, a, b, weird]) => {
    const value = genuine[which] as string;
    const at = a % (value.length + 1);
    switch (b % 9) {
      case 0:
        return value.slice(0, at); // truncated
      case 1:
        return value.slice(0, at) + weird + value.slice(at + 1); // one character replaced
      case 2:
        return value.slice(0, at) + weird + value.slice(at); // inserted (newlines are legal base64 noise)
      case 3:
        return value.replace(/=+$/, ''); // padding lost
      case 4:
        return value.replace(/-/g, '+').replace(/_/g, '/'); // standard alphabet
      case 5:
        return weird + value; // prefix changed
      case 6:
        return value.startsWith('v2:') ? value.slice(3) : `v2:${value}`; // prefix dropped / added
      case 7:
        return value + value.slice(3, 3 + (at % 40)); // trailing garbage
      default: {
        const chars = [...value];
        const i = at % Math.max(1, chars.length);
        chars[i] = chars[i] === 'A' ? 'B' : 'A'; // one bit of the ciphertext
        return chars.join('');
      }
    }
  });

const textValue = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .constantFrom(...Array.from({ length: 24 }, (_, i) => i))
      .map((i) => genuine[i] as string),
  },
  { weight: 5, arbitrary: mutated },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 120 }) },
  { weight: 1, arbitrary: fc.base64String({ maxLength: 120 }).map((text) => `v2:${text}`) },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{0,200}={0,2}$/) },
  { weight: 1, arbitrary: fc.constantFrom(...WEIRD) },
);

const storedValue: fc.Arbitrary<Stored> = fc.oneof(
  { weight: 19, arbitrary: textValue.map((value): Stored => ({ kind: 'text', value })) },
  {
    weight: 1,
    arbitrary: textValue.map((value): Stored => ({ kind: 'blob', value: utf8(value) })),
  },
);

const vaultArb = fc.record({
  values: fc.array(storedValue, { minLength: 1, maxLength: 60, size: 'max' }),
  driver: fc.constantFrom('better-sqlite3' as const, 'sql.js' as const),
  batchSize: fc.integer({ min: 1, max: 16 }),
});

function writeVault(path: string, values: readonly Stored[]): void {
  const db = new Database(path);
  try {
    db.exec(vaultTableSql('vault'));
    const insert = db.prepare(
      "INSERT INTO vault VALUES (?, ?, ?, '2025-01-01 00:00:00', '2025-01-02 00:00:00', '9999-12-31 23:59:59', '9999-12-31 23:59:59')",
    );
    values.forEach((stored, i) =>
      insert.run(`r${String(i).padStart(4, '0')}`, `tk_${i}`, stored.value),
    );
  } finally {
    db.close();
  }
}

function readStored(path: string): Map<string, Stored> {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db.prepare('SELECT id, vault_value AS value FROM vault').all() as {
      id: string;
      value: string | Buffer;
    }[];
    return new Map(
      rows.map((row) => [
        row.id,
        Buffer.isBuffer(row.value)
          ? { kind: 'blob', value: row.value }
          : { kind: 'text', value: row.value },
      ]),
    );
  } finally {
    db.close();
  }
}

const sameStored = (a: Stored | undefined, b: Stored): boolean =>
  a?.kind === b.kind &&
  (a.kind === 'text'
    ? a.value === b.value
    : Buffer.compare(a.value as Buffer, b.value as Buffer) === 0);

describe('the rotation job on random vaults', () => {
  it('never crashes; every record is rotated or reported; untouched records are byte-identical', async () => {
    const outcomes: Record<string, number> = {
      rotated: 0,
      skipped: 0,
      malformed: 0,
      'changed-concurrently': 0,
    };
    await fc.assert(
      fc.asyncProperty(vaultArb, async ({ values, driver, batchSize }) => {
        const dir = join(temp.path, `run-${runNumber++}`);
        mkdirSync(dir);
        const path = join(dir, 'vault.db');
        writeVault(path, values);
        const result = await rotateVault({
          vaultPath: path,
          table: 'vault',
          oldPassword: utf8(OLD_PASSWORD),
          newPassword: utf8(NEW_PASSWORD),
          openConfig: tiny,
          workers: 1,
          batchSize,
          driver,
          backup: false,
          // Random v2 values under random passwords next to old-password v1 ones look exactly like wrong
          // Argon2id settings to the pre-run check (tested in open-config-check / nothing-opened tests):
          // this property is about the job's mechanics.
          skipConfigCheck: true,
          scanAnyway: true,
        });
        expect(['completed', 'nothing-opened']).toContain(result.status);
        expect(result.scanned).toBe(values.length);
        // coverage proof: every row there at the start was visited exactly once
        expect(result.coverage).toMatchObject({
          rowsAtStart: values.length,
          visited: values.length,
          foreignWrites: false,
        });
        expect(result.rotated + result.skipped + result.failed).toBe(result.scanned);
        expect(recoverAndCheckIntegrity(path)).toBe('ok');

        // The codec is the oracle of what opens with the old password.
        const after = readStored(path);
        expect(after.size).toBe(values.length);
        const failed = new Map(result.failures.map((failure) => [failure.id, failure.reason]));
        let rotated = 0;
        for (const [i, before] of values.entries()) {
          const id = `r${String(i).padStart(4, '0')}`;
          const now = after.get(id) as Stored;
          const text = before.kind === 'text' ? before.value : before.value.toString('utf8');
          const oracle = await openValue(text, utf8(OLD_PASSWORD), tiny, kdf);
          const wasRotated = now.kind === 'text' && !sameStored(now, before);
          if (oracle.ok && (before.kind === 'text' || wasRotated)) {
            // Opens with the old password: rotated, to the same plaintext. (A BLOB that opens may
            // instead be left and reported: see the BLOB test in bad-input-values.test.ts.)
            expect(now.kind).toBe('text');
            const reopened = await openValue(now.value as string, utf8(NEW_PASSWORD), tiny, kdf);
            expect(
              reopened.ok && reopened.plaintext.equals(oracle.plaintext),
              `${id} rotated`,
            ).toBe(true);
            expect((now.value as string).startsWith('v2:')).toBe(true);
            rotated++;
            continue;
          }
          // Everything else: exactly as it was, and accounted for.
          expect(sameStored(now, before), `${id} untouched`).toBe(true);
          if (!oracle.ok && oracle.reason === 'malformed')
            expect(failed.get(id), `${id} reported malformed`).toBe('malformed');
          if (oracle.ok)
            expect(failed.has(id), `${id} opened but was not rotated: it must be reported`).toBe(
              true,
            );
          if (failed.has(id)) outcomes[failed.get(id) as string]!++;
          else outcomes.skipped!++;
        }
        expect(result.rotated).toBe(rotated);
        outcomes.rotated! += rotated;
      }),
      { numRuns: RUNS, seed: random.seed, endOnFailure: true },
    );
    console.log(`[fuzz] ${RUNS} vaults (seed ${random.seed}): records ${JSON.stringify(outcomes)}`);
  }, 300_000);
});
