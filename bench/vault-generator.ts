/**
 * Generates VaultStore vaults for the benchmark and the CLI tests: the
 * library's DDL, records under several passwords (v2, and v1 when asked),
 * soft-deleted and expired records, a meta table. Values are made with the
 * engine's codec; plaintexts follow from the record id (expectedPlaintext).
 */
import { createHash, randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import Database from 'better-sqlite3';
import {
  deriveV1Key,
  KdfWorkerClient,
  NONCE_LENGTH,
  SALT_LENGTH,
  sealV2,
  type Argon2Config,
} from '../src/engine/index.js';
import { encodeV1Value } from './v1-encoder.js';
import { libraryDdl } from './vaultstore-ddl.js';

export interface PasswordShare {
  readonly password: string;
  /** fraction of the records, 0..1 (the shares add up to 1) */
  readonly share: number;
  readonly version: 'v1' | 'v2';
}

export interface GenerateVaultOptions {
  readonly path: string;
  readonly records: number;
  readonly mix: readonly PasswordShare[];
  readonly config: Argon2Config;
  readonly table?: string;
  readonly metaTable?: string;
  /** default 0.1 */
  readonly softDeletedShare?: number;
  /** default 0.1 */
  readonly expiredShare?: number;
  /**
   * Distinct salts per password for v2 values. Default: one per record, like
   * real data. A few hundred make huge vaults quick to generate: test data
   * only, since a rotation derives a key per record whatever the salt (it
   * never reuses one itself).
   */
  readonly saltsPerPassword?: number;
  /** Argon2id workers used while generating (default: available cores) */
  readonly workers?: number;
}

export interface GeneratedCounts {
  v1: number;
  v2: number;
  softDeleted: number;
}

export interface GeneratedVault {
  readonly path: string;
  readonly table: string;
  readonly records: number;
  /** per password: how many records, by version, and how many soft-deleted */
  readonly byPassword: Readonly<Record<string, GeneratedCounts>>;
  readonly softDeleted: number;
  readonly expired: number;
}

const NEVER = '9999-12-31 23:59:59';
const PAST = '2025-06-01 12:00:00';
const CREATED = '2025-01-01 08:00:00';
const BATCH = 512;
const GOLDEN = 0.6180339887498949;

/** The plaintext of record `id`: varied lengths, recomputable by a checker. */
export function expectedPlaintext(id: string): Buffer {
  const digest = createHash('sha256').update(id).digest('hex');
  const length = 16 + (parseInt(digest.slice(0, 2), 16) % 96);
  return Buffer.from(`secret:${id}:${digest.repeat(3)}`.slice(0, length), 'utf8');
}

/** Evenly spread 0..1 values over record indexes: every share is mixed through the key order. */
function spread(index: number): number {
  return (index * GOLDEN) % 1;
}

/** An independent pseudo-random 0..1 per (index, stream): soft-deleted/expired uncorrelated with the password. */
function hashUnit(index: number, stream: number): number {
  let x = Math.imul(index ^ Math.imul(stream, 0x9e3779b9), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return ((x ^ (x >>> 16)) >>> 0) / 2 ** 32;
}

function pickPassword(mix: readonly PasswordShare[], index: number): PasswordShare {
  const u = spread(index);
  let cumulative = 0;
  for (const entry of mix) {
    cumulative += entry.share;
    if (u < cumulative) return entry;
  }
  const last = mix[mix.length - 1];
  if (!last) throw new Error('generateVault needs at least one password');
  return last;
}

function recordId(index: number): string {
  return `2025010108000000${String(index).padStart(16, '0')}`;
}

function recordToken(index: number): string {
  return `tk_${index.toString(32).padStart(8, '0')}${randomBytes(11).toString('hex').slice(0, 21)}`;
}

/** Derives Argon2id keys on a few worker threads, round-robin. */
class KeyDeriver {
  private readonly clients: KdfWorkerClient[];
  private next = 0;

  constructor(workers: number) {
    this.clients = Array.from({ length: workers }, () => new KdfWorkerClient());
  }

  async derive(password: Uint8Array, salt: Uint8Array, config: Argon2Config): Promise<Buffer> {
    const client = this.clients[this.next++ % this.clients.length]!;
    return (await client.derive('auto', password, salt, config)).key;
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.close()));
  }
}

interface SaltKey {
  readonly salt: Buffer;
  readonly key: Buffer;
}

export async function generateVault(options: GenerateVaultOptions): Promise<GeneratedVault> {
  const table = options.table ?? 'vault';
  const metaTable = options.metaTable ?? 'vault_meta';
  const softShare = options.softDeletedShare ?? 0.1;
  const expiredShare = options.expiredShare ?? 0.1;
  const deriver = new KeyDeriver(options.workers ?? availableParallelism());
  const db = new Database(options.path);
  const passwordBytes = new Map(
    options.mix.map((m) => [m.password, Buffer.from(m.password, 'utf8')]),
  );
  const v1Keys = new Map<string, Buffer>();
  const reusedSalts = new Map<string, Promise<SaltKey[]>>();
  const byPassword: Record<string, GeneratedCounts> = {};
  let softDeleted = 0;
  let expired = 0;

  const saltKeyFor = async (password: string, index: number): Promise<SaltKey> => {
    const bytes = passwordBytes.get(password)!;
    if (options.saltsPerPassword === undefined) {
      const salt = randomBytes(SALT_LENGTH);
      return { salt, key: await deriver.derive(bytes, salt, options.config) };
    }
    let pool = reusedSalts.get(password);
    if (!pool) {
      const salts = Array.from({ length: options.saltsPerPassword }, () =>
        randomBytes(SALT_LENGTH),
      );
      pool = Promise.all(
        salts.map(async (salt) => ({
          salt,
          key: await deriver.derive(bytes, salt, options.config),
        })),
      );
      reusedSalts.set(password, pool);
    }
    const keys = await pool;
    return keys[index % keys.length]!;
  };

  const valueFor = async (entry: PasswordShare, id: string, index: number): Promise<string> => {
    const plaintext = expectedPlaintext(id);
    if (entry.version === 'v1') {
      let key = v1Keys.get(entry.password);
      if (!key) v1Keys.set(entry.password, (key = deriveV1Key(passwordBytes.get(entry.password)!)));
      return encodeV1Value(plaintext, key);
    }
    const { salt, key } = await saltKeyFor(entry.password, index);
    return sealV2(plaintext, key, salt, randomBytes(NONCE_LENGTH));
  };

  try {
    db.pragma('journal_mode = DELETE');
    db.exec(libraryDdl(table, metaTable));
    db.prepare(
      `INSERT INTO \`${metaTable}\` (object_type, object_id, meta_key, meta_value) VALUES ('vault', 'generator', 'bench', 'vaultstore-admin')`,
    ).run();
    const insert = db.prepare(
      `INSERT INTO \`${table}\` (id, vault_token, vault_value, created_at, updated_at, expires_at, soft_deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertMany = db.transaction((rows: readonly (readonly string[])[]) => {
      for (const row of rows) insert.run(...row);
    });
    for (let start = 0; start < options.records; start += BATCH) {
      const indexes = Array.from(
        { length: Math.min(BATCH, options.records - start) },
        (_, i) => start + i,
      );
      const rows = await Promise.all(
        indexes.map(async (index) => {
          const entry = pickPassword(options.mix, index);
          const id = recordId(index);
          const isSoftDeleted = hashUnit(index, 1) < softShare;
          const isExpired = hashUnit(index, 2) < expiredShare;
          const counts = (byPassword[entry.password] ??= { v1: 0, v2: 0, softDeleted: 0 });
          counts[entry.version]++;
          if (isSoftDeleted) {
            counts.softDeleted++;
            softDeleted++;
          }
          if (isExpired) expired++;
          const value = await valueFor(entry, id, index);
          return [
            id,
            recordToken(index),
            value,
            CREATED,
            CREATED,
            isExpired ? PAST : NEVER,
            isSoftDeleted ? PAST : NEVER,
          ];
        }),
      );
      insertMany(rows);
    }
  } finally {
    db.close();
    await deriver.close();
    for (const bytes of passwordBytes.values()) bytes.fill(0);
    for (const pool of reusedSalts.values()) for (const { key } of await pool) key.fill(0);
  }
  return { path: options.path, table, records: options.records, byPassword, softDeleted, expired };
}
