/**
 * Starts a worker_threads worker from a source module under src/.
 *
 * Built (CLI bundle, Electron main bundle): every worker is emitted as
 * `<basename>.js` (or .mjs) next to the bundle that contains this module.
 * Packaged app: that folder is inside app.asar, but the workers are unpacked
 * (electron-builder.yml asarUnpack) because a worker thread's module loader
 * does not read the archive; they run from app.asar.unpacked.
 * From source (vitest, tsx): Node's own type stripping does not map the
 * sources' `.js` import specifiers to the .ts files, so the worker first
 * registers tsx's loader and then imports the .ts module.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { EngineError } from './errors.js';

const here = dirname(fileURLToPath(import.meta.url));
const BUILT_EXTENSIONS = ['.js', '.mjs', '.cjs'];

/** The same path in app.asar.unpacked when it points into an app.asar archive. */
export function unpackedPath(path: string): string {
  return path.replace(/([\\/])app\.asar(?=[\\/]|$)/, '$1app.asar.unpacked');
}

/** The built worker `name` for a bundle in `folder`: unpacked copy first, then next to the bundle. */
export function builtWorkerFile(folder: string, name: string): string | null {
  const unpacked = unpackedPath(folder);
  const folders = unpacked === folder ? [folder] : [unpacked, folder];
  for (const candidate of folders) {
    for (const extension of BUILT_EXTENSIONS) {
      const built = join(candidate, name + extension);
      if (existsSync(built)) return built;
    }
  }
  return null;
}

/** @param sourcePath path of the worker module relative to src/, e.g. "engine/pool/rotation-worker.ts" */
export function spawnWorker(sourcePath: string, options: WorkerOptions = {}): Worker {
  const name = basename(sourcePath, '.ts');
  const built = builtWorkerFile(here, name);
  if (built) return new Worker(built, options);
  // Running from source: this file is src/engine/worker-script.ts.
  const source = join(here, '..', sourcePath);
  if (!existsSync(source)) {
    throw new EngineError(
      'INTERNAL',
      `The worker script ${name} is missing next to ${here}. Rebuild the app (npm run build).`,
    );
  }
  // The ESM entry: tsx's CommonJS API registers its loader from a wrong relative path.
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)})
  .then((api) => { api.register(); return import(${JSON.stringify(pathToFileURL(source).href)}); })
  .catch((error) => { console.error(error); process.exit(70); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
