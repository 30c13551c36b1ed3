import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ServerFrame } from '#shared/contract.ts';
import { allowedHosts, startWebServer, type WebServer } from '../../../../electron/services/platform/web-server.ts';
import { CONTENT_SECURITY_POLICY } from '../../../../electron/shell/security.ts';
import { directFetch } from '../../../support/loopback.ts';
import { createTestHost, type TestHost } from '../../../support/test-host.ts';

let testHost: TestHost;
let server: WebServer;
let staticDir: string;

beforeAll(async () => {
  testHost = await createTestHost();
  staticDir = await mkdtemp(join(tmpdir(), 'enclave-static-'));
  await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>Enclave</title>');
  server = await startWebServer({ host: testHost.host, staticDir, port: 0, dataDir: testHost.dataDir });
});

afterAll(async () => {
  await server.close();
  await testHost.dispose();
  await rm(staticDir, { recursive: true, force: true });
});

function connect(headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { headers });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => reject(new Error(`refused with HTTP ${res.statusCode}`)));
  });
}

/** Sends raw text and resolves with the next result frame. */
function exchange(socket: WebSocket, text: string): Promise<Extract<ServerFrame, { type: 'result' }>> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer): void => {
      const frame = JSON.parse(data.toString()) as ServerFrame;
      if (frame.type !== 'result') return;
      socket.off('message', onMessage);
      resolve(frame);
    };
    socket.on('message', onMessage);
    socket.send(text);
  });
}

function httpGet(path: string, hostHeader: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers: { host: hostHeader } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('web host transport', () => {
  it('serves the renderer on loopback and refuses foreign Host headers (DNS rebinding)', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const page = await httpGet('/', `127.0.0.1:${server.port}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Enclave</title>');
    expect((await httpGet('/', `evil.example:${server.port}`)).status).toBe(421);
  });

  it('sends the desktop app’s strict Content-Security-Policy, with the WebSocket back to this host', async () => {
    const page = await new Promise<Record<string, string | string[] | undefined>>((resolve, reject) => {
      request({ host: '127.0.0.1', port: server.port, path: '/' }, (res) => {
        res.resume();
        resolve(res.headers);
      })
        .on('error', reject)
        .end();
    });
    const directives = String(page['content-security-policy']).split('; ');
    for (const directive of CONTENT_SECURITY_POLICY.split('; ')) {
      if (directive.startsWith('connect-src ')) expect(directives).toContain(`${directive} ws://127.0.0.1:${server.port}`);
      else expect(directives).toContain(directive);
    }
    expect(directives).toContain("frame-ancestors 'none'");
    expect(directives).toContain("default-src 'self'");
    expect(directives.find((directive) => directive.startsWith('img-src '))).toBe("img-src 'self' data:");
    expect(page['x-frame-options']).toBe('DENY');
    expect(page['x-content-type-options']).toBe('nosniff');
  });

  it('forbids other pages to frame the web host (clickjacking)', async () => {
    const response = await directFetch(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-frame-options')).toBe('DENY');
  });

  it('names an IPv6 listening address in brackets, as browsers send it', () => {
    const lan = allowedHosts({ address: 'fd00::2', port: 5180 });
    expect(lan).toEqual(new Set(['[fd00::2]:5180']));
    expect(allowedHosts({ address: '192.168.1.20', port: 5180 })).toEqual(new Set(['192.168.1.20:5180']));
    expect(allowedHosts({ address: '::1', port: 80 })).toEqual(new Set(['[::1]:80', '127.0.0.1:80', 'localhost:80']));
  });

  it('serves on IPv6 loopback when asked to', async () => {
    const v6 = await startWebServer({ host: testHost.host, staticDir, port: 0, dataDir: testHost.dataDir, address: '::1' }).catch((error: unknown) => error);
    if (v6 instanceof Error) {
      console.log(`skipped: this machine cannot listen on ::1 (${v6.message})`);
      return;
    }
    const served = v6 as WebServer;
    try {
      expect(served.url).toBe(`http://[::1]:${served.port}`);
      const status = await new Promise<number>((resolve, reject) => {
        request({ host: '::1', port: served.port, path: '/', headers: { host: `[::1]:${served.port}` } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
      expect(status).toBe(200);
    } finally {
      await served.close();
    }
  });

  it('refuses a WebSocket opened by another origin', async () => {
    await expect(connect({ origin: 'https://evil.example' })).rejects.toThrow(/HTTP 40\d/);
    const same = await connect({ origin: `http://127.0.0.1:${server.port}` });
    same.close();
  });

  it('answers a valid call and echoes its id', async () => {
    const socket = await connect();
    const frame = await exchange(socket, JSON.stringify({ type: 'call', id: 7, command: 'app.info', input: {} }));
    expect(frame).toMatchObject({ id: 7, ok: true, result: { host: 'web', modelsDir: testHost.modelsDir } });
    socket.close();
  });

  it.each([
    ['not JSON', 'nonsense{', 'BAD_REQUEST', -1],
    ['a JSON number', '42', 'BAD_REQUEST', -1],
    ['a frame without id', JSON.stringify({ type: 'call', command: 'app.info', input: {} }), 'BAD_REQUEST', -1],
    ['an unknown command', JSON.stringify({ type: 'call', id: 1, command: 'fs.readFile', input: {} }), 'UNKNOWN_COMMAND', 1],
    ['a prototype key as command', JSON.stringify({ type: 'call', id: 2, command: '__proto__', input: {} }), 'UNKNOWN_COMMAND', 2],
    ['a wrong input shape', JSON.stringify({ type: 'call', id: 3, command: 'chat.generate', input: { modelId: 5 } }), 'BAD_REQUEST', 3],
    [
      'an unknown model',
      JSON.stringify({ type: 'call', id: 4, command: 'chat.generate', input: { jobId: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', modelId: '../../etc/passwd', messages: [{ role: 'user', content: 'x' }] } }),
      'MODEL_NOT_FOUND',
      4,
    ],
  ])('answers %s with a typed error and keeps serving', async (_name, text, code, id) => {
    const socket = await connect();
    const frame = await exchange(socket, text);
    expect(frame).toMatchObject({ ok: false, id, error: { code } });
    const next = await exchange(socket, JSON.stringify({ type: 'call', id: 99, command: 'models.list', input: {} }));
    expect(next).toMatchObject({ ok: true, id: 99, result: [] });
    socket.close();
  });
});
