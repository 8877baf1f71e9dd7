/**
 * The app's security decisions as pure functions (no Electron import), so
 * tests can check them under plain Node. window.ts and ipc.ts only wire
 * them to Electron's events.
 */

/** Directive -> sources. The renderer needs its own scripts, styles and data: images; nothing else. */
const PRODUCTION_DIRECTIVES: ReadonlyArray<readonly [string, string]> = [
  ['default-src', "'none'"],
  ['script-src', "'self'"],
  ['style-src', "'self'"],
  ['img-src', "'self' data:"],
  ['font-src', "'self'"],
  ['connect-src', "'none'"],
  ['media-src', "'none'"],
  ['object-src', "'none'"],
  ['frame-src', "'none'"],
  ['child-src', "'none'"],
  ['worker-src', "'none'"],
  ['manifest-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
];

/** Directives a <meta> CSP cannot carry; they go only into the response header. */
const HEADER_ONLY_DIRECTIVES: ReadonlyArray<readonly [string, string]> = [
  ['frame-ancestors', "'none'"],
];

export interface CspOptions {
  /** the Vite dev server origin (development only: HMR needs a websocket and an inline preamble) */
  devServerOrigin?: string;
  /** for a <meta http-equiv> tag, which ignores frame-ancestors */
  forMetaTag?: boolean;
}

export function contentSecurityPolicy(options: CspOptions = {}): string {
  const directives = new Map<string, string>(PRODUCTION_DIRECTIVES);
  if (!options.forMetaTag)
    for (const [name, value] of HEADER_ONLY_DIRECTIVES) directives.set(name, value);
  if (options.devServerOrigin) {
    const ws = options.devServerOrigin.replace(/^http/, 'ws');
    directives.set('script-src', `'self' 'unsafe-inline' ${options.devServerOrigin}`);
    directives.set('style-src', `'self' 'unsafe-inline' ${options.devServerOrigin}`);
    directives.set('connect-src', `${options.devServerOrigin} ${ws}`);
  }
  return [...directives].map(([name, value]) => `${name} ${value}`).join('; ');
}

/** Where the renderer may be loaded from: the built index.html, or the dev server in development. */
export interface AppUrlPolicy {
  /** app:// URL of out/renderer/index.html (app-protocol.ts APP_INDEX_URL); never file:// */
  readonly appUrl: string;
  /** e.g. http://localhost:5173 (development only) */
  readonly devServerUrl?: string;
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True for our own page (query and fragment ignored), false for anything else. */
export function isAppUrl(url: string, policy: AppUrlPolicy): boolean {
  const candidate = parseUrl(url);
  if (!candidate) return false;
  const app = parseUrl(policy.appUrl);
  if (app && candidate.protocol === app.protocol && app.protocol !== 'file:') {
    return candidate.host === app.host && candidate.pathname === app.pathname;
  }
  if (policy.devServerUrl) {
    const dev = parseUrl(policy.devServerUrl);
    return (
      dev !== null &&
      (candidate.protocol === 'http:' || candidate.protocol === 'https:') &&
      candidate.origin === dev.origin
    );
  }
  return false;
}

/**
 * The app is a single page: the only navigation allowed is to that page
 * itself (app://, or the dev server in development). Links, file:// and every
 * other scheme are refused.
 */
export function navigationAllowed(url: string, policy: AppUrlPolicy): boolean {
  return isAppUrl(url, policy);
}

/** window.open / target=_blank: always refused; the app has one window. */
export function windowOpenDecision(_url: string): { action: 'deny' } {
  return { action: 'deny' };
}

/** <webview> is disabled in webPreferences; refuse any attach that still happens. */
export function webviewAttachAllowed(): boolean {
  return false;
}

/** The app needs no camera, microphone, notifications from the page, clipboard reads...: deny all. */
export function permissionGranted(_permission: string): boolean {
  return false;
}

/** What we know about the frame that sent an IPC message. */
export interface SenderFrame {
  readonly url: string;
  readonly processId: number;
  readonly routingId: number;
}

/**
 * An IPC message is trusted only when it comes from our window's main frame
 * (not an iframe, not another window) showing our own page.
 */
export function isTrustedSender(
  sender: SenderFrame | null | undefined,
  mainFrame: SenderFrame | null | undefined,
  policy: AppUrlPolicy,
): boolean {
  if (!sender || !mainFrame) return false;
  if (sender.processId !== mainFrame.processId || sender.routingId !== mainFrame.routingId)
    return false;
  return isAppUrl(sender.url, policy);
}
