import { describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  APP_ORIGIN,
  CONTENT_SECURITY_POLICY,
  DENIED_PERMISSIONS,
  decideNavigation,
  decidePermission,
  devContentSecurityPolicy,
  isAllowedRequestUrl,
  isAppUrl,
  originOf,
  resolveAppOrigin,
  secureWebPreferences,
} from '../../../electron/shell/security.ts';

const DEV = 'http://localhost:5173';

/** URLs that must never count as the app's, whatever the origin in use. */
const HOSTILE = [
  'app://enclave.evil/index.html',
  'app://enclave.evil.com/',
  'app://evil.enclave/',
  'app://enclave./index.html',
  'app://enclave@evil.com/index.html',
  'app://evil.com@enclave/index.html',
  'app://user:pass@enclave/index.html',
  'app://enclave:8080/index.html',
  'app://%65nclave/index.html',
  'app://еnclave/index.html', // Cyrillic е
  'app:///index.html',
  'app:enclave/index.html',
  'app://enclave\\@evil.com/',
  ' app://enclave/index.html',
  'app://enclave/index.html ',
  'app://encl\tave/index.html',
  'app://enclave/\nindex.html',
  'app://enclave/index.html\u0000',
  'apps://enclave/index.html',
  'javascript:alert(1)',
  'JAVASCRIPT:alert(1)',
  ' javascript:alert(1)',
  'java\tscript:alert(1)',
  'javascript://enclave/%0Aalert(1)',
  'file:///etc/passwd',
  'FILE:///C:/Windows/win.ini',
  'file://enclave/index.html',
  'data:text/html,<script>alert(1)</script>',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  'blob:app://enclave/0f6e0c8e-0000-4000-8000-000000000000',
  'http://127.0.0.1:1234/',
  'http://localhost:5174/',
  'https://localhost:5173/',
  'http://localhost.evil.com:5173/',
  'http://localhost:5173@evil.com/',
  'https://huggingface.co/',
  'https://enclave/',
  'ws://localhost:5173/',
  'about:blank',
  'chrome://gpu',
  'devtools://devtools/bundled/devtools_app.html',
  'view-source:app://enclave/index.html',
  '',
  'not a url',
  `app://enclave/${'a'.repeat(9000)}`,
];

describe('secureWebPreferences', () => {
  it('isolates and sandboxes the renderer, with no Node and nothing lax', () => {
    expect(secureWebPreferences('/p/preload.cjs')).toEqual({
      preload: '/p/preload.cjs',
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
    });
  });
});

describe('CONTENT_SECURITY_POLICY', () => {
  const directives = new Map(
    CONTENT_SECURITY_POLICY.split(';').map((d) => {
      const [name = '', ...values] = d.trim().split(/\s+/);
      return [name, values] as const;
    }),
  );

  it('allows scripts only from the app itself', () => {
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('img-src')).toEqual(["'self'", 'data:']);
    expect(directives.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
  });

  it('shuts plugins, base rewriting, frames and form posts', () => {
    for (const name of ['object-src', 'base-uri', 'frame-src', 'form-action']) expect(directives.get(name)).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|\*|https?:/);
  });

  it('opens only what hot reload needs in development', () => {
    const dev = devContentSecurityPolicy(DEV);
    expect(dev).toContain("script-src 'self' 'unsafe-inline'");
    expect(dev).toContain("connect-src 'self' ws://localhost:5173");
    expect(dev).toContain("object-src 'none'");
    expect(dev).not.toContain('unsafe-eval');
  });
});

describe('origins', () => {
  it('computes the origin of app: URLs, which WHATWG calls "null"', () => {
    expect(originOf(APP_ENTRY_URL)).toBe(APP_ORIGIN);
    expect(originOf('app://enclave')).toBe('app://enclave');
    expect(originOf('http://localhost:5173/src/main.tsx?v=1')).toBe(DEV);
    expect(originOf('app://user@enclave/')).toBeNull();
    expect(originOf('javascript:alert(1)')).toBeNull();
  });

  it('uses app://enclave unless a local dev server is given', () => {
    expect(resolveAppOrigin(undefined)).toBe(APP_ORIGIN);
    expect(resolveAppOrigin('  ')).toBe(APP_ORIGIN);
    expect(resolveAppOrigin('http://localhost:5173')).toBe(DEV);
    expect(resolveAppOrigin('http://127.0.0.1:5173/')).toBe('http://127.0.0.1:5173');
    expect(resolveAppOrigin('http://[::1]:5173/')).toBe('http://[::1]:5173');
  });

  it('refuses a dev server that is not on this machine', () => {
    for (const url of ['http://192.168.1.10:5173', 'https://evil.com', 'http://localhost.evil.com:5173', 'http://user@localhost:5173', 'file:///tmp/index.html', 'ws://localhost:5173', 'junk']) {
      expect(() => resolveAppOrigin(url), url).toThrow(/refusing/);
    }
  });
});

describe('isAppUrl', () => {
  it('accepts the app origin, its pages and assets', () => {
    for (const url of [
      APP_ENTRY_URL,
      'app://enclave/',
      'app://enclave',
      'app://enclave/assets/index-D3EUN2A5.js',
      'app://enclave/index.html#/chat?id=1',
      'APP://enclave/index.html',
      'app://ENCLAVE/index.html',
    ]) {
      expect(isAppUrl(url), url).toBe(true);
    }
  });

  it.each(HOSTILE)('refuses %j', (url) => {
    expect(isAppUrl(url)).toBe(false);
  });

  it('in development trusts the dev server and nothing else', () => {
    expect(isAppUrl('http://localhost:5173/', DEV)).toBe(true);
    expect(isAppUrl('http://localhost:5173/src/main.tsx', DEV)).toBe(true);
    expect(isAppUrl(APP_ENTRY_URL, DEV)).toBe(false);
    for (const url of HOSTILE) expect(isAppUrl(url, DEV), url).toBe(false);
  });
});

describe('decideNavigation', () => {
  it('allows moves inside the app', () => {
    expect(decideNavigation('app://enclave/index.html#/compare')).toBe('allow');
    expect(decideNavigation('http://localhost:5173/', DEV)).toBe('allow');
  });

  it.each(HOSTILE)('denies %j', (url) => {
    expect(decideNavigation(url)).toBe('deny');
    expect(decideNavigation(url, DEV)).toBe('deny');
  });
});

describe('decidePermission', () => {
  it('refuses every permission Chromium may ask for', () => {
    for (const permission of [...DENIED_PERMISSIONS, 'unknown', 'clipboard-write', '']) {
      expect(decidePermission(permission, APP_ENTRY_URL), permission).toBe(false);
    }
  });

  it('lets the app, and only the app, write to the clipboard', () => {
    expect(decidePermission('clipboard-sanitized-write', APP_ENTRY_URL)).toBe(true);
    expect(decidePermission('clipboard-sanitized-write', APP_ORIGIN)).toBe(true);
    expect(decidePermission('clipboard-sanitized-write', DEV, DEV)).toBe(true);
    for (const url of HOSTILE) expect(decidePermission('clipboard-sanitized-write', url), url).toBe(false);
  });
});

describe('isAllowedRequestUrl', () => {
  it('lets the app load its own files', () => {
    expect(isAllowedRequestUrl(APP_ENTRY_URL, APP_ORIGIN, 'mainFrame')).toBe(true);
    expect(isAllowedRequestUrl('app://enclave/assets/index.js', APP_ORIGIN, 'script')).toBe(true);
    expect(isAllowedRequestUrl('app://enclave/assets/index.css', APP_ORIGIN, 'stylesheet')).toBe(true);
  });

  it('lets the built-in devtools work', () => {
    expect(isAllowedRequestUrl('devtools://devtools/bundled/devtools_app.html', APP_ORIGIN, 'mainFrame')).toBe(true);
  });

  it('lets the dev server and its hot-reload socket through in development only', () => {
    expect(isAllowedRequestUrl('http://localhost:5173/@vite/client', DEV, 'script')).toBe(true);
    expect(isAllowedRequestUrl('ws://localhost:5173/?token=abc', DEV, 'webSocket')).toBe(true);
    expect(isAllowedRequestUrl('ws://localhost:5174/', DEV, 'webSocket')).toBe(false);
    expect(isAllowedRequestUrl('wss://localhost:5173/', DEV, 'webSocket')).toBe(false);
    expect(isAllowedRequestUrl('http://localhost:5173/@vite/client', APP_ORIGIN, 'script')).toBe(false);
    expect(isAllowedRequestUrl('ws://localhost:5173/', APP_ORIGIN, 'webSocket')).toBe(false);
  });

  it('allows data: for images but never for documents', () => {
    const pixel = 'data:image/png;base64,iVBORw0KGgo=';
    expect(isAllowedRequestUrl(pixel, APP_ORIGIN, 'image')).toBe(true);
    for (const type of ['mainFrame', 'subFrame', 'script', 'xhr', undefined]) {
      expect(isAllowedRequestUrl('data:text/html,<script>alert(1)</script>', APP_ORIGIN, type), String(type)).toBe(false);
    }
  });

  it("allows the app's own blob: resources, never as documents", () => {
    const blob = 'blob:app://enclave/0f6e0c8e-0000-4000-8000-000000000000';
    expect(isAllowedRequestUrl(blob, APP_ORIGIN, 'image')).toBe(true);
    expect(isAllowedRequestUrl(blob, APP_ORIGIN, 'xhr')).toBe(true);
    for (const type of ['mainFrame', 'subFrame', 'script', 'object', undefined]) expect(isAllowedRequestUrl(blob, APP_ORIGIN, type), String(type)).toBe(false);
    expect(isAllowedRequestUrl(blob, DEV, 'image')).toBe(false);
    expect(isAllowedRequestUrl('blob:https://evil.com/0f6e0c8e', APP_ORIGIN, 'image')).toBe(false);
  });

  it('cancels everything that would leave the app', () => {
    const offApp = HOSTILE.filter((url) => !url.startsWith('devtools:') && !url.startsWith('blob:app://enclave/'));
    for (const type of ['mainFrame', 'subFrame', 'script', 'xhr', 'webSocket', 'ping', 'other']) {
      for (const url of offApp) expect(isAllowedRequestUrl(url, APP_ORIGIN, type), `${type} ${url}`).toBe(false);
    }
    for (const url of ['https://huggingface.co/api/models', 'http://127.0.0.1:8080/v1/models', 'wss://evil.com/', 'ftp://evil.com/']) {
      expect(isAllowedRequestUrl(url, DEV, 'xhr'), url).toBe(false);
    }
  });
});
