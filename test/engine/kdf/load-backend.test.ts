import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadArgon2idBackend } from '../../../src/engine/kdf/index.js';
import { passwordBytes, vectorConfig, vectors } from '../../support/vectors.js';

const here = dirname(fileURLToPath(import.meta.url));
const tinyVector = vectors.v2.find((v) => v.id === 'tiny/unicode')!;

async function keyHex(preference: 'auto' | 'native' | 'wasm'): Promise<string> {
  const backend = await loadArgon2idBackend(preference);
  const key = await backend.deriveKey(
    passwordBytes(tinyVector),
    Buffer.from(tinyVector.salt_hex, 'hex'),
    vectorConfig('tiny'),
  );
  return Buffer.from(key).toString('hex');
}

describe('loadArgon2idBackend', () => {
  it("'auto' (the default) picks native here, and loads once", async () => {
    const auto = await loadArgon2idBackend();
    expect(auto.name).toBe('native');
    expect(await loadArgon2idBackend('auto')).toBe(auto);
    expect(await keyHex('auto')).toBe(tinyVector.key_hex);
  });

  it.each(['native', 'wasm'] as const)("'%s' forced gives that backend", async (name) => {
    const backend = await loadArgon2idBackend(name);
    expect(backend.name).toBe(name);
    expect(await loadArgon2idBackend(name)).toBe(backend);
    expect(await keyHex(name)).toBe(tinyVector.key_hex);
  });

  it('without the native module: auto falls back to wasm, native is NATIVE_UNAVAILABLE', async () => {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        tsx,
        '--import',
        pathToFileURL(join(here, 'without-native/block-native-module.ts')).href,
        join(here, 'without-native/report-backends.ts'),
      ],
      { timeout: 60_000 },
    );
    const report = JSON.parse(stdout) as Record<string, string | null>;
    expect(report).toMatchObject({
      auto: 'wasm',
      autoKey: vectors.v2.find((v) => v.id === 'tiny/ascii')!.key_hex,
      nativeCode: 'NATIVE_UNAVAILABLE',
    });
    expect(report.nativeMessage).toMatch(/cannot be loaded.*WebAssembly/);
  });
});
