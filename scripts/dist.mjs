#!/usr/bin/env node
/**
 * `npm run dist`: installers with electron-builder (electron-builder.yml).
 * Electron first (the download electron-builder needs too): where it cannot be
 * had, one paragraph and nothing built. Then the app (electron-vite),
 * better-sqlite3 for Electron (strict: an installer must ship it), and
 * electron-builder, whose failure is a bare stack: that goes to a log file and
 * the terminal gets its message and what usually causes it.
 *
 * Usage: node scripts/dist.mjs [electron-builder options, e.g. --linux deb]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { requireElectron, wrap } from './electron-check.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));

function log(message) {
  console.log(`[dist] ${message}`);
}

function packageBin(name, file) {
  return join(dirname(require.resolve(`${name}/package.json`)), file);
}

function run(label, args) {
  log(label);
  return spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' }).status ?? 1;
}

/** What electron-builder's output says failed: its "⨯ message  failedTask=… stackTrace=…" line, cut short. */
function builderFailure(output) {
  const lines = stripVTControlCharacters(output)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const line =
    lines.find((candidate) => candidate.startsWith('⨯')) ??
    lines.find((candidate) => /^[A-Za-z]*Error\b/.test(candidate)) ??
    lines[0] ??
    'no message';
  return line.replace(/^⨯\s*/, '').replace(/\s+(failedTask|stackTrace)=.*$/, '');
}

/**
 * Runs electron-builder with its progress shown as it comes, up to its error line
 * ("⨯ …"): that line and what follows (the stack), and its stderr, go to `logFile`
 * only, and the terminal gets the failure in one paragraph. Resolves to the exit code.
 */
export async function runElectronBuilder(args, options) {
  const { cwd, logFile, env = process.env, out = process.stdout, err = process.stderr } = options;
  const child = spawn(process.execPath, [packageBin('electron-builder', 'cli.js'), ...args], {
    cwd,
    env: out.isTTY ? { ...env, FORCE_COLOR: '1' } : env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const held = [];
  let failed = false;
  let partial = '';
  const show = (line) => {
    if (!failed && stripVTControlCharacters(line).trim().startsWith('⨯')) failed = true;
    if (failed) held.push(line);
    else out.write(`${line}\n`);
  };
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    lines.forEach(show);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  const code = await new Promise((done) => {
    child.once('error', (error) => {
      stderr += `${error.message}\n`;
      done(1);
    });
    child.once('close', (exitCode) => done(exitCode ?? 1));
  });
  if (partial) show(partial);
  const output = `${held.join('\n')}\n${stderr}`;
  if (code === 0 && !failed) {
    err.write(stderr);
    return 0;
  }
  mkdirSync(dirname(logFile), { recursive: true });
  writeFileSync(logFile, output);
  const paragraph =
    `[dist] electron-builder failed: ${builderFailure(output)} (its full output: ${logFile}). ` +
    'The usual causes: a download it needs (Electron for another platform or architecture, its ' +
    'packaging tools from GitHub) cannot be made from here; signing was asked for but its ' +
    'variables are incomplete (README, "Signing"); or the installer is for another platform, ' +
    "whose tools are missing here. The app's build (out/) and better-sqlite3 for Electron " +
    '(native/electron/) are done and are reused next time.';
  err.write(`\n${wrap(paragraph, 96)}\n\n`);
  return code === 0 ? 1 : code;
}

async function main() {
  if (!requireElectron(root, { tag: 'dist', command: 'npm run dist' })) return 1;
  if (
    run('building the app (electron-vite build)…', [
      packageBin('electron-vite', 'bin/electron-vite.js'),
      'build',
    ]) !== 0
  ) {
    log('the build failed; see the messages above.');
    return 1;
  }
  if (
    run('building better-sqlite3 for Electron…', [
      join(root, 'scripts', 'electron-native.mjs'),
      '--strict',
    ]) !== 0
  ) {
    log('an installer must ship the Electron build of better-sqlite3; see the messages above.');
    return 1;
  }
  log('packaging with electron-builder…');
  return runElectronBuilder(process.argv.slice(2), {
    cwd: root,
    logFile: join(root, 'dist', 'electron-builder-error.log'),
  });
}

const invokedDirectly =
  process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) process.exitCode = await main();
