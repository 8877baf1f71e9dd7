/**
 * Bundles the headless CLI and the benchmark with esbuild:
 *   src/cli/main.ts -> out/cli/vaultstore-admin.mjs
 *   bench/index.ts  -> out/cli/bench.mjs (its children: memory-child.mjs,
 *                      pool-rate-child.mjs)
 * plus every engine worker entry next to them as <basename>.mjs, where
 * src/engine/worker-script.ts looks for it (from whichever chunk holds it),
 * and the chunks they share or load later, <name>-<HASH>.mjs (import() keeps
 * a module out of start-up: the pg and mysql2 drivers load when a vault of
 * theirs is opened). Packages in node_modules stay external (native addons,
 * wasm). Quiet on success; exits non-zero on error.
 *
 * Usage: node scripts/build-cli.mjs [--outdir DIR]
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_OUTDIR = join(root, 'out', 'cli');
/** esbuild's default chunk names, [name]-[hash].mjs: the hash is 8 capitals or digits */
const CHUNK_NAME = /^[\w-]+-[A-Z0-9]{8}\.mjs$/;
/** a module path under src/ as spawnWorker takes it, e.g. 'engine/pool/crypto-worker.ts' */
const WORKER_SOURCE_LITERAL = /['"]((?:engine|cli)\/[\w./-]+\.ts)['"]/g;

function listTsFiles(folder) {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter(
      (entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'),
    )
    .map((entry) => join(entry.parentPath, entry.name));
}

/**
 * Worker entries: the pool's worker modules (src/engine/pool/*worker*.ts) and
 * every module named in the engine as spawnWorker takes it ('engine/.../x.ts',
 * directly or through a constant) that runs as a worker (uses parentPort).
 */
export function findWorkerEntries(srcDir = join(root, 'src')) {
  const engineDir = join(srcDir, 'engine');
  const entries = new Set();
  const poolDir = join(engineDir, 'pool');
  for (const file of listTsFiles(poolDir)) {
    if (/worker/i.test(basename(file)) && !/client|protocol|types/i.test(basename(file))) {
      if (/\bparentPort\b/.test(readFileSync(file, 'utf8'))) entries.add(file);
    }
  }
  for (const file of listTsFiles(engineDir)) {
    for (const [, sourcePath] of readFileSync(file, 'utf8').matchAll(WORKER_SOURCE_LITERAL)) {
      const candidate = join(srcDir, sourcePath);
      if (existsSync(candidate) && /\bparentPort\b/.test(readFileSync(candidate, 'utf8'))) {
        entries.add(candidate);
      }
    }
  }
  const byName = new Map();
  for (const file of entries) {
    const name = basename(file, '.ts');
    const other = byName.get(name);
    if (other && other !== file) {
      throw new Error(
        `two worker entries share the name ${name}: ${relative(root, other)} and ${relative(root, file)}; ` +
          'worker-script.ts finds workers by basename, so rename one.',
      );
    }
    byName.set(name, file);
  }
  return byName;
}

export async function buildCli({ outdir = DEFAULT_OUTDIR } = {}) {
  const entryPoints = {
    'vaultstore-admin': join(root, 'src/cli/main.ts'),
    bench: join(root, 'bench/index.ts'),
    'memory-child': join(root, 'bench/memory-child.ts'),
    'pool-rate-child': join(root, 'bench/pool-rate-child.ts'),
  };
  for (const [name, file] of findWorkerEntries()) {
    if (name in entryPoints) throw new Error(`worker ${name} clashes with a bundle name`);
    entryPoints[name] = file;
  }
  // Chunk names carry a hash: the previous build's would pile up.
  if (existsSync(outdir)) {
    for (const name of readdirSync(outdir)) {
      if (CHUNK_NAME.test(name)) rmSync(join(outdir, name), { force: true });
    }
  }
  await build({
    absWorkingDir: root,
    entryPoints,
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    packages: 'external',
    splitting: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'error',
  });
  return { outdir, entries: Object.keys(entryPoints) };
}

const invokedDirectly =
  process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url;
if (invokedDirectly) {
  try {
    const { values } = parseArgs({ options: { outdir: { type: 'string' } } });
    await buildCli({ outdir: values.outdir ? resolve(values.outdir) : DEFAULT_OUTDIR });
  } catch (error) {
    // esbuild has already printed its diagnostics; say what failed and fail.
    console.error(`build-cli: ${error instanceof Error ? error.message.split('\n')[0] : error}`);
    process.exitCode = 1;
  }
}
