import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { APP_INDEX_URL } from '../../src/main/shell/app-protocol.js';
import {
  contentSecurityPolicy,
  isAppUrl,
  isTrustedSender,
  type AppUrlPolicy,
  type SenderFrame,
} from '../../src/main/shell/security.js';
import {
  mainWindowOptions,
  secureWebPreferences,
  windowTitle,
} from '../../src/main/shell/window-options.js';

/** "a b; c d e" -> { a: ['b'], c: ['d', 'e'] } */
function parseCsp(policy: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (!name) continue;
    expect(directives.has(name), `directive ${name} appears twice`).toBe(false);
    directives.set(name, sources);
  }
  return directives;
}

const appUrl = APP_INDEX_URL;
const policy: AppUrlPolicy = { appUrl };

describe('window options', () => {
  it('are the secure ones', () => {
    const options = mainWindowOptions({
      preloadPath: '/app/out/preload/index.cjs',
      isPackaged: true,
    });
    const web = options.webPreferences ?? {};
    expect(web.contextIsolation).toBe(true);
    expect(web.sandbox).toBe(true);
    expect(web.nodeIntegration).toBe(false);
    expect(web.nodeIntegrationInWorker).toBe(false);
    expect(web.nodeIntegrationInSubFrames).toBe(false);
    expect(web.webSecurity).toBe(true);
    expect(web.allowRunningInsecureContent).toBe(false);
    expect(web.webviewTag).toBe(false);
    expect(web.experimentalFeatures).toBe(false);
    expect(web.navigateOnDragDrop).toBe(false);
    expect(web.preload).toBe('/app/out/preload/index.cjs');
    expect(web.devTools).toBe(false);
  });

  it('keep the secure settings in development (only dev tools differ)', () => {
    const packaged = mainWindowOptions({ preloadPath: '/p.cjs', isPackaged: true }).webPreferences;
    const development = mainWindowOptions({
      preloadPath: '/p.cjs',
      isPackaged: false,
    }).webPreferences;
    expect({ ...development, devTools: false }).toEqual(packaged);
    expect(secureWebPreferences('/p.cjs')).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    });
  });

  it('title names the open vault', () => {
    expect(windowTitle(null)).toBe('VaultStore Admin');
    expect(windowTitle({ fileName: 'prod.db', path: '/srv/prod.db' })).toBe(
      'prod.db — VaultStore Admin',
    );
  });
});

describe('content security policy', () => {
  for (const [label, csp] of [
    ['header', contentSecurityPolicy()],
    ['meta tag', contentSecurityPolicy({ forMetaTag: true })],
  ] as const) {
    it(`is strict (${label})`, () => {
      const directives = parseCsp(csp);
      expect(directives.get('default-src')).toEqual(["'none'"]);
      expect(directives.get('script-src')).toEqual(["'self'"]);
      expect(directives.get('style-src')).toEqual(["'self'"]);
      expect(directives.get('img-src')).toEqual(["'self'", 'data:']);
      expect(directives.get('connect-src')).toEqual(["'none'"]);
      expect(directives.get('object-src')).toEqual(["'none'"]);
      expect(directives.get('base-uri')).toEqual(["'none'"]);
      expect(directives.get('form-action')).toEqual(["'none'"]);
      for (const [name, sources] of directives) {
        for (const source of sources) {
          expect(source, `${name} allows ${source}`).not.toMatch(
            /unsafe-|^\*$|^https?:$|^blob:$|^http/,
          );
        }
      }
    });
  }

  it('forbids framing in the header (meta tags cannot carry frame-ancestors)', () => {
    expect(parseCsp(contentSecurityPolicy()).get('frame-ancestors')).toEqual(["'none'"]);
    expect(parseCsp(contentSecurityPolicy({ forMetaTag: true })).has('frame-ancestors')).toBe(
      false,
    );
  });

  it('relaxes only in development, for the dev server origin', () => {
    const dev = parseCsp(contentSecurityPolicy({ devServerOrigin: 'http://localhost:5173' }));
    expect(dev.get('connect-src')).toEqual(['http://localhost:5173', 'ws://localhost:5173']);
    expect(dev.get('default-src')).toEqual(["'none'"]);
    expect(dev.get('object-src')).toEqual(["'none'"]);
  });
});

describe('app URL allow-list', () => {
  it('accepts our built page, with or without query and fragment', () => {
    expect(appUrl).toBe('app://vaultstore/index.html');
    expect(isAppUrl(appUrl, policy)).toBe(true);
    expect(isAppUrl(`${appUrl}#/vault`, policy)).toBe(true);
    expect(isAppUrl(`${appUrl}?x=1`, policy)).toBe(true);
  });

  it('refuses other files, other schemes and garbage', () => {
    for (const url of [
      pathToFileURL('/opt/VaultStore Admin/resources/app/out/renderer/index.html').href,
      pathToFileURL('/tmp/index.html').href,
      'file:///index.html',
      'app://vaultstore/other.html',
      'app://evil/index.html',
      'app://vaultstore.evil/index.html',
      'apps://vaultstore/index.html',
      'https://example.com/index.html',
      'http://localhost:5173/',
      'devtools://devtools/bundled/inspector.html',
      'not a url',
      '',
    ]) {
      expect(isAppUrl(url, policy), url).toBe(false);
    }
  });

  it('accepts the dev server origin only when one is configured', () => {
    const dev: AppUrlPolicy = { appUrl, devServerUrl: 'http://localhost:5173/' };
    expect(isAppUrl('http://localhost:5173/', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5173/src/main.tsx', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isAppUrl('http://127.0.0.1:5173/', dev)).toBe(false);
    expect(isAppUrl('https://localhost:5173/', dev)).toBe(false);
  });
});

describe('IPC sender check', () => {
  const mainFrame: SenderFrame = { url: appUrl, processId: 4, routingId: 1 };

  it('trusts only our window main frame showing our page', () => {
    expect(isTrustedSender({ ...mainFrame }, mainFrame, policy)).toBe(true);
  });

  it('rejects unknown senders', () => {
    const cases: Array<[string, SenderFrame | null]> = [
      ['no frame', null],
      ['a sub-frame of our window', { ...mainFrame, routingId: 2 }],
      ['another renderer process', { ...mainFrame, processId: 5 }],
      ['our frame after navigating away', { ...mainFrame, url: 'https://example.com/' }],
      [
        'our frame showing another local file',
        { ...mainFrame, url: pathToFileURL('/tmp/evil.html').href },
      ],
    ];
    for (const [label, sender] of cases)
      expect(isTrustedSender(sender, mainFrame, policy), label).toBe(false);
  });

  it('rejects everything when the window is gone', () => {
    expect(isTrustedSender(mainFrame, null, policy)).toBe(false);
  });
});
