/**
 * The vaults the benchmark rotates. Passwords here are throwaway benchmark
 * constants known to parent and child processes alike: nothing secret is
 * passed between them.
 */
import type { Argon2Config } from '../src/engine/index.js';
import { generateVault, type GeneratedVault, type PasswordShare } from './vault-generator.js';

export const BENCH_OLD_PASSWORD = 'bench-old-password-0123456789';
export const BENCH_NEW_PASSWORD = 'bench-new-password-0123456789';
export const BENCH_OTHER_PASSWORD = 'bench-other-password-0123456789';

/** Mixed passwords, some v1: 60% old (v2), 10% old (v1), 30% another password. */
export const MIXED: readonly PasswordShare[] = [
  { password: BENCH_OLD_PASSWORD, share: 0.6, version: 'v2' },
  { password: BENCH_OLD_PASSWORD, share: 0.1, version: 'v1' },
  { password: BENCH_OTHER_PASSWORD, share: 0.3, version: 'v2' },
];

/**
 * No soft-deleted records: the reference rotation skips them, so with none
 * both implementations do the same work on identical copies.
 */
export function generateBenchVault(
  path: string,
  records: number,
  config: Argon2Config,
  fast: boolean,
): Promise<GeneratedVault> {
  return generateVault({
    path,
    records,
    config,
    mix: MIXED,
    softDeletedShare: 0,
    expiredShare: 0.1,
    ...(fast ? { saltsPerPassword: 256 } : {}),
  });
}

/** Argon2id derivations a rotation of this vault needs: one per v2 record tested, one per record written. */
export function derivationsNeeded(vault: GeneratedVault): { tested: number; written: number } {
  let tested = 0;
  let written = 0;
  for (const [password, counts] of Object.entries(vault.byPassword)) {
    tested += counts.v2;
    if (password === BENCH_OLD_PASSWORD) written += counts.v1 + counts.v2;
  }
  return { tested, written };
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
