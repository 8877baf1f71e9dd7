#!/usr/bin/env node
/**
 * `npm start`: build the app (electron-vite), make sure better-sqlite3 is
 * built for Electron (soft: the app falls back to sql.js), then launch
 * Electron. The electron package fetches its binary on first use; where it
 * cannot (offline machines), this says so and what works instead.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

function log(message) {
  console.log(`[start] ${message}`);
}

function run(label, args, options = {}) {
  log(label);
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', ...options });
  return result.status ?? 1;
}

/** The Electron executable if the electron package has downloaded it, else null. Never downloads. */
function electronBinary() {
  const packageDir = dirname(require.resolve('electron/package.json'));
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

function electronVersion() {
  return JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
}

function main() {
  const electronVite = join(
    dirname(require.resolve('electron-vite/package.json')),
    'bin',
    'electron-vite.js',
  );
  if (run('building the app (electron-vite build)…', [electronVite, 'build']) !== 0) {
    log('the build failed; see the messages above.');
    return 1;
  }
  // Soft by design: without it the app uses sql.js.
  run('checking better-sqlite3 for Electron…', [join(root, 'scripts', 'electron-native.mjs')]);

  let binary = electronBinary();
  if (!binary) {
    const installer = join(dirname(require.resolve('electron/package.json')), 'install.js');
    run(`downloading the Electron ${electronVersion()} binary (first start only)…`, [installer], {
      timeout: DOWNLOAD_TIMEOUT_MS,
    });
    binary = electronBinary();
  }
  if (!binary) {
    console.error(
      [
        '',
        `[start] The Electron ${electronVersion()} binary is not installed and could not be downloaded`,
        '        (the electron package fetches it from GitHub on first use; this machine cannot reach it).',
        '        What works without it:',
        '          node bin/vaultstore-admin.mjs --help   the command-line tool (same engine: info, rotate, verify)',
        '          npm test                               unit and end-to-end tests (the UI runs in Chromium)',
        '        On a machine with internet, `npm start` downloads Electron once and opens the app;',
        '        `npm run dist` builds installers there too.',
        '',
      ].join('\n'),
    );
    return 1;
  }

  log(`launching ${binary}`);
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE; // would make Electron behave like plain Node
  const child = spawn(binary, [root, ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
    env,
  });
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      if (child.exitCode === null) child.kill(signal);
    });
  }
  child.on('exit', (code, signal) => {
    process.exit(code ?? (signal ? 1 : 0));
  });
  return null;
}

const code = main();
if (code !== null) process.exit(code);
