/**
 * Wires the decisions of security.ts to Electron: every web contents refuses
 * navigation, new windows and <webview>; the session denies permissions and
 * sends the CSP header. Kept thin: the decisions themselves are tested.
 */
import type { App, Session } from 'electron';
import {
  navigationAllowed,
  permissionGranted,
  webviewAttachAllowed,
  windowOpenDecision,
} from './security.js';

export function refuseNavigationEverywhere(app: App): void {
  app.on('web-contents-created', (_event, contents) => {
    const refuse = (event: { preventDefault(): void }, url: string): void => {
      if (navigationAllowed(url)) return;
      event.preventDefault();
      console.warn(`[security] refused navigation to ${url}`);
    };
    contents.on('will-navigate', (event) => refuse(event, event.url));
    contents.on('will-frame-navigate', (event) => refuse(event, event.url));
    contents.on('will-redirect', (event) => refuse(event, event.url));
    contents.setWindowOpenHandler(({ url }) => {
      console.warn(`[security] refused to open a window for ${url}`);
      return windowOpenDecision(url);
    });
    contents.on('will-attach-webview', (event) => {
      if (!webviewAttachAllowed()) event.preventDefault();
    });
  });
}

export function hardenSession(session: Session, contentSecurityPolicy: string): void {
  session.setPermissionRequestHandler((_contents, permission, callback) =>
    callback(permissionGranted(permission)),
  );
  session.setPermissionCheckHandler((_contents, permission) => permissionGranted(permission));
  session.setDevicePermissionHandler(() => false);
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
