/**
 * Serves the built renderer (out/renderer) for the app:// protocol. Pure Node (fs and the global
 * Request/Response), so it is tested without Electron; app-protocol.electron.ts hands it to
 * `protocol.handle`.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';
import { APP_ORIGIN, CONTENT_SECURITY_POLICY, isAppUrl } from './security.ts';

/**
 * The file an app:// URL names inside rootDir, or null when the URL is not the app's or could
 * reach outside rootDir: `..` (plain or percent-encoded), encoded slashes or backslashes, drive
 * letters, null bytes, empty segments and dot-files are all refused. `/` is index.html.
 */
export function resolveAppPath(rootDir: string, requestUrl: string): string | null {
  if (!isAppUrl(requestUrl, APP_ORIGIN)) return null;
  // The path as written, before the URL parser would quietly resolve `..` and `%2e%2e`: a request
  // that tries them is refused rather than clamped to the root.
  const pathname = requestUrl.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').replace(/[?#].*$/s, '');
  const raw = pathname === '' || pathname === '/' ? ['index.html'] : pathname.slice(1).split('/');
  const segments: string[] = [];
  for (const encoded of raw) {
    let segment: string;
    try {
      segment = decodeURIComponent(encoded);
    } catch {
      return null;
    }
    if (segment === '' || segment.startsWith('.') || /[/\\:\0]/.test(segment)) return null;
    segments.push(segment);
  }
  const root = resolve(rootDir);
  const file = join(root, ...segments);
  return isInside(root, file) ? file : null;
}

/** Whether `path` is `root` itself or below it. Both must be absolute. */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
};

export function contentTypeFor(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** Headers on every app:// response, errors included. */
export function appResponseHeaders(contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  };
}

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: appResponseHeaders('text/plain; charset=utf-8') });
}

/** Answers one app:// request from the files under rootDir. Never throws. */
export async function serveAppRequest(rootDir: string, request: Request): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    const response = plain(405, 'Method Not Allowed');
    response.headers.set('Allow', 'GET, HEAD');
    return response;
  }
  const file = resolveAppPath(rootDir, request.url);
  if (file === null) return plain(404, 'Not Found');
  try {
    // A link inside the folder must not lead out of it.
    const [realRoot, realFile] = await Promise.all([realpath(rootDir), realpath(file)]);
    if (!isInside(realRoot, realFile) || !(await stat(realFile)).isFile()) return plain(404, 'Not Found');
    const body = request.method === 'HEAD' ? null : new Uint8Array(await readFile(realFile));
    return new Response(body, { status: 200, headers: appResponseHeaders(contentTypeFor(realFile)) });
  } catch {
    return plain(404, 'Not Found');
  }
}
