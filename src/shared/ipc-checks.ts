/**
 * The building blocks of the IPC argument checks (ipc-validation.ts): each
 * throws with a message that names the field and never echoes its value;
 * `validated` turns that into an INVALID_ARGUMENT result at the edge.
 */
import { INVALID_ARGUMENT } from '../core/error-codes.js';
import type { IpcError, IpcResult } from './ipc-types.js';

/** Thrown by the checks only; turned into an IpcResult at the edge (`validated`). */
class InvalidArgument extends Error {}

export function fail(message: string): never {
  throw new InvalidArgument(message);
}

export type Fields = Record<string, unknown>;

export function plainObject(
  value: unknown,
  name: string,
  required: readonly string[],
  optional: readonly string[] = [],
): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(`${name} must be an object.`);
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) fail(`${name} must be a plain object.`);
  if (Object.getOwnPropertySymbols(value).length > 0) fail(`${name} has unexpected symbol keys.`);
  const allowed = new Set([...required, ...optional]);
  const unexpected = Object.keys(value).filter((key) => !allowed.has(key));
  if (unexpected.length > 0)
    fail(`${name} has unexpected field(s): ${unexpected.slice(0, 5).join(', ')}.`);
  const fields = value as Fields;
  for (const key of required) {
    if (!Object.hasOwn(fields, key)) fail(`${name}.${key} is missing.`);
  }
  return fields;
}

export function boundedString(
  value: unknown,
  name: string,
  minChars: number,
  maxChars: number,
): string {
  if (typeof value !== 'string') fail(`${name} must be text.`);
  if (value.length < minChars) fail(`${name} must not be empty.`);
  if (value.length > maxChars) fail(`${name} is too long (at most ${maxChars} characters).`);
  return value;
}

export function boolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') fail(`${name} must be true or false.`);
  return value;
}

export function integer(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value))
    fail(`${name} must be a whole number.`);
  if (value < min || value > max) fail(`${name} must be between ${min} and ${max}.`);
  return value;
}

/** POSIX "/x", Windows "C:\x" or "C:/x". */
export function looksAbsolute(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path);
}

/**
 * UNC "\\server\share", "//server/share" and Windows device paths "\\?\", "\\.\":
 * opening one contacts another machine (and may hand it the user's credentials).
 */
export function isNetworkOrDevicePath(path: string): boolean {
  return /^[\\/]{2}/.test(path);
}

export function invalidArgument(message: string): IpcError {
  return {
    code: INVALID_ARGUMENT,
    message: `The app sent an invalid request: ${message} Restart the app; report this if it repeats.`,
  };
}

export function validated<T>(check: () => T, context: string): IpcResult<T> {
  try {
    return { ok: true, value: check() };
  } catch (error) {
    if (error instanceof InvalidArgument)
      return { ok: false, error: invalidArgument(`${context}: ${error.message}`) };
    throw error;
  }
}

/** Checks one argument; throws (inside `validated`) with a message naming the field. */
export type ArgSchema<T> = (value: unknown) => T;
/** Checks a whole argument list, its length included. */
export type ArgsSchema<A extends readonly unknown[]> = (raw: readonly unknown[]) => A;

/** The schema of an argument list: one schema per position, nothing more, nothing less. */
export function argsOf<A extends unknown[]>(
  ...schemas: { [K in keyof A]: ArgSchema<A[K]> }
): ArgsSchema<A> {
  return (raw) => {
    if (raw.length !== schemas.length)
      fail(`takes ${schemas.length} argument(s), got ${raw.length}.`);
    return schemas.map((schema, index) => schema(raw[index])) as A;
  };
}

/** Runs an argument-list schema; a refusal becomes INVALID_ARGUMENT naming `context`. */
export function validateArguments<A extends readonly unknown[]>(
  schema: ArgsSchema<A>,
  raw: readonly unknown[],
  context: string,
): IpcResult<A> {
  return validated(() => schema(raw), context);
}
