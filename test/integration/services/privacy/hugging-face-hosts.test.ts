/**
 * Downloads under Hugging Face's real host names, with the gate's production allow-list: a
 * `resolve` on huggingface.co answers 302 to each host Hugging Face serves files from today (its
 * firewall guide's list, the Xet bridge path seen on us.aws.cdn.hf.co, and the legacy names), and
 * the whole chain must download and verify, each connection logged with its host. No DNS or
 * internet here: one HTTPS stand-in on 127.0.0.1 holds a test certificate for all those names
 * (test/fixtures/tls), and the sockets the gate allows are opened to it.
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConnector } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { DownloadJob } from '#shared/downloads.ts';
import { DownloadService } from '../../../../electron/services/models/downloads/download-service.ts';
import { sha256File } from '../../../../electron/services/models/downloads/verify.ts';
import { EgressGate, modelHosts } from '../../../../electron/services/privacy/egress.ts';
import { installEgressDispatcher, type EgressDispatcher } from '../../../../electron/services/privacy/egress-dispatcher.ts';
import { ensureFixtureModels } from '../../../fixtures/gguf/index.ts';
import { startFakeHfServer, type FakeHfServer } from '../../../support/fake-hf-server.ts';
import { waitUntil } from '../../../support/wait-until.ts';

const REPO = 'enclave-test/Scripted-GGUF';
const FILE = 'scripted-Q8_0.gguf';
const TLS_DIR = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'tls');

/** Where `resolve` redirects to today, and before (every name is in the test certificate). */
const CDN_ORIGINS = [
  'https://us.aws.cdn.hf.co/xet-bridge-us',
  'https://us.gcp.cdn.hf.co/xet-bridge-us',
  'https://cas-server.xethub.hf.co',
  'https://cas-server.xethub-eu.hf.co',
  'https://transfer.xethub.hf.co',
  'https://transfer.xethub-eu.hf.co',
  'https://cdn-lfs-us-1.hf.co',
  'https://cdn-lfs-eu-1.hf.co',
  'https://cas-bridge.xethub.hf.co',
  'https://cdn-lfs.hf.co',
];

let server: FakeHfServer;
let dir: string;
let gate: EgressGate;
let dispatcher: EgressDispatcher;
let tlsConnect: buildConnector.connector;
let dialed: string[];

beforeAll(async () => {
  const [key, cert] = await Promise.all([readFile(join(TLS_DIR, 'hf-names.key'), 'utf8'), readFile(join(TLS_DIR, 'hf-names.crt'), 'utf8')]);
  server = await startFakeHfServer({ tls: { key, cert } });
  server.serve(REPO, FILE, await readFile((await ensureFixtureModels()).scripted));
  const port = Number(new URL(server.url).port);
  const tls = buildConnector({ ca: cert });
  // Certificate checks run against the real name (SNI and servername stay); only the address is loopback's.
  tlsConnect = (options, callback) => {
    dialed.push(`${options.protocol}//${options.hostname}${options.port === '' ? '' : `:${options.port}`}`);
    tls({ ...options, hostname: '127.0.0.1', servername: options.hostname, port: String(port) }, callback);
  };
});
afterAll(async () => {
  await server.close();
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'enclave-hf-hosts-'));
  dialed = [];
  gate = new EgressGate({ logFile: join(dir, 'egress-log.jsonl'), allowedHosts: () => modelHosts(undefined), offline: () => false });
  dispatcher = installEgressDispatcher(gate, null, {}, { connect: tlsConnect });
});
afterEach(async () => {
  await dispatcher.uninstall();
  await rm(dir, { recursive: true, force: true });
});

async function download(): Promise<DownloadJob> {
  const service = new DownloadService({
    modelsDir: join(dir, 'models'),
    gate,
    endpoint: 'https://huggingface.co',
    emit: () => undefined,
    onVerified: () => Promise.resolve(),
    retry: { attempts: 2, baseDelayMs: 20, maxDelayMs: 50, stallMs: 5_000 },
  });
  try {
    service.start({ repo: REPO, file: FILE, catalogId: null, quant: null });
    return await waitUntil(() => service.list().find((job) => ['done', 'failed'].includes(job.state)), 'the download to end');
  } finally {
    await service.dispose();
  }
}

describe("downloads under Hugging Face's current host names", () => {
  test.each(CDN_ORIGINS)('huggingface.co redirects to %s: downloaded, verified, both hops logged by name', async (origin) => {
    server.setCdnOrigin(origin);
    const cdnHost = new URL(origin).host;
    const job = await download();
    expect(job.error, `the job ended ${job.state}`).toBeNull();
    expect(job.state).toBe('done');
    expect(await sha256File(join(dir, 'models', FILE))).toBe(server.sha256(REPO, FILE));
    const log = await gate.entries();
    expect(log).toContainEqual(expect.objectContaining({ level: 'connection', host: 'huggingface.co', outcome: 'allowed' }));
    expect(log).toContainEqual(expect.objectContaining({ level: 'connection', host: cdnHost, url: `https://${cdnHost}/`, outcome: 'allowed', purpose: 'model-download' }));
    expect(log.filter((entry) => entry.outcome.startsWith('blocked'))).toEqual([]);
    expect(dialed).toContain(`https://${cdnHost}`);
    expect(server.requests.some((line) => line.startsWith('GET ') && line.includes(`${new URL(origin).pathname.replace(/\/$/, '')}/cdn/${REPO}/`))).toBe(true);
  });

  test('a redirect to a name that only looks like Hugging Face is refused before a socket opens', async () => {
    server.setCdnOrigin('https://cdn-lfs.hf.co.evil.example');
    const job = await download();
    expect(job.state).toBe('failed');
    expect(job.error?.code).toBe('EGRESS_BLOCKED');
    expect(dialed.filter((target) => target.includes('evil'))).toEqual([]);
    expect(await gate.entries()).toContainEqual(expect.objectContaining({ host: 'cdn-lfs.hf.co.evil.example', outcome: 'blocked-host' }));
  });
});
