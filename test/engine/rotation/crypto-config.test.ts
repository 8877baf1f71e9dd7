/**
 * Vaults made by the independent Go implementation (vsref) with a
 * non-default CryptoConfig (key length 16/24, other salt sizes), rotated by
 * the engine and verified by vsref with the same config. Skipped, with the
 * reason printed, when vsref is absent.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Argon2Config } from '../../../src/core/argon2.js';
import { preflightRotation, rotateVault, sameArgon2Config } from '../../../src/engine/index.js';
import { makeTempDir, type TempDir, type VaultManifest } from '../../support/fixtures.js';
import { sha256File } from '../../support/vault-builder.js';
import { expectVsrefVerifies, runVsref, vsrefPath, vsrefSkipReason } from '../../support/vsref.js';
import {
  expectFixtureRotated,
  expectCompletedAsManifest,
  manifestConfig,
  rotationOptions,
} from './support/rotation-checks.js';

if (!vsrefPath) console.warn(`[skip] rotation with k/salt: ${vsrefSkipReason}`);

const OLD = 'Password-A-0123456789';
const OTHER = 'Password-B-0123456789';
const NEW = 'New-Password-0123456789';

async function makeVault(dir: string, config: string, spec: string): Promise<string> {
  const db = join(dir, 'vault.db');
  const made = await runVsref([
    'make-vault',
    '-db',
    db,
    '-n',
    '60',
    '-config',
    config,
    '-spec',
    spec,
    '-soft-deleted',
    '0.1',
    '-expired',
    '0.1',
    '-seed',
    `crypto-config ${config}`,
  ]);
  expect(made.code, made.stderr).toBe(0);
  return db;
}

const readManifest = (db: string): VaultManifest =>
  JSON.parse(readFileSync(`${db}.manifest.json`, 'utf8')) as VaultManifest;

describe.skipIf(!vsrefPath)('rotating vsref vaults with a non-default CryptoConfig', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = makeTempDir('vsa-crypto-');
  });
  afterEach(() => dir.dispose());

  it.each([
    ['t=1,m=64,p=1,k=16', { keyLength: 16 }],
    ['t=1,m=64,p=1,k=24', { keyLength: 24 }],
    ['t=1,m=64,p=1,k=24,salt=32', { keyLength: 24, saltLength: 32 }],
    ['t=1,m=64,p=1,k=16,salt=8', { keyLength: 16, saltLength: 8 }],
  ] as const)('%s: rotated by the engine, verified by vsref', async (spec, sizes) => {
    const db = await makeVault(dir.path, spec, `70%:${OLD},20%:v1:${OLD},10%:${OTHER}`);
    const manifest = readManifest(db);
    const config: Argon2Config = { iterations: 1, memoryKiB: 64, parallelism: 1, ...sizes };
    expect(sameArgon2Config(manifestConfig(manifest), config)).toBe(true);

    const result = await rotateVault(
      rotationOptions(db, {
        oldPassword: new TextEncoder().encode(OLD),
        newPassword: new TextEncoder().encode(NEW),
        openConfig: config,
        workers: 2,
      }),
    );
    expectCompletedAsManifest(result, manifest, OLD);
    await expectFixtureRotated(db, manifest, { oldPassword: OLD, newPassword: NEW, config });
    await expectVsrefVerifies(db, {
      config: spec,
      expect: `${OLD}=>${NEW}`,
      softDeleted: 'rotated',
    });
  });

  it('a wrong key length opens nothing: pre-flight says so and the rotation writes nothing', async () => {
    // v2 only: v1 values do not depend on the config (they would open anyway).
    const db = await makeVault(dir.path, 't=1,m=64,p=1,k=16', `80%:${OLD},20%:${OTHER}`);
    const before = sha256File(db);
    const wrong: Argon2Config = { iterations: 1, memoryKiB: 64, parallelism: 1 }; // k=32

    const { onProgress: _rotationProgress, ...options } = rotationOptions(db, {
      oldPassword: new TextEncoder().encode(OLD),
      openConfig: wrong,
    });
    const preflight = await preflightRotation(options);
    expect(preflight.sampled).toBeGreaterThan(0);
    expect(preflight.opened).toBe(0);

    expect(preflight).toMatchObject({ canRotate: false, refusal: 'nothing-opened' });
    const attempt = (scanAnyway: boolean) =>
      rotateVault(
        rotationOptions(db, {
          oldPassword: new TextEncoder().encode(OLD),
          newPassword: new TextEncoder().encode(NEW),
          openConfig: wrong,
          workers: 2,
          scanAnyway,
        }),
      );
    await expect(attempt(false)).rejects.toMatchObject({ code: 'NOTHING_OPENED' });
    expect(await attempt(true)).toMatchObject({ status: 'nothing-opened', rotated: 0 });
    expect(sha256File(db)).toBe(before);
  });
});
