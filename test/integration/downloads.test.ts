/**
 * The download service against a fake Hugging Face server on 127.0.0.1 serving real GGUF bytes,
 * with faults injected: cut connections, 5xx, expired links, Range ignored, a flipped byte, a stall.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { DownloadJob } from '../../shared/downloads.ts';
import { DownloadService, sha256File, type DownloadServiceOptions } from '../../electron/services/downloads.ts';
import { EgressGate } from '../../electron/services/egress.ts';
import { Library } from '../../electron/services/library.ts';
import { readManifest } from '../../electron/services/model-manifest.ts';
import { ensureFixtureModels } from '../fixtures/gguf/index.ts';
import { startFakeHfServer, type FakeHfServer } from '../support/fake-hf-server.ts';

const REPO = 'enclave-test/Scripted-GGUF';
const FILE = 'scripted-Q8_0.gguf';

let server: FakeHfServer;
let scripted: Buffer;
let dir: string;
let modelsDir: string;
let events: DownloadJob[];
let offline: boolean;
let service: DownloadService;
let library: Library;

beforeAll(async () => {
  server = await startFakeHfServer();
  scripted = await readFile((await ensureFixtureModels()).scripted);
});
afterAll(() => server.close());

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'enclave-downloads-'));
  modelsDir = join(dir, 'models');
  events = [];
  offline = false;
  library = new Library(modelsDir);
  service = createService();
});
afterEach(async () => {
  await service.dispose();
  await rm(dir, { recursive: true, force: true });
});

function createService(overrides: Partial<DownloadServiceOptions> = {}): DownloadService {
  const gate = new EgressGate({ logFile: join(dir, 'egress-log.jsonl'), allowedHosts: () => [new URL(server.url).host], offline: () => offline });
  return new DownloadService({
    modelsDir,
    gate,
    endpoint: server.url,
    emit: (job) => events.push(job),
    onVerified: () => library.rescan(),
    retry: { attempts: 6, baseDelayMs: 20, maxDelayMs: 100, stallMs: 1_500 },
    progressIntervalMs: 0,
    ...overrides,
  });
}

function settled(id: string, timeoutMs = 20_000): Promise<DownloadJob> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      const job = service.list().find((entry) => entry.id === id);
      if (job !== undefined && ['done', 'failed', 'cancelled', 'paused'].includes(job.state)) {
        clearInterval(timer);
        resolve(job);
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(timer);
        reject(new Error(`download ${id} still ${job?.state} after ${timeoutMs} ms`));
      }
    }, 20);
  });
}

async function download(file = FILE): Promise<DownloadJob> {
  const job = service.start({ repo: REPO, file, catalogId: 'test', quant: 'Q8_0' });
  return settled(job.id);
}

describe('downloads', () => {
  test('downloads, verifies the sha256 and lists the model as usable', async () => {
    server.serve(REPO, FILE, scripted);
    const job = await download();
    expect(job.state).toBe('done');
    expect(await sha256File(join(modelsDir, FILE))).toBe(server.sha256(REPO, FILE));
    const manifest = await readManifest(join(modelsDir, FILE));
    expect(manifest?.verified).toBe(true);
    expect(manifest?.parts[0]?.sha256).toBe(server.sha256(REPO, FILE));
    const model = library.list().find((entry) => entry.id === FILE);
    expect(model?.problem).toBeNull();
    expect(events.map((event) => event.state)).toEqual(expect.arrayContaining(['queued', 'downloading', 'verifying', 'done']));
    const log = (await readFile(join(dir, 'egress-log.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { purpose: string; outcome: string });
    expect(log).toEqual(expect.arrayContaining([expect.objectContaining({ purpose: 'model-metadata', outcome: 'completed' }), expect.objectContaining({ purpose: 'model-download', outcome: 'completed' })]));
  });

  test('survives connections cut mid-body many times', async () => {
    const big = randomBytes(3 * 1024 * 1024);
    server.serve(REPO, 'cut.gguf', big, { dropAfterBytes: [100_000, 7_000, 250_000, 1, 500_000, 33_333, 90_000, 10, 400_000, 2] });
    const job = await download('cut.gguf');
    expect(job.state).toBe('done');
    expect(await sha256File(join(modelsDir, 'cut.gguf'))).toBe(server.sha256(REPO, 'cut.gguf'));
  });

  test('retries through 500s, 503s and an expired link (403)', async () => {
    server.serve(REPO, FILE, scripted, { statuses: [500, 503, 403, 500] });
    const job = await download();
    expect(job.state).toBe('done');
    expect(await sha256File(join(modelsDir, FILE))).toBe(server.sha256(REPO, FILE));
  });

  test('works with a server that ignores Range', async () => {
    server.serve(REPO, FILE, scripted, { ignoreRange: true });
    const job = await download();
    expect(job.state).toBe('done');
    expect(await sha256File(join(modelsDir, FILE))).toBe(server.sha256(REPO, FILE));
  });

  test('a flipped byte fails verification: the file is deleted and the error says so', async () => {
    server.serve(REPO, FILE, scripted, { flipByteAt: 1234 });
    const job = await download();
    expect(job.state).toBe('failed');
    expect(job.error?.code).toBe('CHECKSUM_MISMATCH');
    expect(await readdir(modelsDir)).toEqual([]);
    await library.rescan();
    expect(library.list()).toEqual([]);
  });

  test('a stalled transfer is restarted and finishes', async () => {
    const big = randomBytes(2 * 1024 * 1024);
    // The first body sends 300 KB then stops sending without closing: only the watchdog can see it.
    server.serve(REPO, 'stall.gguf', big, { stallAfterBytes: [300_000] });
    const job = await download('stall.gguf');
    expect(job.state).toBe('done');
    expect(job.attempt).toBeGreaterThan(1);
    expect(await sha256File(join(modelsDir, 'stall.gguf'))).toBe(server.sha256(REPO, 'stall.gguf'));
  });

  test('pause keeps the partial file; resume finishes from it without fetching it again', async () => {
    // ipull writes and records progress per 5 MiB chunk: pause once chunks are on disk.
    const size = 24 * 1024 * 1024;
    server.serve(REPO, 'slow.gguf', randomBytes(size), { bytesPerSecond: 2 * 1024 * 1024 });
    const job = service.start({ repo: REPO, file: 'slow.gguf', catalogId: null, quant: null });
    await until(() => existsSync(join(modelsDir, 'slow.gguf.ipull')));
    service.pause(job.id);
    expect((await settled(job.id)).state).toBe('paused');
    expect(await readdir(modelsDir)).toContain('slow.gguf.ipull');
    expect(await readdir(modelsDir)).not.toContain('slow.gguf');
    server.setFaults(REPO, 'slow.gguf', {});
    service.resume(job.id);
    await until(() => service.list()[0]?.state !== 'paused');
    const done = await settled(job.id);
    expect(done.state).toBe('done');
    expect(await sha256File(join(modelsDir, 'slow.gguf'))).toBe(server.sha256(REPO, 'slow.gguf'));
    // Resumed, not restarted: at most the chunks in flight at the pause were fetched twice.
    expect(server.bytesServed(REPO, 'slow.gguf')).toBeLessThan(size + 3 * 5 * 1024 * 1024);
  });

  test('cancel deletes the partial file and the manifest', async () => {
    server.serve(REPO, 'slow.gguf', randomBytes(4 * 1024 * 1024), { bytesPerSecond: 1024 * 1024 });
    const job = service.start({ repo: REPO, file: 'slow.gguf', catalogId: null, quant: null });
    await until(() => (service.list()[0]?.downloadedBytes ?? 0) > 0);
    await service.cancel(job.id);
    expect((await settled(job.id)).state).toBe('cancelled');
    expect(await readdir(modelsDir)).toEqual([]);
  });

  test('refuses to start without enough disk space, and says so', async () => {
    service = createService({ freeBytes: () => Promise.resolve(1024) });
    server.serve(REPO, FILE, scripted);
    const job = await download();
    expect(job.state).toBe('failed');
    expect(job.error?.code).toBe('DISK_FULL');
    expect(job.error?.details).toMatchObject({ freeBytes: 1024 });
  });

  test('offline mode refuses the download through the egress gate', async () => {
    offline = true;
    server.serve(REPO, FILE, scripted);
    const before = server.requests.length;
    const job = await download();
    expect(job.state).toBe('failed');
    expect(job.error?.code).toBe('OFFLINE');
    expect(server.requests.length).toBe(before);
  });

  test('a missing file fails at once with the HTTP status', async () => {
    const job = await download('absent.gguf');
    expect(job.state).toBe('failed');
    expect(job.error?.code).toBe('DOWNLOAD_FAILED');
    expect(job.error?.message).toMatch(/404/);
    expect(job.attempt).toBe(1);
  });

  test('downloads every part of a split model and verifies each', async () => {
    const parts = ['split-00001-of-00002.gguf', 'split-00002-of-00002.gguf'];
    for (const part of parts) server.serve(REPO, part, randomBytes(300_000));
    const job = await download(parts[0]);
    expect(job.state).toBe('done');
    for (const part of parts) expect(await sha256File(join(modelsDir, part))).toBe(server.sha256(REPO, part));
    expect((await readManifest(join(modelsDir, parts[0] ?? '')))?.parts.map((part) => part.sha256)).toEqual(parts.map((part) => server.sha256(REPO, part)));
  });
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
