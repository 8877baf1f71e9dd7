/**
 * `npm start`, `npm run dev` and `npm run dist` where Electron cannot be
 * downloaded: each script runs in a project copy (under out/, so node_modules
 * resolves) whose electron package has no binary yet, with the download
 * pointed at a local server that answers 404 (ELECTRON_MIRROR) and an empty
 * download cache. They must try the download, then stop with one paragraph and
 * no stack before building anything. And how `npm run dist` reports a real
 * electron-builder failure.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runElectronBuilder } from '../../scripts/dist.mjs';
import { makeTempDir, type TempDir } from '../support/fixtures.js';

const execFileAsync = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);
const electronDir = dirname(require.resolve('electron/package.json'));
const electronVersion = (
  JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')) as { version: string }
).version;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function runNode(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, args, {
      env,
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === 'number' ? e.code : -1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? '',
    };
  }
}

/** A writable stream that keeps what is written. */
class Collector extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

let project: string;
let cache: TempDir;
let server: Server;
const requested: string[] = [];
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  project = join(root, 'out', 'test-scripts', `electron-${process.pid}`);
  mkdirSync(join(project, 'scripts'), { recursive: true });
  for (const script of [
    'start-electron.mjs',
    'dist.mjs',
    'electron-check.mjs',
    'electron-native.mjs',
  ])
    cpSync(join(root, 'scripts', script), join(project, 'scripts', script));
  cpSync(join(root, 'package.json'), join(project, 'package.json'));
  // The electron package as npm installs it, before its first download.
  cpSync(electronDir, join(project, 'node_modules', 'electron'), {
    recursive: true,
    filter: (source) => !['dist', 'path.txt'].includes(basename(source)),
  });
  cache = makeTempDir('vsa-electron-cache-');
  server = createServer((request, response) => {
    requested.push(request.url ?? '');
    response.writeHead(404).end('not here');
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  env = {
    ...process.env,
    ELECTRON_MIRROR: `http://127.0.0.1:${port}/`,
    electron_config_cache: cache.path,
  };
  for (const name of [
    'ELECTRON_CUSTOM_DIR',
    'ELECTRON_CUSTOM_FILENAME',
    'ELECTRON_OVERRIDE_DIST_PATH',
  ])
    delete env[name];
});

afterAll(async () => {
  await new Promise((closed) => server.close(closed));
  cache.dispose();
  rmSync(project, { recursive: true, force: true });
});

/** Text as the terminal shows it, line breaks of the wrapping undone. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ');
}

function expectOneParagraph(run: Run, command: string): void {
  expect(run.code).toBe(1);
  const text = oneLine(run.stderr);
  expect(text).toContain(
    `Electron ${electronVersion} is not installed and could not be downloaded`,
  );
  expect(text).toContain('(the download said: HTTPError: Response code 404'); // the installer's one line
  expect(text).toContain(`Nothing was built; run \`${command}\` again`);
  expect(text).toContain('node bin/vaultstore-admin.mjs --help');
  expect(run.stderr).not.toMatch(/^\s+at /m); // no stack
  expect(run.stderr.trim().split(/\n\s*\n/)).toHaveLength(1);
  // It did try: the installer asked the mirror for this version's zip.
  expect(requested.some((url) => url.includes(`electron-v${electronVersion}-`))).toBe(true);
  // And stopped before building: no app bundle, no native build, no installers.
  expect(run.stdout).not.toContain('building');
  for (const folder of ['out', 'native', 'dist'])
    expect(existsSync(join(project, folder))).toBe(false);
}

describe('Electron missing and not downloadable', () => {
  it('npm start says so in one paragraph before building anything', async () => {
    requested.length = 0;
    const run = await runNode([join(project, 'scripts', 'start-electron.mjs')], env);
    expectOneParagraph(run, 'npm start');
  });

  it('npm run dist says so in one paragraph before building anything', async () => {
    requested.length = 0;
    const run = await runNode([join(project, 'scripts', 'dist.mjs')], env);
    expectOneParagraph(run, 'npm run dist');
  });

  it('npm run dev (electron-native.mjs --require-electron) says so before building better-sqlite3', async () => {
    requested.length = 0;
    const run = await runNode(
      [join(project, 'scripts', 'electron-native.mjs'), '--require-electron'],
      env,
    );
    expectOneParagraph(run, 'npm run dev');
  });
});

describe('npm run dist: an electron-builder failure', () => {
  it('is one paragraph with its message; the stack goes to the log file', async () => {
    const empty = makeTempDir('vsa-no-project-');
    try {
      const logFile = join(empty.path, 'logs', 'electron-builder-error.log');
      const out = new Collector();
      const err = new Collector();
      // Without VITEST, which makes electron-builder log differently (as under its own tests).
      const { VITEST: _vitest, ...env } = process.env;
      const code = await runElectronBuilder(
        ['--projectDir', join(empty.path, 'none'), '--linux', 'dir'],
        {
          cwd: empty.path,
          logFile,
          env,
          out,
          err,
        },
      );
      expect(code).not.toBe(0);
      expect(out.text).toContain('electron-builder  version='); // its progress is shown
      expect(oneLine(err.text)).toContain(
        `[dist] electron-builder failed: Cannot find package.json in the ${join(empty.path, 'none')} (its full output: ${logFile}).`,
      );
      expect(`${out.text}${err.text}`).not.toMatch(/^\s+at /m);
      expect(`${out.text}${err.text}`).not.toContain('stackTrace');
      expect(err.text.trim().split(/\n\s*\n/)).toHaveLength(1);
      expect(readFileSync(logFile, 'utf8')).toMatch(
        /stackTrace=Error: Cannot find package.json[^]*\n\s+at /,
      );
    } finally {
      empty.dispose();
    }
  });
});
