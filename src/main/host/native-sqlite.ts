/**
 * Which SQLite driver the app uses. better-sqlite3 in node_modules is built
 * for Node's ABI and does not load in Electron; `npm start` builds an Electron
 * copy into native/electron/ (scripts/electron-native.mjs) that we load via
 * `nativeBinding`; packaged apps carry that file in their resources folder
 * (electron-builder.yml extraResources; node_modules is never rebuilt in
 * place, so tests and the CLI keep their Node build). When nothing loads,
 * the engine's sql.js driver takes over. Electron-free: paths are passed in.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { probeBetterSqlite3, type FileDriverName } from '../../engine/index.js';

/** Relative to the app root; written by scripts/electron-native.mjs. */
export const ELECTRON_NATIVE_BINDING = join('native', 'electron', 'better_sqlite3.node');
/** Relative to process.resourcesPath of a packaged app. */
export const PACKAGED_NATIVE_BINDING = join('native', 'better_sqlite3.node');

export interface SqliteDriverChoice {
  readonly driver: FileDriverName;
  /** set when better-sqlite3 must load this file instead of node_modules' build */
  readonly nativeBinding?: string;
  /** one line for the log: why this driver */
  readonly reason: string;
}

export interface DriverChoiceInput {
  /** folder holding package.json (and native/ in development) */
  readonly appRoot: string;
  readonly isPackaged: boolean;
  /**
   * process.resourcesPath. Required (not optional) on purpose: a packaged app
   * that forgot it silently ran on sql.js. Only read when isPackaged.
   */
  readonly resourcesPath: string;
}

const firstLine = (text: string): string => text.split('\n')[0] ?? text;

export async function chooseSqliteDriver(input: DriverChoiceInput): Promise<SqliteDriverChoice> {
  const electronBuild = input.isPackaged
    ? join(input.resourcesPath, PACKAGED_NATIVE_BINDING)
    : join(input.appRoot, ELECTRON_NATIVE_BINDING);
  if (input.isPackaged && !existsSync(electronBuild)) {
    // node_modules' better-sqlite3 is built for Node, never for the packaged Electron: do not try it.
    return {
      driver: 'sql.js',
      reason:
        `this installation has no native SQLite at ${electronBuild} (the installer was built without it); ` +
        'using sql.js, which holds the whole vault in memory and is slower. Reinstall from an installer ' +
        'made by "npm run dist".',
    };
  }
  if (existsSync(electronBuild)) {
    const probe = await probeBetterSqlite3(electronBuild);
    if (probe.ok) {
      return {
        driver: 'better-sqlite3',
        nativeBinding: electronBuild,
        reason: `better-sqlite3 from ${electronBuild}`,
      };
    }
    return {
      driver: 'sql.js',
      reason:
        `the Electron build of better-sqlite3 (${electronBuild}) did not load (${firstLine(probe.reason)}); using sql.js. ` +
        (input.isPackaged
          ? 'Reinstall the app from an installer made on this platform.'
          : 'Run "node scripts/electron-native.mjs --force" to rebuild it.'),
    };
  }
  const probe = await probeBetterSqlite3();
  if (probe.ok) return { driver: 'better-sqlite3', reason: 'better-sqlite3 from node_modules' };
  return {
    driver: 'sql.js',
    reason:
      `better-sqlite3 is not built for this runtime (${firstLine(probe.reason)}); using sql.js. ` +
      'Run "node scripts/electron-native.mjs" (needs internet) for the faster native driver.',
  };
}
