import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentTypeFor, isInside, resolveAppPath, serveAppRequest } from '../../../electron/shell/app-files.ts';
import { CONTENT_SECURITY_POLICY } from '../../../electron/shell/security.ts';

const ROOT = '/srv/enclave/out/renderer';

describe('resolveAppPath', () => {
  it('maps app URLs to files inside the root', () => {
    expect(resolveAppPath(ROOT, 'app://enclave/index.html')).toBe(join(ROOT, 'index.html'));
    expect(resolveAppPath(ROOT, 'app://enclave/')).toBe(join(ROOT, 'index.html'));
    expect(resolveAppPath(ROOT, 'app://enclave')).toBe(join(ROOT, 'index.html'));
    expect(resolveAppPath(ROOT, 'app://enclave/assets/index-D3EUN2A5.js?v=2#x')).toBe(join(ROOT, 'assets', 'index-D3EUN2A5.js'));
    expect(resolveAppPath(ROOT, 'app://enclave/assets/Noto%20Sans.woff2')).toBe(join(ROOT, 'assets', 'Noto Sans.woff2'));
    expect(resolveAppPath(ROOT, 'app://enclave/index.html?next=../../etc/passwd')).toBe(join(ROOT, 'index.html'));
  });

  it.each([
    'app://enclave/../secret.txt',
    'app://enclave/assets/../../secret.txt',
    'app://enclave/./index.html',
    'app://enclave/%2e%2e/secret.txt',
    'app://enclave/%2E%2E/%2E%2E/etc/passwd',
    'app://enclave/.%2e/secret.txt',
    'app://enclave/%2e/index.html',
    'app://enclave/assets/..%2f..%2fsecret.txt',
    'app://enclave/..%5c..%5csecret.txt',
    'app://enclave/%2fetc%2fpasswd',
    'app://enclave//etc/passwd',
    'app://enclave/assets//index.js',
    'app://enclave/assets/',
    'app://enclave/C:/Windows/win.ini',
    'app://enclave/C%3A%5CWindows%5Cwin.ini',
    'app://enclave/index.html%00.png',
    'app://enclave/%E0%A4%A',
    'app://enclave/.env',
    'app://enclave/.vite/manifest.json',
    'app://enclave\\..\\secret.txt',
    'app://enclave/assets\\..\\..\\secret.txt',
    'app://enclave.evil/index.html',
    'app://enclave@evil/index.html',
    'app:///etc/passwd',
    'file:///etc/passwd',
    'http://enclave/index.html',
  ])('refuses %j', (url) => {
    expect(resolveAppPath(ROOT, url)).toBeNull();
  });

  it('knows what is inside a folder', () => {
    expect(isInside('/a/b', '/a/b')).toBe(true);
    expect(isInside('/a/b', '/a/b/c/d')).toBe(true);
    expect(isInside('/a/b', '/a/bc')).toBe(false);
    expect(isInside('/a/b', '/a')).toBe(false);
    expect(isInside('/a/b', '/etc/passwd')).toBe(false);
  });

  it('names content types, octet-stream when unknown', () => {
    expect(contentTypeFor('/x/index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeFor('/x/a.JS')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeFor('/x/a.woff2')).toBe('font/woff2');
    expect(contentTypeFor('/x/a.exe')).toBe('application/octet-stream');
  });
});

describe('serveAppRequest', () => {
  let dir: string;
  let root: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'enclave-app-files-'));
    root = join(dir, 'renderer');
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>Enclave</title>');
    writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(dir, 'secret.txt'), 'secret');
    symlinkSync(join(dir, 'secret.txt'), join(root, 'assets', 'link.txt'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const get = (url: string, method = 'GET') => serveAppRequest(root, new Request(url, { method }));

  it('serves the page and its assets with their type and the CSP', async () => {
    const page = await get('app://enclave/index.html');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Enclave</title>');
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const script = await get('app://enclave/assets/app.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe('console.log(1)');
  });

  it('answers HEAD without a body', async () => {
    const head = await get('app://enclave/', 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('answers 404 with the CSP for missing files, folders, traversal and links out of the root', async () => {
    for (const url of ['app://enclave/missing.js', 'app://enclave/assets', 'app://enclave/%2e%2e/secret.txt', 'app://enclave/assets/link.txt', 'app://evil/index.html']) {
      const response = await get(url);
      expect(response.status, url).toBe(404);
      expect(await response.text(), url).not.toContain('secret');
      expect(response.headers.get('content-security-policy'), url).toBe(CONTENT_SECURITY_POLICY);
    }
  });

  it('refuses methods other than GET and HEAD', async () => {
    const response = await get('app://enclave/index.html', 'POST');
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });
});
