#!/usr/bin/env node
/**
 * Builds better-sqlite3 for the installed Electron into
 * native/electron/better_sqlite3.node, which the app loads through
 * better-sqlite3's `nativeBinding` option (src/main/host/native-sqlite.ts).
 *
 * node_modules/better-sqlite3 stays built for Node, so tests and the CLI keep
 * working: the build happens in a temporary copy of the module. First a
 * prebuilt binary for Electron's ABI is fetched (prebuild-install, GitHub);
 * failing that, @electron/rebuild compiles it (Electron headers + a C++
 * toolchain). Both need internet. Without it this script fails softly: it
 * says so and exits 0, and the app uses the slower sql.js driver.
 *
 * Usage: node scripts/electron-native.mjs [--force] [--strict] [--require-electron]
 *   --force             rebuild even when an up-to-date build exists
 *   --strict            exit 1 when the build fails (CI, packaging checks)
 *   --require-electron  first make sure the Electron binary is there (downloading it);
 *                       exit 1 with one paragraph, before building, if it cannot be had
 *                       (`npm run dev`, which launches Electron afterwards)
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { requireElectron } from './electron-check.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const outDir = join(root, 'native', 'electron');
const outBinding = join(outDir, 'better_sqlite3.node');
const outInfo = join(outDir, 'build-info.json');
const ATTEMPT_TIMEOUT_MS = 5 * 60_000;

const args = new Set(process.argv.slice(2));
const force = args.has('--force');
const strict = args.has('--strict');
const needElectron = args.has('--require-electron');

function log(message) {
  console.log(`[electron-native] ${message}`);
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function packageDir(name) {
  return dirname(require.resolve(`${name}/package.json`));
}

/** What the build is for; an existing build with the same facts is reused. */
function wantedBuild() {
  return {
    electron: readJson(join(packageDir('electron'), 'package.json')).version,
    betterSqlite3: readJson(join(packageDir('better-sqlite3'), 'package.json')).version,
    platform: process.platform,
    arch: process.arch,
  };
}

function upToDate(wanted) {
  if (!existsSync(outBinding) || !existsSync(outInfo)) return false;
  try {
    const have = readJson(outInfo);
    return Object.entries(wanted).every(([key, value]) => have[key] === value);
  } catch {
    return false;
  }
}

/** A copy of node_modules/better-sqlite3 without its Node build, in a throw-away app folder. */
function makeWorkCopy() {
  mkdirSync(join(root, 'native'), { recursive: true });
  const work = mkdtempSync(join(root, 'native', '.build-'));
  const moduleCopy = join(work, 'node_modules', 'better-sqlite3');
  cpSync(packageDir('better-sqlite3'), moduleCopy, {
    recursive: true,
    filter: (source) => !source.includes(`${join('better-sqlite3', 'build')}`),
  });
  writeFileSync(
    join(work, 'package.json'),
    JSON.stringify({
      name: 'electron-native-build',
      private: true,
      dependencies: { 'better-sqlite3': '*' },
    }),
  );
  return { work, moduleCopy };
}

function builtBinding(moduleCopy) {
  const file = join(moduleCopy, 'build', 'Release', 'better_sqlite3.node');
  return existsSync(file) ? file : null;
}

/** Prebuilt binary for Electron's ABI from better-sqlite3's GitHub releases. */
function tryPrebuild(moduleCopy, wanted) {
  log(
    `fetching a prebuilt better-sqlite3 ${wanted.betterSqlite3} for Electron ${wanted.electron}…`,
  );
  const result = spawnSync(
    process.execPath,
    [
      join(packageDir('prebuild-install'), 'bin.js'),
      '--runtime',
      'electron',
      '--target',
      wanted.electron,
      '--arch',
      wanted.arch,
      '--platform',
      wanted.platform,
    ],
    { cwd: moduleCopy, encoding: 'utf8', timeout: ATTEMPT_TIMEOUT_MS },
  );
  if (result.status === 0 && builtBinding(moduleCopy)) return null;
  return firstLines(result.stderr || result.error?.message || `exit code ${result.status}`);
}

/** Compiles it against Electron's headers with @electron/rebuild. */
function tryRebuild(work, wanted) {
  log(
    'no prebuilt binary; compiling with @electron/rebuild (needs the Electron headers and a C++ toolchain)…',
  );
  // A script file, not `node -e`: @electron/rebuild forks children with this process's flags.
  const script = join(work, 'rebuild.mjs');
  writeFileSync(
    script,
    `import { rebuild } from ${JSON.stringify(pathToFileURL(require.resolve('@electron/rebuild')).href)};
try {
  await rebuild(${JSON.stringify({
    buildPath: work,
    electronVersion: wanted.electron,
    arch: wanted.arch,
    onlyModules: ['better-sqlite3'],
    force: true,
    buildFromSource: true,
  })});
} catch (error) {
  console.error(error && error.message ? error.message : String(error));
  process.exit(1);
}
`,
  );
  const result = spawnSync(process.execPath, [script], {
    cwd: work,
    encoding: 'utf8',
    timeout: ATTEMPT_TIMEOUT_MS,
  });
  if (result.status === 0 && builtBinding(join(work, 'node_modules', 'better-sqlite3')))
    return null;
  return firstLines(result.stderr || result.error?.message || `exit code ${result.status}`);
}

function firstLines(text) {
  return text.trim().split('\n').slice(0, 3).join(' | ');
}

function main() {
  if (needElectron && !requireElectron(root, { tag: 'electron-native', command: 'npm run dev' }))
    return 1;
  let wanted;
  try {
    wanted = wantedBuild();
  } catch (error) {
    return fail(
      `electron or better-sqlite3 is not installed (${error.message}). Run npm install first.`,
    );
  }
  if (!force && upToDate(wanted)) {
    log(
      `up to date: ${outBinding} (Electron ${wanted.electron}, better-sqlite3 ${wanted.betterSqlite3})`,
    );
    return 0;
  }
  const { work, moduleCopy } = makeWorkCopy();
  try {
    const prebuildProblem = tryPrebuild(moduleCopy, wanted);
    const rebuildProblem = prebuildProblem ? tryRebuild(work, wanted) : null;
    const binding = builtBinding(moduleCopy);
    if (!binding || (prebuildProblem && rebuildProblem)) {
      return fail(
        `could not build better-sqlite3 for Electron ${wanted.electron}.\n` +
          `  prebuilt binary: ${prebuildProblem}\n` +
          `  compiling:       ${rebuildProblem}\n` +
          '  Both need internet access (GitHub for the prebuilt binary, the Electron headers server for compiling).',
      );
    }
    mkdirSync(outDir, { recursive: true });
    cpSync(binding, outBinding);
    writeFileSync(
      outInfo,
      `${JSON.stringify({ ...wanted, builtAt: new Date().toISOString() }, null, 2)}\n`,
    );
    log(`built ${outBinding}`);
    return 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function fail(message) {
  log(message);
  log(
    'The desktop app still works: it falls back to the sql.js driver (slower on large vaults). ' +
      'node_modules/better-sqlite3 (for the CLI and tests) is untouched.',
  );
  return strict ? 1 : 0;
}

process.exitCode = main();
