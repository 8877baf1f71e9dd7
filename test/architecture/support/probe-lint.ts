/**
 * The real ESLint with the project's own config, for probe files that do
 * not exist: what one rule reports for a piece of code at a given path.
 */
import { join, resolve } from 'node:path';
import { ESLint } from 'eslint';

export const root = resolve(import.meta.dirname, '../../..');

/**
 * Probe files do not exist, so the type checker has no project for them: the
 * type-aware rules (not what the probes are about) are off.
 */
export function probeLinter(): ESLint {
  return new ESLint({
    cwd: root,
    overrideConfig: {
      files: ['**/*.ts', '**/*.tsx', '**/*.mts'],
      languageOptions: { parserOptions: { projectService: false } },
      rules: {
        '@typescript-eslint/no-floating-promises': 'off',
        '@typescript-eslint/no-misused-promises': 'off',
        '@typescript-eslint/switch-exhaustiveness-check': 'off',
      },
    },
  });
}

/** The messages of `rule` for `code` as if it lived at `file` (relative to the root). */
export async function ruleMessages(
  eslint: ESLint,
  rule: string,
  file: string,
  code: string,
): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  if (!result) throw new Error(`ESLint returned no result for ${file}`);
  // A probe ESLint could not parse reports no rule at all: that must not pass as "allowed".
  const fatal = result.messages.find((message) => message.fatal === true);
  if (fatal) throw new Error(`ESLint could not lint ${file}: ${fatal.message}`);
  return result.messages
    .filter((message) => message.ruleId === rule)
    .map((message) => message.message);
}
