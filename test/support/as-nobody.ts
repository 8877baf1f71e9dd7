/**
 * Root ignores file permissions, so as root the read-only tests run their
 * child process as the unprivileged user "nobody" (uid/gid 65534). That user
 * must reach everything the child touches, wherever the checkout lives (a
 * clone in a 0700 home folder is out of its reach): the code runs from a
 * copy in a fresh folder under os.tmpdir(), with node_modules linked to its
 * real location, or, where "nobody" cannot reach that (a private checkout), to
 * a copy of the runtime packages made once per test process. When even that
 * is out of reach, tests skip with the reason.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { NOBODY, runningAsRoot } from '../../tools/db-servers/server-user.js';

export { NOBODY, runningAsRoot };
/** spawn options that switch to "nobody" when running as root */
export const asNobody = runningAsRoot ? { uid: NOBODY, gid: NOBODY } : {};

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface NobodyFolder {
  /** a fresh folder (mode 0755) under os.tmpdir() */
  readonly path: string;
  dispose(): void;
}

/** A fresh 0755 folder under os.tmpdir() holding a link to node_modules "nobody" can read. */
export function nobodyFolder(prefix: string): NobodyFolder {
  const path = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(path, 0o755);
  symlinkSync(readableNodeModules(), join(path, 'node_modules'), 'dir');
  return { path, dispose: () => rmSync(path, { recursive: true, force: true }) };
}

let runtimeCopy: string | null = null;

/**
 * The checkout's node_modules when "nobody" can read it; else (a checkout in a private
 * folder) a copy, made once per process, of the runtime dependencies and what they need.
 */
function readableNodeModules(): string {
  const real = realpathSync(join(repoRoot, 'node_modules'));
  if (whyNobodyCannotRead(nodeModulesFiles(repoRoot)) === null) return real;
  if (runtimeCopy === null) {
    const folder = mkdtempSync(join(tmpdir(), 'vsa-nobody-modules-'));
    chmodSync(folder, 0o755);
    process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
    const target = join(folder, 'node_modules');
    for (const name of runtimeClosure(real)) {
      cpSync(join(real, name), join(target, name), { recursive: true, dereference: true });
    }
    runtimeCopy = target;
  }
  return runtimeCopy;
}

/** The package.json dependencies and, transitively, theirs (optional ones where installed). */
function runtimeClosure(nodeModules: string): string[] {
  const seen = new Set<string>();
  const manifest = (dir: string) =>
    JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
  const visit = (names: Iterable<string>): void => {
    for (const name of names) {
      if (seen.has(name) || !existsSync(join(nodeModules, name, 'package.json'))) continue;
      seen.add(name);
      const { dependencies = {}, optionalDependencies = {} } = manifest(join(nodeModules, name));
      visit([...Object.keys(dependencies), ...Object.keys(optionalDependencies)]);
    }
  };
  visit(Object.keys(manifest(repoRoot).dependencies ?? {}));
  return [...seen];
}

/**
 * Why "nobody" cannot read `paths` (through every folder above them), or null
 * when it can (or when not running as root: then the child runs as us).
 */
export function whyNobodyCannotRead(paths: readonly string[]): string | null {
  if (!runningAsRoot) return null;
  const child = spawnSync(
    process.execPath,
    [
      '-e',
      'const fs = require("node:fs"); for (const p of process.argv.slice(1)) fs.accessSync(p, fs.constants.R_OK);',
      ...paths,
    ],
    { ...asNobody, cwd: tmpdir(), encoding: 'utf8', timeout: 30_000 },
  );
  if (child.error) return `node cannot run as user "nobody" (${child.error.message})`;
  if (child.status === 0) return null;
  const detail = /Error: (.*)/.exec(child.stderr)?.[1] ?? child.stderr.trim().split('\n')[0];
  return `user "nobody" cannot read what the test runs (${detail})`;
}

/** The files a child needs from node_modules: the native and WebAssembly SQLite drivers. */
export function nodeModulesFiles(folder: string): string[] {
  return ['better-sqlite3/package.json', 'sql.js/dist/sql-wasm.wasm'].map((file) =>
    join(folder, 'node_modules', file),
  );
}

export interface NobodyCopy {
  /** the file to run with node */
  readonly entry: string;
  /** a working folder "nobody" can enter (the checkout may not be one) */
  readonly cwd: string;
  /** why "nobody" cannot run it (the tests skip with it), or null */
  readonly skipReason: string | null;
  dispose(): void;
}

/** A built CLI folder (test/support/cli.ts) copied where "nobody" can run it. */
export function copyBuiltCliForNobody(builtDir: string, entryName: string): NobodyCopy {
  const folder = nobodyFolder('vsa-nobody-cli-');
  const cliDir = join(folder.path, 'cli');
  cpSync(builtDir, cliDir, { recursive: true });
  const entry = join(cliDir, entryName);
  return {
    entry,
    cwd: folder.path,
    skipReason: whyNobodyCannotRead([entry, ...nodeModulesFiles(folder.path)]),
    dispose: folder.dispose,
  };
}

/** A test probe (TypeScript importing src/) bundled where "nobody" can run it with plain node. */
export async function bundleProbeForNobody(source: string): Promise<NobodyCopy> {
  const folder = nobodyFolder('vsa-nobody-probe-');
  const entry = join(folder.path, 'probe.mjs');
  await build({
    absWorkingDir: repoRoot,
    entryPoints: [source],
    outfile: entry,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    packages: 'external',
    logLevel: 'silent',
  });
  return {
    entry,
    cwd: folder.path,
    skipReason: whyNobodyCannotRead([entry, ...nodeModulesFiles(folder.path)]),
    dispose: folder.dispose,
  };
}
