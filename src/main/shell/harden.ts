/**
 * Wires the decisions of security.ts to Electron: every web contents may only
 * navigate to the app's own page (app://) and refuses new windows and
 * <webview>; the session denies every permission and download and sends the
 * CSP header. Tests drive these functions against event-emitter stand-ins.
 */
import type { App, Session } from 'electron';
import {
  navigationAllowed,
  permissionGranted,
  webviewAttachAllowed,
  windowOpenDecision,
  type AppUrlPolicy,
} from './security.js';

export type Warn = (message: string) => void;

const defaultWarn: Warn = (message) => console.warn(message);

export function refuseNavigationEverywhere(
  app: App,
  policy: AppUrlPolicy,
  warn: Warn = defaultWarn,
): void {
  app.on('web-contents-created', (_event, contents) => {
    const guard = (event: { preventDefault(): void }, url: string): void => {
      if (navigationAllowed(url, policy)) return;
      event.preventDefault();
      warn(`[security] refused navigation to ${url}`);
    };
    contents.on('will-navigate', (event) => guard(event, event.url));
    contents.on('will-frame-navigate', (event) => guard(event, event.url));
    contents.on('will-redirect', (event) => guard(event, event.url));
    contents.setWindowOpenHandler(({ url }) => {
      warn(`[security] refused to open a window for ${url}`);
      return windowOpenDecision(url);
    });
    contents.on('will-attach-webview', (event) => {
      if (!webviewAttachAllowed()) event.preventDefault();
    });
  });
}

export function hardenSession(
  session: Session,
  contentSecurityPolicy: string,
  warn: Warn = defaultWarn,
): void {
  session.setPermissionRequestHandler((_contents, permission, callback) =>
    callback(permissionGranted(permission)),
  );
  session.setPermissionCheckHandler((_contents, permission) => permissionGranted(permission));
  session.setDevicePermissionHandler(() => false);
  // The app never downloads anything; a page that tries is not ours.
  session.on('will-download', (event, item) => {
    event.preventDefault();
    warn(`[security] refused a download from ${item.getURL()}`);
  });
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [contentSecurityPolicy],
        'X-Content-Type-Options': ['nosniff'],
      },
    });
  });
}
