#!/usr/bin/env node
/**
 * `npm start`: make sure the Electron binary is there (the electron package
 * fetches it on first use; where it cannot, say so in one paragraph and stop
 * before building anything), build the app (electron-vite), make sure
 * better-sqlite3 is built for Electron (soft: the app falls back to sql.js),
 * then launch Electron.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireElectron } from './electron-check.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));

function log(message) {
  console.log(`[start] ${message}`);
}

function run(label, args) {
  log(label);
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  return result.status ?? 1;
}

function main() {
  // First, so that a machine that cannot get Electron learns it in seconds, not after the builds.
  const binary = requireElectron(root, { tag: 'start', command: 'npm start' });
  if (!binary) return 1;
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
