/**
 * The Electron binary, checked before anything slow runs: `npm start`,
 * `npm run dev` and `npm run dist` need it (or the download behind it), and
 * building the app and better-sqlite3 for Electron first only to find it
 * cannot be downloaded wastes minutes. Used by start-electron.mjs and dist.mjs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

function electronPackageDir(root) {
  return dirname(createRequire(join(root, 'package.json')).resolve('electron/package.json'));
}

export function electronVersion(root) {
  return JSON.parse(readFileSync(join(electronPackageDir(root), 'package.json'), 'utf8')).version;
}

/** The Electron executable if the electron package has downloaded it, else null. Never downloads. */
export function installedElectron(root) {
  const packageDir = electronPackageDir(root);
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

/**
 * The electron package's own installer (GitHub, or ELECTRON_MIRROR; the zip is
 * cached where electron-builder looks too). Its output is kept: on failure it is
 * a bare stack, of which only the first line says anything.
 */
function download(root) {
  const result = spawnSync(process.execPath, [join(electronPackageDir(root), 'install.js')], {
    cwd: root,
    encoding: 'utf8',
    timeout: DOWNLOAD_TIMEOUT_MS,
    env: { ...process.env, ELECTRON_GET_NO_PROGRESS: '1' },
  });
  if (result.error) return result.error.message;
  if (result.status === 0) return null;
  const firstLine = `${result.stderr}\n${result.stdout}`
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line !== '');
  return firstLine ?? `the installer exited with code ${result.status}`;
}

/** `text` as lines of at most `width` characters (longer words stay whole). */
export function wrap(text, width) {
  const lines = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

/**
 * The Electron executable, downloading it first if need be; null when it is
 * missing and cannot be downloaded, after one paragraph on stderr saying why,
 * that nothing was built, and what works without it.
 */
export function requireElectron(root, { tag, command }) {
  const installed = installedElectron(root);
  if (installed) return installed;
  const version = electronVersion(root);
  console.log(`[${tag}] downloading the Electron ${version} binary (first run only)…`);
  const problem = download(root);
  const binary = installedElectron(root);
  if (binary) return binary;
  const paragraph =
    `[${tag}] Electron ${version} is not installed and could not be downloaded (the download ` +
    `said: ${problem ?? 'nothing, but left no binary'}). The electron package fetches it from ` +
    'GitHub on first use, or from ELECTRON_MIRROR when that is set. Nothing was built; run ' +
    `\`${command}\` again where the download works. Without Electron, the command-line tool ` +
    '(`node bin/vaultstore-admin.mjs --help`: info, rotate and verify, same engine) and ' +
    '`npm test` (the UI runs in Chromium) work.';
  console.error(`\n${wrap(paragraph, 96)}\n`);
  return null;
}
