/**
 * Whole-process rotations, two CLI bundles side by side (issue 20's one
 * pre-flight): default-preset bench vaults of each size, a fresh copy per
 * run, the bundles alternating; prints each one's median wall time and the
 * Argon2id derivations it spent against those the vault needs (one per v2
 * record tested, one per record written, plus the two canaries).
 * A bundle whose summary lacks `derivationsReused` ran its pre-flight as a
 * separate job: that job's sample (one derivation per v2 record tested) is
 * added to its count.
 * Usage: node --import tsx scripts/rotate-timing.ts <before.mjs> <after.mjs> [sizes=40,200] [runs=3]
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BENCH_NEW_PASSWORD,
  BENCH_OLD_PASSWORD,
  derivationsNeeded,
  generateBenchVault,
} from '../bench/bench-vault.js';
import { ARGON2_PRESETS } from '../src/core/argon2.js';

interface Run {
  readonly ms: number;
  readonly derivations: number;
}

type JsonLine = Record<string, unknown> & { type?: string };

function rotateOnce(bundle: string, vault: string, folder: string, name: string): Run {
  const copy = join(folder, `${name}.db`);
  copyFileSync(vault, copy);
  const startedAt = process.hrtime.bigint();
  const run = spawnSync(
    process.execPath,
    [
      bundle,
      'rotate',
      copy,
      '--old-password-file',
      join(folder, 'old.txt'),
      '--new-password-file',
      join(folder, 'new.txt'),
      '--no-backup',
      '--json',
    ],
    { encoding: 'utf8' },
  );
  const ms = Number(process.hrtime.bigint() - startedAt) / 1e6;
  rmSync(copy, { force: true });
  if (run.status !== 0) throw new Error(`${bundle} exited with ${run.status}: ${run.stderr}`);
  const lines = run.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as JsonLine);
  const summary = lines.find((line) => line.type === 'summary')!;
  const preflight = lines.find((line) => line.type === 'preflight');
  const v2 = (preflight?.v2 ?? { sampled: 0, malformed: 0 }) as Record<string, number>;
  const separate = summary.derivationsReused === undefined ? v2.sampled! - v2.malformed! : 0;
  const derivations = Number(summary.derivations) + Number(summary.checkDerivations) + separate;
  return { ms, derivations };
}

const median = (values: readonly number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

const [before, after, sizes = '40,200', runs = '3'] = process.argv.slice(2);
if (!before || !after) {
  throw new Error('usage: rotate-timing.ts <before.mjs> <after.mjs> [sizes=40,200] [runs=3]');
}
const folder = mkdtempSync(join(tmpdir(), 'vsa-rotate-timing-'));
try {
  writeFileSync(join(folder, 'old.txt'), BENCH_OLD_PASSWORD, { mode: 0o600 });
  writeFileSync(join(folder, 'new.txt'), BENCH_NEW_PASSWORD, { mode: 0o600 });
  for (const size of sizes.split(',').map(Number)) {
    const path = join(folder, `vault-${size}.db`);
    const vault = await generateBenchVault(path, size, ARGON2_PRESETS.default, false);
    const needed = derivationsNeeded(vault);
    const results: Record<'before' | 'after', Run[]> = { before: [], after: [] };
    for (let i = 0; i < Number(runs); i++) {
      // Alternating which goes first, so neither always runs on a machine the other warmed.
      const order = i % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const);
      for (const which of order) {
        const bundle = which === 'before' ? before : after;
        results[which].push(rotateOnce(bundle, path, folder, `${which}-${i}`));
      }
    }
    const line = (which: 'before' | 'after'): string =>
      `${which} ${(median(results[which].map((run) => run.ms)) / 1000).toFixed(2)} s, ` +
      `${median(results[which].map((run) => run.derivations))} derivations`;
    process.stdout.write(
      `${size} records (needs ${needed.tested} tests + ${needed.written} writes + 2 canaries = ` +
        `${needed.tested + needed.written + 2}): ${line('before')}; ${line('after')} ` +
        `(median of ${runs}); after/before ` +
        `${(median(results.after.map((run) => run.ms)) / median(results.before.map((run) => run.ms))).toFixed(2)}\n`,
    );
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}
