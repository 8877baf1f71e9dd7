/**
 * Bundles every worker thread of the desktop app into one self-contained
 * CommonJS file each, out/main/workers/<name>.cjs (run by electron.vite.config.ts
 * after the main bundle is written).
 *
 * Why: the packaged app keeps out/main inside app.asar, where Electron checks
 * its integrity, but a worker thread cannot load modules from the archive.
 * So main reads a worker's bundle from the archive and starts the thread from
 * that code in memory (src/engine/worker-script.ts). The bundle therefore
 * imports nothing of out/main and no JavaScript package: only Node's built-ins
 * and the packages below, which load native or wasm files of their own and
 * are unpacked (electron-builder.yml asarUnpack); the thread requires them
 * through the `require` the worker-script prelude gives it.
 *
 * Usage: node scripts/build-workers.mjs [--outdir DIR]   (default out/main/workers)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Packages a worker bundle leaves to `require` at run time: they load .node or .wasm files by path. */
export const UNBUNDLED_PACKAGES = ['better-sqlite3', '@node-rs/argon2', 'sql.js'];

/**
 * The identifier the bundles read instead of `import.meta.url` (CommonJS has none);
 * the worker-script prelude defines it as the bundle's file URL.
 */
export const MODULE_URL_NAME = '__vaultstoreWorkerUrl';

/**
 * The unbundled packages through `require`, also where the engine imports them with import():
 * an import() in code started from memory would resolve from the working folder.
 * @type {import('esbuild').Plugin}
 */
const requireUnbundled = {
  name: 'require-unbundled',
  setup(build) {
    const filter = new RegExp(
      `^(${UNBUNDLED_PACKAGES.map((name) => name.replace(/[/.]/g, '\\$&')).join('|')})$`,
    );
    build.onResolve({ filter }, ({ path, kind }) =>
      kind === 'require-call' ? { path, external: true } : { path, namespace: 'unbundled' },
    );
    build.onLoad({ filter: /.*/, namespace: 'unbundled' }, ({ path }) => ({
      contents: `module.exports = require(${JSON.stringify(path)});`,
      loader: 'js',
    }));
  },
};

/**
 * Every worker module the app starts: the source paths ('engine/pool/crypto-worker.ts', ...)
 * written in files under src/engine and src/main that use spawnWorker, so a new worker is never
 * left out of the build.
 * @returns {Record<string, string>} worker name -> source file
 */
export function appWorkerEntries(src = join(root, 'src')) {
  /** @type {Record<string, string>} */
  const entries = {};
  const workerSource = /['"]((?:engine|main)\/[\w./-]+\.ts)['"]/g;
  for (const folder of ['engine', 'main']) {
    for (const entry of readdirSync(join(src, folder), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
      const text = readFileSync(join(entry.parentPath, entry.name), 'utf8');
      if (!text.includes('spawnWorker')) continue;
      for (const match of text.matchAll(workerSource)) {
        const file = resolve(src, /** @type {string} */ (match[1]));
        if (!existsSync(file)) continue;
        const name = basename(file, '.ts');
        if (entries[name] && entries[name] !== file) {
          throw new Error(
            `Two workers share the basename "${name}"; worker bundles need unique names.`,
          );
        }
        entries[name] = file;
      }
    }
  }
  return entries;
}

/**
 * @param {Record<string, string>} entries worker name -> source file
 * @param {{ outdir: string }} options
 */
export async function buildWorkers(entries, { outdir }) {
  await build({
    absWorkingDir: root,
    entryPoints: entries,
    outdir,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    // pg's optional native client is never installed; pg falls back to JavaScript when require fails.
    external: ['pg-native'],
    plugins: [requireUnbundled],
    define: { 'import.meta.url': MODULE_URL_NAME },
    splitting: false,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'error',
  });
  return { outdir, entries: Object.keys(entries) };
}

const invokedDirectly =
  process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url;
if (invokedDirectly) {
  try {
    const { values } = parseArgs({ options: { outdir: { type: 'string' } } });
    await buildWorkers(appWorkerEntries(), {
      outdir: values.outdir ? resolve(values.outdir) : join(root, 'out/main/workers'),
    });
  } catch (error) {
    console.error(
      `build-workers: ${error instanceof Error ? error.message.split('\n')[0] : error}`,
    );
    process.exitCode = 1;
  }
}
