/**
 * The Electron shell's security decisions as pure functions. No `electron` import: they run and
 * are tested in plain Node, and electron/main.ts only wires them in.
 *
 * One rule runs through all of them: the app trusts exactly one origin, the one its renderer is
 * served from (`app://enclave` when built, the electron-vite dev server in development), and
 * refuses everything else, including anything it cannot parse.
 */
import { CSP_DIRECTIVES } from '#shared/content-security.ts';
import { isLoopbackHostname } from '#shared/loopback.ts';

export { CONTENT_SECURITY_POLICY } from '#shared/content-security.ts';

export const APP_SCHEME = 'app';
export const APP_HOST = 'enclave';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** The renderer's web preferences: sandboxed, isolated, no Node, no webview, nothing lax. */
export function secureWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    spellcheck: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
  } as const;
}

export type SecureWebPreferences = ReturnType<typeof secureWebPreferences>;

/**
 * The policy for the dev server's pages: the same, plus what Vite's hot reload needs (the inline
 * React Refresh preamble and the WebSocket back to the dev server).
 */
export function devContentSecurityPolicy(devOrigin: string): string {
  const socket = devOrigin.replace(/^http/, 'ws');
  return CSP_DIRECTIVES.map((directive) => {
    if (directive.startsWith('script-src ')) return `${directive} 'unsafe-inline'`;
    if (directive.startsWith('connect-src ')) return `${directive} ${socket}`;
    return directive;
  }).join('; ');
}

const MAX_URL_CHARS = 8192;

/**
 * Whitespace, control characters and backslashes. Chromium hands over canonical URLs without them;
 * the WHATWG parser would silently strip or reinterpret them, so a URL holding one is refused.
 */
function hasSuspiciousCharacters(url: string): boolean {
  for (let i = 0; i < url.length; i++) {
    const code = url.charCodeAt(i);
    if (code <= 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x5c) return true;
  }
  return /\s/u.test(url);
}

function parse(url: unknown): URL | null {
  if (typeof url !== 'string' || url.length === 0 || url.length > MAX_URL_CHARS || hasSuspiciousCharacters(url)) return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * `scheme://host[:port]` of a hierarchical URL without user info, or null. Computed here because
 * WHATWG's `URL.origin` is "null" for schemes it does not know, such as app:.
 */
export function originOf(url: string): string | null {
  const parsed = parse(url);
  if (parsed === null || parsed.host === '' || parsed.username !== '' || parsed.password !== '') return null;
  return `${parsed.protocol}//${parsed.host.toLowerCase()}`;
}

/**
 * The one origin the renderer may come from: app://enclave, or in development (never in a
 * packaged app: the caller passes undefined there) the electron-vite dev server, which must be on
 * this machine.
 */
export function resolveAppOrigin(devServerUrl: string | undefined): string {
  if (devServerUrl === undefined || devServerUrl.trim() === '') return APP_ORIGIN;
  const parsed = parse(devServerUrl.trim());
  const origin = originOf(devServerUrl.trim());
  if (parsed === null || origin === null || !['http:', 'https:'].includes(parsed.protocol) || !isLoopbackHostname(parsed.hostname)) {
    throw new Error(`refusing to load the renderer from ${JSON.stringify(devServerUrl)}: the dev server must be http(s) on localhost`);
  }
  return origin;
}

/** Whether a URL belongs to the app's own origin (exact scheme, host and port; no user info). */
export function isAppUrl(url: string, appOrigin: string = APP_ORIGIN): boolean {
  return originOf(url) === appOrigin;
}

export type NavigationDecision = 'allow' | 'deny';

/** For will-navigate, will-redirect and will-frame-navigate: only within the app's origin. */
export function decideNavigation(url: string, appOrigin: string = APP_ORIGIN): NavigationDecision {
  return isAppUrl(url, appOrigin) ? 'allow' : 'deny';
}

/**
 * Permissions Chromium may ask for, all refused. Listed so a reader sees what is at stake; anything
 * not listed is refused too.
 */
export const DENIED_PERMISSIONS = [
  'clipboard-read',
  'deprecated-sync-clipboard-read',
  'display-capture',
  'fileSystem',
  'fullscreen',
  'geolocation',
  'hid',
  'idle-detection',
  'keyboardLock',
  'local-fonts',
  'local-network-access',
  'media',
  'mediaKeySystem',
  'midi',
  'midiSysex',
  'notifications',
  'openExternal',
  'persistent-storage',
  'pointerLock',
  'serial',
  'speaker-selection',
  'storage-access',
  'top-level-storage-access',
  'usb',
  'window-management',
] as const;

/** Writing to the clipboard, for the copy buttons. Reading it is never allowed. */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

/** For setPermissionRequestHandler and setPermissionCheckHandler. */
export function decidePermission(permission: string, requestingUrl: string, appOrigin: string = APP_ORIGIN): boolean {
  return ALLOWED_PERMISSIONS.has(permission) && isAppUrl(requestingUrl, appOrigin);
}

/** Requests that run what they load as a document or script: never from data: or blob:. */
const EXECUTABLE_TYPES = new Set(['mainFrame', 'subFrame', 'script', 'object']);

/**
 * For session.webRequest.onBeforeRequest: the app's own origin (and, when that origin is the dev
 * server, its hot-reload WebSocket), the built-in devtools, data: images and the app's own blob:
 * resources (not as documents or scripts). Everything else is cancelled: other hosts, other ports,
 * file:, data: or blob: documents. An unknown resource type counts as a document.
 */
export function isAllowedRequestUrl(url: string, appOrigin: string = APP_ORIGIN, resourceType?: string): boolean {
  const parsed = parse(url);
  if (parsed === null) return false;
  if (parsed.protocol === 'devtools:') return true;
  if (isAppUrl(url, appOrigin)) return true;
  const executable = resourceType === undefined || EXECUTABLE_TYPES.has(resourceType);
  if (parsed.protocol === 'data:') return resourceType === 'image';
  if (parsed.protocol === 'blob:') return !executable && isAppUrl(parsed.pathname, appOrigin);
  if (/^https?:\/\//.test(appOrigin) && (parsed.protocol === 'ws:' || parsed.protocol === 'wss:')) {
    return originOf(url) === appOrigin.replace(/^http/, 'ws');
  }
  return false;
}
