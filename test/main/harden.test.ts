/**
 * src/main/shell/harden.ts itself, driven through event-emitter stand-ins for
 * Electron's app, webContents and session: the events Electron would emit
 * go in, and we check what the real handlers did with them (prevented or
 * not, what the window-open and permission handlers answered).
 */
import { EventEmitter } from 'node:events';
import type { App, Session } from 'electron';
import { describe, expect, it } from 'vitest';
import { APP_INDEX_URL } from '../../src/main/shell/app-protocol.js';
import { hardenSession, refuseNavigationEverywhere } from '../../src/main/shell/harden.js';
import type { AppUrlPolicy } from '../../src/main/shell/security.js';

type WindowOpenHandler = (details: { url: string }) => { action: string };

/** What Electron passes to navigation listeners: a preventable event carrying the URL. */
class NavigationEvent {
  prevented = false;
  constructor(readonly url: string) {}
  preventDefault(): void {
    this.prevented = true;
  }
}

class FakeWebContents extends EventEmitter {
  windowOpenHandler: WindowOpenHandler | null = null;
  setWindowOpenHandler(handler: WindowOpenHandler): void {
    this.windowOpenHandler = handler;
  }
}

/** Creates a fake app with the hardening installed; `contents()` makes a new web contents the way Electron announces it. */
function hardenedApp(policy: AppUrlPolicy) {
  const app = new EventEmitter();
  const warnings: string[] = [];
  refuseNavigationEverywhere(app as unknown as App, policy, (message) => warnings.push(message));
  const contents = (): FakeWebContents => {
    const created = new FakeWebContents();
    app.emit('web-contents-created', {}, created);
    return created;
  };
  return { app, contents, warnings };
}

const policy: AppUrlPolicy = { appUrl: APP_INDEX_URL };
const NAVIGATION_EVENTS = ['will-navigate', 'will-frame-navigate', 'will-redirect'] as const;
const FOREIGN = [
  'https://example.com/',
  'http://localhost:5173/',
  'file:///etc/passwd',
  'file:///opt/VaultStore%20Admin/resources/app.asar/out/renderer/index.html',
  'app://evil/index.html',
  'app://vaultstore/other.html',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'about:blank',
  'devtools://devtools/bundled/inspector.html',
];

describe('refuseNavigationEverywhere', () => {
  it('prevents navigation and redirects anywhere but our own app:// page, on every web contents', () => {
    const { contents, warnings } = hardenedApp(policy);
    for (const webContents of [contents(), contents()]) {
      for (const name of NAVIGATION_EVENTS) {
        for (const url of FOREIGN) {
          const event = new NavigationEvent(url);
          webContents.emit(name, event);
          expect(event.prevented, `${name} ${url}`).toBe(true);
        }
        const own = new NavigationEvent(`${APP_INDEX_URL}#/vault`);
        webContents.emit(name, own);
        expect(own.prevented, `${name} to our page`).toBe(false);
      }
    }
    expect(warnings).toHaveLength(2 * NAVIGATION_EVENTS.length * FOREIGN.length);
    expect(warnings[0]).toBe('[security] refused navigation to https://example.com/');
  });

  it('allows the dev server only when one is configured', () => {
    const dev = hardenedApp({ ...policy, devServerUrl: 'http://localhost:5173/' }).contents();
    const allowed = new NavigationEvent('http://localhost:5173/index.html');
    dev.emit('will-navigate', allowed);
    expect(allowed.prevented).toBe(false);
    const other = new NavigationEvent('http://localhost:5174/');
    dev.emit('will-navigate', other);
    expect(other.prevented).toBe(true);
  });

  it('denies every window.open, our own page included', () => {
    const { contents, warnings } = hardenedApp(policy);
    const webContents = contents();
    expect(webContents.windowOpenHandler).not.toBeNull();
    for (const url of [...FOREIGN, APP_INDEX_URL]) {
      expect(webContents.windowOpenHandler?.({ url }), url).toEqual({ action: 'deny' });
    }
    expect(warnings.at(-1)).toBe(`[security] refused to open a window for ${APP_INDEX_URL}`);
  });

  it('prevents every <webview> from attaching', () => {
    const webContents = hardenedApp(policy).contents();
    const event = new NavigationEvent('');
    webContents.emit('will-attach-webview', event, {}, { src: 'https://example.com/' });
    expect(event.prevented).toBe(true);
  });

  it('guards web contents created later too, and only through listeners (nothing else touched)', () => {
    const { app, contents } = hardenedApp(policy);
    expect(app.listenerCount('web-contents-created')).toBe(1);
    const late = contents();
    for (const name of [...NAVIGATION_EVENTS, 'will-attach-webview'])
      expect(late.listenerCount(name), name).toBe(1);
  });
});

type PermissionRequestHandler = (
  contents: unknown,
  permission: string,
  callback: (granted: boolean) => void,
  details?: unknown,
) => void;
type PermissionCheckHandler = (contents: unknown, permission: string) => boolean;
type HeadersListener = (
  details: { responseHeaders?: Record<string, string[]> },
  callback: (response: { responseHeaders: Record<string, string[]> }) => void,
) => void;

class FakeSession extends EventEmitter {
  requestHandler: PermissionRequestHandler | null = null;
  checkHandler: PermissionCheckHandler | null = null;
  deviceHandler: ((details: unknown) => boolean) | null = null;
  headersListener: HeadersListener | null = null;
  readonly webRequest = {
    onHeadersReceived: (listener: HeadersListener) => {
      this.headersListener = listener;
    },
  };
  setPermissionRequestHandler(handler: PermissionRequestHandler): void {
    this.requestHandler = handler;
  }
  setPermissionCheckHandler(handler: PermissionCheckHandler): void {
    this.checkHandler = handler;
  }
  setDevicePermissionHandler(handler: (details: unknown) => boolean): void {
    this.deviceHandler = handler;
  }
}

const PERMISSIONS = [
  'media',
  'geolocation',
  'notifications',
  'clipboard-read',
  'clipboard-sanitized-write',
  'fullscreen',
  'openExternal',
  'fileSystem',
  'hid',
  'serial',
  'usb',
  'display-capture',
];

describe('hardenSession', () => {
  function hardened() {
    const session = new FakeSession();
    const warnings: string[] = [];
    hardenSession(session as unknown as Session, "default-src 'none'", (message) =>
      warnings.push(message),
    );
    return { session, warnings };
  }

  it('answers every permission request with "no", through the callback', () => {
    const { session } = hardened();
    for (const permission of PERMISSIONS) {
      const answers: boolean[] = [];
      session.requestHandler?.({}, permission, (granted) => answers.push(granted), {});
      expect(answers, permission).toEqual([false]);
    }
  });

  it('answers every permission check and device request with "no"', () => {
    const { session } = hardened();
    for (const permission of PERMISSIONS)
      expect(session.checkHandler?.({}, permission), permission).toBe(false);
    expect(session.deviceHandler?.({ deviceType: 'usb' })).toBe(false);
  });

  it('prevents downloads', () => {
    const { session, warnings } = hardened();
    const event = new NavigationEvent('');
    session.emit('will-download', event, { getURL: () => 'https://example.com/x.exe' }, {});
    expect(event.prevented).toBe(true);
    expect(warnings).toEqual(['[security] refused a download from https://example.com/x.exe']);
  });

  it('adds the CSP and nosniff headers to every response, replacing a weaker CSP', () => {
    const { session } = hardened();
    const responses: Array<Record<string, string[]>> = [];
    session.headersListener?.(
      {
        responseHeaders: {
          'Content-Security-Policy': ['default-src *'],
          'Content-Type': ['text/html'],
        },
      },
      (response) => responses.push(response.responseHeaders),
    );
    expect(responses).toEqual([
      {
        'Content-Security-Policy': ["default-src 'none'"],
        'Content-Type': ['text/html'],
        'X-Content-Type-Options': ['nosniff'],
      },
    ]);
  });
});
