/**
 * The renderer's content security policy and the security headers, in one runtime-neutral place:
 * the Electron shell's app:// protocol, the web host and the workshop server all send them.
 */
export const CSP_DIRECTIVES = [
  "default-src 'self'",
  "script-src 'self'",
  // React sets style attributes; no inline script is ever allowed.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-src 'none'",
  "form-action 'none'",
];

/** The desktop app's policy: sent with every response of the app:// protocol. */
export const CONTENT_SECURITY_POLICY = CSP_DIRECTIVES.join('; ');

/** Headers of every answer the web host and the workshop server send. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  // No other page may frame the app and trick clicks into it (clickjacking); only a header can say so.
  'X-Frame-Options': 'DENY',
};

/**
 * The desktop app's strict policy (no remote script, image or connection), with the WebSocket back
 * to the host the page came from, and no framing. `host` is the request's Host header, already
 * checked against the address the server listens on.
 */
export function rendererContentSecurityPolicy(host: string): string {
  const directives = CSP_DIRECTIVES.map((directive) => (directive.startsWith('connect-src ') ? `${directive} ws://${host}` : directive));
  return [...directives, "frame-ancestors 'none'"].join('; ');
}
