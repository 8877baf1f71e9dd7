/**
 * Starts a worker_threads worker from a source module under src/.
 *
 * Electron main bundle: every worker is a self-contained CommonJS bundle,
 * `workers/<basename>.cjs` next to main's bundle (scripts/build-workers.mjs).
 * In the packaged app that folder is inside app.asar, whose integrity Electron
 * checks, and a worker thread cannot load modules from the archive; so the
 * code is read here (Electron's fs reads inside the archive) and the thread is
 * started from that code in memory. A worker that starts workers of its own
 * (the engine host starts the crypto pool) gets their code with its own, and
 * the unpacked native packages are required from app.asar.unpacked.
 * CLI bundle: every worker is `<basename>.mjs` next to the bundle.
 * From source (vitest, tsx): Node's own type stripping does not map the
 * sources' `.js` import specifiers to the .ts files, so the worker first
 * registers tsx's loader and then imports the .ts module.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { EngineError } from './errors.js';

const here = dirname(fileURLToPath(import.meta.url));
const BUILT_EXTENSIONS = ['.js', '.mjs', '.cjs'];
/** Where main's worker bundles are, relative to main's bundle. */
export const WORKER_BUNDLE_FOLDER = 'workers';
/** The code of the workers this thread may start, when it was itself started from code in memory. */
const INHERITED_BUNDLES = Symbol.for('vaultstore-admin.worker-bundles');
/** Must match MODULE_URL_NAME in scripts/build-workers.mjs: the bundles' `import.meta.url`. */
const MODULE_URL_NAME = '__vaultstoreWorkerUrl';
/** A spawnWorker source path in a bundle's code: the workers that bundle starts. */
const WORKER_SOURCE_LITERAL = /["'](?:engine|main)\/[\w./-]+\.ts["']/g;

/** A worker bundle's code and the file it was read from (native packages resolve from there). */
export interface WorkerBundle {
  readonly code: string;
  readonly file: string;
}

/** The same path in app.asar.unpacked when it points into an app.asar archive. */
export function unpackedPath(path: string): string {
  return path.replace(/([\\/])app\.asar(?=[\\/]|$)/, '$1app.asar.unpacked');
}

/** The built worker `name` next to a bundle in `folder` (the CLI's `<name>.mjs`). */
export function builtWorkerFile(folder: string, name: string): string | null {
  for (const extension of BUILT_EXTENSIONS) {
    const built = join(folder, name + extension);
    if (existsSync(built)) return built;
  }
  return null;
}

/** Reads a file as main does; in Electron's main process this reads inside app.asar. */
export type ReadCode = (path: string) => string;
const readCode: ReadCode = (path) => readFileSync(path, 'utf8');

/**
 * The bundle `name` in `folder` and every bundle it may start (transitively),
 * by name; null when `folder` has no bundle `name`.
 */
export function readWorkerBundles(
  folder: string,
  name: string,
  read: ReadCode = readCode,
): Map<string, WorkerBundle> | null {
  const bundles = new Map<string, WorkerBundle>();
  const visit = (next: string): void => {
    if (bundles.has(next)) return;
    const file = join(folder, next + '.cjs');
    let code: string;
    try {
      code = read(file);
    } catch {
      return; // a source path in the code that names no worker bundle
    }
    bundles.set(next, { code, file });
    for (const [literal] of code.matchAll(WORKER_SOURCE_LITERAL)) {
      visit(basename(literal.slice(1, -1), '.ts'));
    }
  };
  visit(name);
  return bundles.has(name) ? bundles : null;
}

/**
 * Starts bundles.get(name) in a thread from its code in memory. The thread gets a `require`
 * that resolves from the bundle's place (app.asar.unpacked when it was read from app.asar: the
 * unpacked native packages) and the code of the other bundles, for the workers it starts.
 */
export function startWorkerBundle(
  bundles: ReadonlyMap<string, WorkerBundle>,
  name: string,
  options: WorkerOptions = {},
): Worker {
  const bundle = bundles.get(name);
  if (!bundle) throw new EngineError('INTERNAL', `No worker bundle named ${name}.`);
  const others = [...bundles].filter(([other]) => other !== name);
  const file = unpackedPath(bundle.file);
  const prelude =
    `globalThis[Symbol.for(${JSON.stringify(INHERITED_BUNDLES.description)})] = new Map(${JSON.stringify(others)});\n` +
    `(function (require, ${MODULE_URL_NAME}) {\n`;
  const epilogue =
    `\n})(require('node:module').createRequire(${JSON.stringify(file)}), ` +
    `${JSON.stringify(pathToFileURL(file).href)});\n`;
  return new Worker(prelude + bundle.code + epilogue, { ...options, eval: true });
}

const bundleCache = new Map<string, Map<string, WorkerBundle> | null>();

/**
 * Main's worker bundles, read once per process: every job starts an engine host, and
 * re-reading ~2 MB of code synchronously each time would block Electron's main thread.
 */
function cachedWorkerBundles(name: string): Map<string, WorkerBundle> | null {
  if (!bundleCache.has(name)) {
    bundleCache.set(name, readWorkerBundles(join(here, WORKER_BUNDLE_FOLDER), name));
  }
  return bundleCache.get(name) ?? null;
}

function inheritedBundles(): ReadonlyMap<string, WorkerBundle> | undefined {
  return (globalThis as { [INHERITED_BUNDLES]?: Map<string, WorkerBundle> })[INHERITED_BUNDLES];
}

/** @param sourcePath path of the worker module relative to src/, e.g. "engine/pool/crypto-worker.ts" */
export function spawnWorker(sourcePath: string, options: WorkerOptions = {}): Worker {
  const name = basename(sourcePath, '.ts');
  const inherited = inheritedBundles();
  if (inherited?.has(name)) return startWorkerBundle(inherited, name, options);
  const bundles = cachedWorkerBundles(name);
  if (bundles) return startWorkerBundle(bundles, name, options);
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
