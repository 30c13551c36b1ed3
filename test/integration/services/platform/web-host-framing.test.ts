import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWebServer, type WebServer } from '../../../../electron/services/platform/web-server.ts';
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

it('forbids other pages to frame the web host (clickjacking)', async () => {
  const response = await directFetch(`${server.url}/`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  expect(response.headers.get('x-frame-options')).toBe('DENY');
});
