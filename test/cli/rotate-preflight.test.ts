/**
 * `rotate`'s pre-flight listeners (PreflightShown) on one machine and for a
 * distributed coordinator (`rotate --queue`): the pass's progress is held
 * until the check's result let it start, except a coordinator's that ran no
 * check (it re-attached to a running rotation), whose progress is shown as it
 * comes. Real parsed command lines; the output collected.
 */
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/cli/args.js';
import { PreflightShown } from '../../src/cli/commands/rotate-preflight.js';
import type { PreflightResult } from '../../src/engine/index.js';
import { collectedIo } from './support/collected-io.js';

const PG = 'postgres://admin@db.example:5432/app';

function rotateArgs(extra: string[]) {
  const invocation = parseCommandLine(['rotate', PG, '--table', 'vault', '--json', ...extra]);
  if (invocation.command !== 'rotate') throw new Error('not rotate');
  return invocation.args;
}

const passed = {
  table: 'vault',
  total: 100,
  sampled: 16,
  opened: 16,
  canRotate: true,
  cancelled: false,
  refusal: null,
} as unknown as PreflightResult;

describe('the pre-flight listeners of rotate', () => {
  it('hold the pass’s progress until the check passed, on one machine and for a coordinator', () => {
    for (const extra of [[], ['--queue', 'redis://localhost:6390']]) {
      const shown: number[] = [];
      const { io, out } = collectedIo();
      const preflight = new PreflightShown<number>(
        rotateArgs(extra),
        io,
        new AbortController().signal,
        (progress) => shown.push(progress),
      );
      const listeners = preflight.listeners();
      listeners.onPreflightProgress?.({ phase: 'checking' } as never);
      listeners.onPreflight!(passed);
      listeners.onProgress(1);
      expect(shown).toEqual([1]);
      expect(out()).toMatch(/"type":"preflight"/);
    }
  });

  it('a coordinator that ran no check (re-attached) shows its progress at once', () => {
    const shown: number[] = [];
    const preflight = new PreflightShown<number>(
      rotateArgs(['--queue', 'redis://localhost:6390']),
      collectedIo().io,
      new AbortController().signal,
      (progress) => shown.push(progress),
    );
    preflight.listeners().onProgress(7);
    expect(shown).toEqual([7]);
  });

  it('one machine’s progress before its check is held, then shown once the check passed', () => {
    const shown: number[] = [];
    const preflight = new PreflightShown<number>(
      rotateArgs([]),
      collectedIo().io,
      new AbortController().signal,
      (progress) => shown.push(progress),
    );
    const listeners = preflight.listeners();
    listeners.onProgress(0);
    expect(shown).toEqual([]);
    listeners.onPreflight!(passed);
    expect(shown).toEqual([0]);
  });
});
