/**
 * The app:// handler main registers with protocol.handle, run on a real
 * renderer folder in a temp dir (with a secret file beside it, and a symlink
 * leading out): it serves the page and refuses every way out of the folder.
 * Also: the user-data override is honoured only in development.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  APP_INDEX_URL,
  APP_SCHEME_PRIVILEGES,
  appFileFor,
  createAppProtocolHandler,
} from '../../src/main/shell/app-protocol.js';
import { USER_DATA_ENV, userDataOverride } from '../../src/main/shell/user-data.js';
import { makeTempDir, type TempDir } from '../support/fixtures.js';

const CSP = "default-src 'none'";
const SECRET = 'root:x:0:0:the secret next to the app';

let temp: TempDir;
let rendererDir: string;
let serve: ReturnType<typeof createAppProtocolHandler>;

beforeEach(() => {
  temp = makeTempDir('vsa-app-protocol-');
  // <temp>/etc/passwd stands for any file outside the renderer folder.
  mkdirSync(join(temp.path, 'etc'));
  writeFileSync(join(temp.path, 'etc', 'passwd'), SECRET);
  rendererDir = join(temp.path, 'app', 'out', 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>VaultStore Admin</title>');
  writeFileSync(join(rendererDir, 'assets', 'index-abc.js'), 'console.log(1)');
  symlinkSync(join(temp.path, 'etc', 'passwd'), join(rendererDir, 'assets', 'link.js'));
  serve = createAppProtocolHandler(rendererDir, CSP);
});

afterEach(() => temp.dispose());

const get = (url: string) => serve({ url, method: 'GET' });

describe('app:// protocol handler', () => {
  it('serves index.html and assets with their type, the CSP and nosniff', async () => {
    const page = await get(APP_INDEX_URL);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>VaultStore Admin</title>');
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CSP);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const root = await get('app://vaultstore/');
    expect(await root.text()).toContain('<title>VaultStore Admin</title>');
    const script = await get('app://vaultstore/assets/index-abc.js?v=1#x');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('refuses traversal out of the renderer folder, plain or encoded', async () => {
    const attempts = [
      'app://x/../../etc/passwd',
      'app://vaultstore/../../../etc/passwd',
      'app://vaultstore/..%2f..%2f..%2fetc%2fpasswd',
      'app://vaultstore/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      'app://vaultstore/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      'app://vaultstore/assets/..%5c..%5c..%5cetc%5cpasswd',
      'app://vaultstore/%252e%252e/%252e%252e/etc/passwd',
      `app://vaultstore/${encodeURIComponent(join(temp.path, 'etc', 'passwd'))}`,
      `app://vaultstore//${join(temp.path, 'etc', 'passwd')}`,
      'app://vaultstore/index.html%00.png',
      'app://vaultstore/%E0%A4%A',
      // a symlink inside the folder that leads out of it
      'app://vaultstore/assets/link.js',
    ];
    for (const url of attempts) {
      const response = await get(url);
      expect([400, 404], url).toContain(response.status);
      expect(await response.text(), url).not.toContain(SECRET);
      expect(appFileFor(rendererDir, url).ok, url).toBe(false);
    }
  });

  it('serves only its own host and scheme, and only GET/HEAD', async () => {
    expect((await get('app://evil/index.html')).status).toBe(404);
    expect((await get('file:///etc/passwd')).status).toBe(404);
    expect((await get('not a url')).status).toBe(400);
    expect((await get('app://vaultstore/missing.js')).status).toBe(404);
    expect((await get('app://vaultstore/assets')).status).toBe(404);
    expect((await serve({ url: APP_INDEX_URL, method: 'POST' })).status).toBe(405);
    const head = await serve({ url: APP_INDEX_URL, method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('registers app:// as a standard secure scheme without extra powers', () => {
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({
      standard: true,
      secure: true,
      bypassCSP: false,
      corsEnabled: false,
      supportFetchAPI: false,
      allowServiceWorkers: false,
    });
  });
});

describe('user-data override', () => {
  it('is honoured in development only, and only as an absolute folder', () => {
    const env = { [USER_DATA_ENV]: '/tmp/profile-a' };
    expect(userDataOverride(env, false)).toEqual({ use: '/tmp/profile-a' });
    const packaged = userDataOverride(env, true);
    expect(packaged.use).toBeNull();
    expect(packaged.ignored).toContain('only in development');
    expect(userDataOverride({ [USER_DATA_ENV]: 'relative/dir' }, false).use).toBeNull();
    expect(userDataOverride({}, false)).toEqual({ use: null });
  });
});
