/**
 * The max-lines guardrail in eslint.config.js (issue 17, one job per file),
 * tested with the real ESLint and the project's own config: a source module
 * past 400 non-blank lines fails lint, blank lines do not count, tests may be
 * long. No source file is exempt.
 */
import type { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { probeLinter, ruleMessages } from './support/probe-lint.js';

const LIMIT = 400;

let eslint: ESLint;

beforeAll(() => {
  eslint = probeLinter();
});

/** A module of `lines` one-line declarations, each followed by `blanks` blank lines. */
function moduleOf(lines: number, blanks = 0): string {
  const gap = '\n'.repeat(blanks);
  return Array.from({ length: lines }, (_, i) => `export const v${i} = ${i};\n${gap}`).join('');
}

function maxLinesErrors(file: string, code: string): Promise<string[]> {
  return ruleMessages(eslint, 'max-lines', file, code);
}

describe('max-lines (eslint.config.js)', () => {
  it.each(['src/engine/storage/probe.ts', 'src/renderer/components/probe.tsx'])(
    'fails a source module of %s past 400 non-blank lines',
    async (file) => {
      expect(await maxLinesErrors(file, moduleOf(LIMIT))).toEqual([]);
      const errors = await maxLinesErrors(file, moduleOf(LIMIT + 1));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain('Maximum allowed is 400');
    },
  );

  it('does not count blank lines', async () => {
    expect(await maxLinesErrors('src/engine/probe.ts', moduleOf(LIMIT, 2))).toEqual([]);
  });

  it('leaves tests, bench and tools long', async () => {
    for (const file of ['test/engine/probe.test.ts', 'bench/probe.ts', 'tools/probe.ts']) {
      expect(await maxLinesErrors(file, moduleOf(3 * LIMIT))).toEqual([]);
    }
  });
});
