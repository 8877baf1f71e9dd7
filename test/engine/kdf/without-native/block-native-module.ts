/**
 * Preload (node --import) that makes @node-rs/argon2 unresolvable in this
 * process, as on a platform without its prebuilt binary.
 */
import Module from 'node:module';

type ResolveFilename = (request: string, ...rest: unknown[]) => string;
const loader = Module as unknown as { _resolveFilename: ResolveFilename };
const resolveFilename = loader._resolveFilename;

loader._resolveFilename = (request: string, ...rest: unknown[]): string => {
  if (request === '@node-rs/argon2') {
    throw Object.assign(new Error(`Cannot find module '${request}'`), { code: 'MODULE_NOT_FOUND' });
  }
  return resolveFilename.call(loader, request, ...rest);
};
