/**
 * The app:// scheme that serves the renderer (out/renderer) instead of
 * file://. A file:// page may read any file the user can; an app:// page gets
 * only what this handler serves: files under the renderer folder, GET only,
 * no path traversal (plain, percent-encoded or through a symlink). Electron
 * wiring (registerSchemesAsPrivileged, protocol.handle) is in index.ts; this
 * module is plain Node so tests run it as is.
 */
import { realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'vaultstore';
/** The page main loads. */
export const APP_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** Privileges for protocol.registerSchemesAsPrivileged: a standard, secure origin; nothing more. */
export const APP_SCHEME_PRIVILEGES = {
  standard: true,
  secure: true,
  supportFetchAPI: false,
  corsEnabled: false,
  bypassCSP: false,
  allowServiceWorkers: false,
  stream: false,
  codeCache: false,
} as const;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.wasm': 'application/wasm',
};

export type AppFileLookup = { ok: true; file: string } | { ok: false; status: 400 | 404 };

/**
 * Which file under `rootDir` an app:// URL names, or why none. Pure except
 * for realpath (symlinks may not lead out of the folder either).
 */
export function appFileFor(rootDir: string, url: string): AppFileLookup {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, status: 400 };
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST)
    return { ok: false, status: 404 };
  let path: string;
  try {
    // The URL parser already folded "..", "%2e%2e"; an encoded "/" or "\" is decoded only here.
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return { ok: false, status: 400 };
  }
  if (path.includes('\0') || path.includes('\\') || path.split('/').includes('..'))
    return { ok: false, status: 400 };
  const root = resolve(rootDir);
  const wanted = resolve(root, `.${path === '/' ? '/index.html' : path}`);
  if (!inside(root, wanted)) return { ok: false, status: 400 };
  let real: string;
  try {
    real = realpathSync(wanted);
  } catch {
    return { ok: false, status: 404 };
  }
  if (!inside(realpathSync(root), real)) return { ok: false, status: 404 };
  return { ok: true, file: real };
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

export interface AppRequest {
  readonly url: string;
  readonly method: string;
}

/** The protocol.handle handler: serves files of `rootDir` with the CSP header on every response. */
export function createAppProtocolHandler(
  rootDir: string,
  contentSecurityPolicy: string,
): (request: AppRequest) => Promise<Response> {
  const headers = (contentType?: string): Record<string, string> => ({
    'Content-Security-Policy': contentSecurityPolicy,
    'X-Content-Type-Options': 'nosniff',
    ...(contentType ? { 'Content-Type': contentType } : {}),
  });
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return new Response(null, { status: 405, headers: headers() });
    const lookup = appFileFor(rootDir, request.url);
    if (!lookup.ok) return new Response(null, { status: lookup.status, headers: headers() });
    const type = CONTENT_TYPES[extname(lookup.file).toLowerCase()] ?? 'application/octet-stream';
    try {
      const body = await readFile(lookup.file);
      return new Response(request.method === 'HEAD' ? null : body, {
        status: 200,
        headers: headers(type),
      });
    } catch {
      // A folder, or a file that vanished between the lookup and the read.
      return new Response(null, { status: 404, headers: headers() });
    }
  };
}
