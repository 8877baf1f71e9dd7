/**
 * Typed reads of parsed option values, shared by every command's parser. Each
 * mistake is a UsageError that names the option and never repeats its value
 * (a password typed in the wrong place must not be printed back).
 */
import type { PasswordSource } from './arg-types.js';
import { UsageError } from './cli-error.js';
import type { CommandName } from './options.js';

export type Values = Record<string, string | boolean | undefined>;

export function stringValue(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function flag(values: Values, name: string): boolean {
  return values[name] === true;
}

export function nonEmpty(values: Values, name: string, command: CommandName): string | undefined {
  const value = stringValue(values, name);
  if (value !== undefined && value.trim() === '') {
    throw new UsageError(`--${name} needs a value.`, command);
  }
  return value;
}

export function integerOption(
  values: Values,
  name: string,
  min: number,
  max: number,
  command: CommandName,
): number | undefined {
  const value = stringValue(values, name);
  if (value === undefined) return undefined;
  const number = /^[0-9]+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new UsageError(
      `--${name} must be a whole number from ${min} to ${max}. The value given is not shown (it may be a password typed in the wrong place).`,
      command,
    );
  }
  return number;
}

export function choiceOption<T extends string>(
  values: Values,
  name: string,
  choices: readonly T[],
  command: CommandName,
): T {
  const value = stringValue(values, name) ?? 'auto';
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(
      `--${name} must be one of ${choices.join(', ')}. The value given is not shown (it may be a password typed in the wrong place).`,
      command,
    );
  }
  return value as T;
}

export function passwordSource(
  values: Values,
  prefix: string,
  command: CommandName,
): PasswordSource {
  const variable = nonEmpty(values, `${prefix}-env`, command);
  const path = nonEmpty(values, `${prefix}-file`, command);
  if (variable !== undefined && path !== undefined) {
    throw new UsageError(`give --${prefix}-env or --${prefix}-file, not both.`, command);
  }
  if (variable !== undefined) return { kind: 'env', variable };
  if (path === '-') return { kind: 'stdin' };
  if (path !== undefined) return { kind: 'file', path };
  return { kind: 'prompt' };
}

export const KDF_CHOICES = ['auto', 'native', 'wasm'] as const;

export const MAX_WORKERS = 256;

/** The engine's limit (2^31-1 ms), in whole seconds. */
export const MAX_SERVER_TIMEOUT_S = 2_147_483;
