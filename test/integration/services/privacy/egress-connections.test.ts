/**
 * The egress gate at the connection level: with the global dispatcher installed, every socket that
 * fetch opens (ipull's, a redirect's, or a fetch that never called `authorize`) is checked and
 * logged. Two fake Hugging Face servers on 127.0.0.1: the "site" redirects to the "CDN" on another
 * port, and a small CONNECT proxy stands for a company proxy.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { DownloadJob } from '#shared/downloads.ts';
import type { EgressLogEntry } from '#shared/privacy.ts';
import { DownloadService } from '../../../../electron/services/models/downloads/download-service.ts';
import { sha256File } from '../../../../electron/services/models/downloads/verify.ts';
import { EgressGate } from '../../../../electron/services/privacy/egress.ts';
import { createEgressDispatcher, installEgressDispatcher, type EgressDispatcher } from '../../../../electron/services/privacy/egress-dispatcher.ts';
import { ensureFixtureModels } from '../../../fixtures/gguf/index.ts';
import { startFakeHfServer, type FakeHfServer } from '../../../support/fake-hf-server.ts';
import { waitUntil } from '../../../support/wait-until.ts';

const REPO = 'enclave-test/Scripted-GGUF';
const FILE = 'scripted-Q8_0.gguf';

let site: FakeHfServer;
let cdn: FakeHfServer;
let dir: string;
let offline: boolean;
let allowed: string[];
let gate: EgressGate;
let dispatcher: EgressDispatcher;

const hostOf = (url: string): string => new URL(url).host;

beforeAll(async () => {
  site = await startFakeHfServer();
  cdn = await startFakeHfServer();
  const bytes = await readFile((await ensureFixtureModels()).scripted);
  site.serve(REPO, FILE, bytes);
  cdn.serve(REPO, FILE, bytes);
  site.setCdnOrigin(cdn.url);
});
afterAll(async () => {
  await site.close();
  await cdn.close();
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'enclave-egress-conn-'));
  offline = false;
  allowed = [hostOf(site.url)];
  gate = new EgressGate({ logFile: join(dir, 'egress-log.jsonl'), allowedHosts: () => allowed, offline: () => offline });
  dispatcher = installEgressDispatcher(gate, null, {});
});
afterEach(async () => {
  // Dropping the dispatcher closes its kept-alive sockets: each test starts with none.
  await dispatcher.uninstall();
  await rm(dir, { recursive: true, force: true });
});

async function download(serviceGate: Pick<EgressGate, 'authorize' | 'checkTarget'> = gate): Promise<DownloadJob> {
  const service = new DownloadService({
    modelsDir: join(dir, 'models'),
    gate: serviceGate,
    endpoint: site.url,
    emit: () => undefined,
    onVerified: () => Promise.resolve(),
    retry: { attempts: 2, baseDelayMs: 20, maxDelayMs: 50, stallMs: 3_000 },
  });
  try {
    service.start({ repo: REPO, file: FILE, catalogId: null, quant: null });
    return await waitUntil(() => service.list().find((job) => ['done', 'failed'].includes(job.state)), 'the download to end');
  } finally {
    await service.dispose();
  }
}

const connections = async (): Promise<EgressLogEntry[]> => (await gate.entries()).filter((entry) => entry.level === 'connection');

describe('connection-level egress gate', () => {
  test('a redirect to a CDN host that is not allowed is refused before any byte reaches it', async () => {
    const job = await download();
    expect(job.state).toBe('failed');
    expect(job.error?.code).toBe('EGRESS_BLOCKED');
    expect(cdn.requests).toEqual([]);
    expect(await connections()).toContainEqual(expect.objectContaining({ host: hostOf(site.url), outcome: 'allowed', purpose: 'model-metadata' }));
    expect(await gate.entries()).toContainEqual(expect.objectContaining({ host: hostOf(cdn.url), outcome: 'blocked-host', purpose: 'model-download' }));
  });

  test('without the redirect check, the connection-level gate alone stops ipull at the CDN socket, at once', async () => {
    const job = await download({ authorize: (request) => gate.authorize(request), checkTarget: () => undefined });
    expect(job.state).toBe('failed');
    expect(job.error?.code).toBe('EGRESS_BLOCKED');
    expect(job.attempt).toBe(1);
    expect(cdn.requests).toEqual([]);
    expect(await connections()).toContainEqual(expect.objectContaining({ host: hostOf(cdn.url), outcome: 'blocked-host', purpose: 'model-download' }));
  });

  test('with the CDN host allowed, the download follows the redirect, verifies, and the log shows both hops', async () => {
    allowed = [hostOf(site.url), hostOf(cdn.url)];
    const job = await download();
    expect(job.error).toBeNull();
    expect(job.state).toBe('done');
    expect(await sha256File(join(dir, 'models', FILE))).toBe(site.sha256(REPO, FILE));
    expect(cdn.bytesServed(REPO, FILE)).toBeGreaterThan(0);
    const log = await connections();
    expect(log).toContainEqual(expect.objectContaining({ host: hostOf(site.url), url: `${site.url}/`, outcome: 'allowed' }));
    expect(log).toContainEqual(expect.objectContaining({ host: hostOf(cdn.url), url: `${cdn.url}/`, outcome: 'allowed', purpose: 'model-download' }));
    expect(log.filter((entry) => entry.outcome !== 'allowed')).toEqual([]);
  });

  test('offline refuses at the connection even for a fetch that bypasses authorize', async () => {
    offline = true;
    const before = site.requests.length;
    const failure = await fetch(`${site.url}/${REPO}/resolve/main/${FILE}`).then(
      () => null,
      (error: unknown) => error,
    );
    expect((failure as Error).cause).toMatchObject({ code: 'OFFLINE' });
    expect(site.requests.length).toBe(before);
    expect(await connections()).toEqual([expect.objectContaining({ host: hostOf(site.url), outcome: 'blocked-offline', purpose: 'unattributed' })]);
  });

  test('a fetch while no user-started download runs is refused, even to an allowed host and over a kept-alive socket', async () => {
    allowed = [hostOf(cdn.url)];
    const handle = gate.authorize({ url: `${cdn.url}/cdn/${REPO}/${FILE}`, purpose: 'model-metadata', userInitiated: true });
    const response = await fetch(`${cdn.url}/cdn/${REPO}/${FILE}?expires=${Date.now() + 60_000}`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    handle.finish('completed');
    const before = cdn.requests.length;
    const failure = await fetch(`${cdn.url}/cdn/${REPO}/${FILE}`, { method: 'HEAD' }).then(
      () => null,
      (error: unknown) => error,
    );
    expect((failure as Error).cause).toMatchObject({ code: 'EGRESS_BLOCKED' });
    expect(cdn.requests.length).toBe(before);
    expect((await connections()).at(-1)).toMatchObject({ host: hostOf(cdn.url), outcome: 'blocked-not-user-initiated', purpose: 'unattributed' });
  });
});

describe('proxy', () => {
  let proxy: Server;
  let proxyUrl: string;
  let tunnels: string[];

  beforeAll(async () => {
    tunnels = [];
    proxy = createServer((_request, response) => response.writeHead(405).end());
    proxy.on('connect', (request, client: Socket) => {
      tunnels.push(request.url ?? '');
      const [host = '', port = ''] = (request.url ?? '').split(':');
      const upstream = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => proxy.close(() => resolve())));

  test('goes through the proxy setting, still gated on the target host', async () => {
    dispatcher.setProxy(proxyUrl);
    const handle = gate.authorize({ url: `${site.url}/`, purpose: 'model-metadata', userInitiated: true });
    const response = await fetch(`${site.url}/${REPO}/resolve/main/${FILE}`, { method: 'HEAD', redirect: 'manual' });
    handle.finish('completed');
    expect(response.status).toBe(302);
    expect(tunnels).toEqual([hostOf(site.url)]);

    // The CDN is not allowed: refused before the proxy is asked to open a tunnel to it.
    const refused = gate.authorize({ url: `${site.url}/`, purpose: 'model-download', userInitiated: true });
    const failure = await fetch(`${cdn.url}/cdn/${REPO}/${FILE}`, { method: 'HEAD' }).then(
      () => null,
      (error: unknown) => error,
    );
    refused.finish('failed');
    expect((failure as Error).cause).toMatchObject({ code: 'EGRESS_BLOCKED' });
    expect(tunnels).toEqual([hostOf(site.url)]);
  });

  test('reads HTTPS_PROXY from the environment', async () => {
    tunnels.length = 0;
    const agent = createEgressDispatcher(gate, null, { HTTPS_PROXY: proxyUrl, HTTP_PROXY: proxyUrl });
    const handle = gate.authorize({ url: `${site.url}/`, purpose: 'model-metadata', userInitiated: true });
    const response = await fetch(`${site.url}/${REPO}/resolve/main/${FILE}`, { method: 'HEAD', redirect: 'manual', dispatcher: agent } as RequestInit);
    handle.finish('completed');
    await agent.close();
    expect(response.status).toBe(302);
    expect(tunnels).toEqual([hostOf(site.url)]);
  });
});
