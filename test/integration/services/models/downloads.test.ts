/**
 * The download service against a fake Hugging Face server on 127.0.0.1 serving real GGUF bytes,
 * with faults injected: cut connections, 5xx, expired links, Range ignored (also when resuming),
 * a flipped byte, a stall, a setup that never gets an answer, a slow trickle, a full disk.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { DownloadJob } from '#shared/downloads.ts';
import { DownloadService, type DownloadServiceOptions } from '../../../../electron/services/models/downloads/download-service.ts';
import { sha256File } from '../../../../electron/services/models/downloads/verify.ts';
import { EgressGate } from '../../../../electron/services/privacy/egress.ts';
import { Library } from '../../../../electron/services/models/library.ts';
import { readManifest } from '../../../../electron/services/models/manifest.ts';
import { ensureFixtureModels } from '../../../fixtures/gguf/index.ts';
import { startFakeHfServer, type FakeHfServer } from '../../../support/fake-hf-server.ts';
import { waitUntil } from '../../../support/wait-until.ts';

const REPO = 'enclave-test/Scripted-GGUF';
const FILE = 'scripted-Q8_0.gguf';
/**
 * Tries per start: the DownloadService's own retries for network faults (a product feature; the
 * test runner retries nothing). 2 is what these tests need: one try that fails as injected (a 403
 * before any byte, an expired link, a stall, a setup that gets no answer), then one that finishes.
 * Cut connections and 5xx answers are retried by ipull inside one try.
 */
const ATTEMPTS = 2;
/**
 * The stall limit where a test is not about stalls: above ipull's own reconnect backoff (200 ms,
 * x1.5 per retry, at most 5 s) and whatever a loaded machine adds, so the watchdog stays out of the
 * way. At 1.5 s it fired during ipull's backoff after a cut, and during a slow first byte under
 * load, spending tries of the service: how many depended on the machine's load.
 */
const NO_STALL_MS = 20_000;
/** The stall limit for the watchdog's own tests: above the first byte's delay on a loaded 2-core machine (up to 1.7 s measured). */
const STALL_MS = 4_000;
const WATCHDOG = { attempts: ATTEMPTS, baseDelayMs: 20, maxDelayMs: 100, stallMs: STALL_MS };

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
    retry: { attempts: ATTEMPTS, baseDelayMs: 20, maxDelayMs: 100, stallMs: NO_STALL_MS },
    progressIntervalMs: 0,
    ...overrides,
  });
}

/** The job once it has stopped moving (done, failed, cancelled or paused). */
async function settled(id: string): Promise<DownloadJob> {
  const job = (): DownloadJob | undefined => service.list().find((entry) => entry.id === id);
  try {
    return await waitUntil(
      () => {
        const current = job();
        return current !== undefined && ['done', 'failed', 'cancelled', 'paused'].includes(current.state) ? current : null;
      },
      `download ${id} to settle`,
      { timeoutMs: 50_000 },
    );
  } catch (error) {
    const current = job();
    throw new Error(`download ${id} still ${current?.state} at try ${current?.attempt}: ${JSON.stringify(current?.error)}`, { cause: error });
  }
}

/** A finished job; when it is not, the message says how it ended. */
function expectDone(job: DownloadJob): void {
  expect(job.state, `ended ${job.state} after ${job.attempt} attempts: ${JSON.stringify(job.error)}`).toBe('done');
}

async function download(file = FILE): Promise<DownloadJob> {
  const job = service.start({ repo: REPO, file, catalogId: 'test', quant: 'Q8_0' });
  return settled(job.id);
}

describe('downloads', () => {
  test('downloads, verifies the sha256 and lists the model as usable', async () => {
    server.serve(REPO, FILE, scripted);
    const job = await download();
    expectDone(job);
    expect(job.attempt).toBe(1);
    expect(await sha256File(join(modelsDir, FILE))).toBe(server.sha256(REPO, FILE));
    const manifest = await readManifest(join(modelsDir, FILE));
    expect(manifest?.verified).toBe(true);
    expect(manifest?.parts[0]?.sha256).toBe(server.sha256(REPO, FILE));
    const model = library.list().find((entry) => entry.id === FILE);
    expect(model?.problem).toBeNull();
    expect(events.map((event) => event.state)).toEqual(expect.arrayContaining(['queued', 'downloading', 'verifying', 'done']));
    const log = (await readFile(join(dir, 'egress-log.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { purpose: string; outcome: string });
    expect(log).toEqual(
      expect.arrayContaining([expect.objectContaining({ purpose: 'model-metadata', outcome: 'completed' }), expect.objectContaining({ purpose: 'model-download', outcome: 'completed' })]),
    );
  });

  test('survives connections cut mid-body many times: ipull reconnects by itself, no try of the service is spent', async () => {
    const big = randomBytes(3 * 1024 * 1024);
    // Six cuts in one 5 MiB chunk: ipull waits 200 ms before its first reconnect, 1.5 times longer
    // before each next one (4.2 s in all), well within the stall limit.
    server.serve(REPO, 'cut.gguf', big, { dropAfterBytes: [100_000, 7_000, 250_000, 1, 500_000, 33_333] });
    const job = await download('cut.gguf');
    expectDone(job);
    expect(job.attempt).toBe(1);
    expect(await sha256File(join(modelsDir, 'cut.gguf'))).toBe(server.sha256(REPO, 'cut.gguf'));
  });

  test('retries through 500s, 503s and a 403', async () => {
    server.serve(REPO, FILE, scripted, { statuses: [500, 503, 403, 500] });
    const job = await download();
    expectDone(job);
    // The 5xx are ipull's to retry; the 403 (an expired link) takes a new try through `resolve`.
    expect(job.attempt).toBe(2);
    expect(await sha256File(join(modelsDir, FILE))).toBe(server.sha256(REPO, FILE));
  });

  test('works with a server that ignores Range', async () => {
    server.serve(REPO, FILE, scripted, { ignoreRange: true });
    const job = await download();
    expectDone(job);
    expect(await sha256File(join(modelsDir, FILE))).toBe(server.sha256(REPO, FILE));
  });

  test('an expired link: after the CDN’s 403 a fresh link is fetched and the download finishes', async () => {
    const bytes = randomBytes(1536 * 1024);
    // The link lives 3 s (time enough for a try to start on a loaded machine); the connection is
    // cut after ~4 s of transfer, so ipull's reconnection carries an expired link and gets 403:
    // only a new trip through `resolve` gets further.
    server.serve(REPO, 'expiring.gguf', bytes, { linkLifetimeMs: 3_000, bytesPerSecond: 256 * 1024, dropAfterBytes: [1024 * 1024] });
    const job = await download('expiring.gguf');
    expectDone(job);
    expect(await sha256File(join(modelsDir, 'expiring.gguf'))).toBe(server.sha256(REPO, 'expiring.gguf'));
    expect(server.expiredRefusals(REPO, 'expiring.gguf')).toBeGreaterThan(0);
    const links = new Set(server.requests.filter((line) => line.startsWith('GET /cdn/') && line.includes('expiring.gguf')).map((line) => /expires=(\d+)/.exec(line)?.[1]));
    expect(links.size).toBeGreaterThan(1);
    expect(job.attempt).toBe(2);
  });

  test('a slow but steady trickle is not a stall: it finishes on the first try', async () => {
    service = createService({ retry: WATCHDOG });
    const bytes = randomBytes(384 * 1024);
    // 32 KB/s in 1.6 KB pieces every 50 ms: about 12 s in all, three times the stall limit.
    server.serve(REPO, 'trickle.gguf', bytes, { bytesPerSecond: 32 * 1024 });
    const job = await download('trickle.gguf');
    expectDone(job);
    expect(job.attempt).toBe(1);
    expect(events.some((event) => event.state === 'retrying')).toBe(false);
    expect(await sha256File(join(modelsDir, 'trickle.gguf'))).toBe(server.sha256(REPO, 'trickle.gguf'));
  });

  test('resumes a partial file against a server that then ignores Range: the result still verifies', async () => {
    const size = 24 * 1024 * 1024;
    server.serve(REPO, 'norange.gguf', randomBytes(size), { bytesPerSecond: 2 * 1024 * 1024 });
    const job = service.start({ repo: REPO, file: 'norange.gguf', catalogId: null, quant: null });
    await waitUntil(() => existsSync(join(modelsDir, 'norange.gguf.ipull')) && (service.list()[0]?.downloadedBytes ?? 0) > 6 * 1024 * 1024, 'over 6 MiB of norange.gguf, recorded in its partial file');
    service.pause(job.id);
    expect((await settled(job.id)).state).toBe('paused');
    server.setFaults(REPO, 'norange.gguf', { ignoreRange: true });
    service.resume(job.id);
    await waitUntil(() => service.list()[0]?.state !== 'paused', 'the resumed job to leave paused');
    const done = await settled(job.id);
    expect(done.state).toBe('done');
    expect(await sha256File(join(modelsDir, 'norange.gguf'))).toBe(server.sha256(REPO, 'norange.gguf'));
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
    service = createService({ retry: WATCHDOG });
    const big = randomBytes(2 * 1024 * 1024);
    // The first body sends 300 KB then stops sending without closing: only the watchdog can see it.
    server.serve(REPO, 'stall.gguf', big, { stallAfterBytes: [300_000] });
    const job = await download('stall.gguf');
    expectDone(job);
    expect(job.attempt).toBe(2);
    expect(await sha256File(join(modelsDir, 'stall.gguf'))).toBe(server.sha256(REPO, 'stall.gguf'));
  });

  test('pause keeps the partial file; resume finishes from it without fetching it again', async () => {
    // ipull writes and records progress per 5 MiB chunk: pause once chunks are on disk.
    const size = 24 * 1024 * 1024;
    server.serve(REPO, 'slow.gguf', randomBytes(size), { bytesPerSecond: 2 * 1024 * 1024 });
    const job = service.start({ repo: REPO, file: 'slow.gguf', catalogId: null, quant: null });
    await waitUntil(() => existsSync(join(modelsDir, 'slow.gguf.ipull')), 'the partial file slow.gguf.ipull');
    service.pause(job.id);
    expect((await settled(job.id)).state).toBe('paused');
    expect(await readdir(modelsDir)).toContain('slow.gguf.ipull');
    expect(await readdir(modelsDir)).not.toContain('slow.gguf');
    server.setFaults(REPO, 'slow.gguf', {});
    service.resume(job.id);
    await waitUntil(() => service.list()[0]?.state !== 'paused', 'the resumed job to leave paused');
    const done = await settled(job.id);
    expect(done.state).toBe('done');
    expect(await sha256File(join(modelsDir, 'slow.gguf'))).toBe(server.sha256(REPO, 'slow.gguf'));
    // Resumed, not restarted: at most the chunks in flight at the pause (one per stream, 3 streams
    // of 5 MiB chunks) were fetched twice. Not counted: the bodies of ipull's unranged first requests.
    const ranged = server.bytesServed(REPO, 'slow.gguf') - server.bytesServedWithoutRange(REPO, 'slow.gguf');
    expect(ranged).toBeLessThanOrEqual(size + 3 * 5 * 1024 * 1024);
  });

  test('cancel deletes the partial file and the manifest', async () => {
    server.serve(REPO, 'slow.gguf', randomBytes(4 * 1024 * 1024), { bytesPerSecond: 1024 * 1024 });
    const job = service.start({ repo: REPO, file: 'slow.gguf', catalogId: null, quant: null });
    await waitUntil(() => (service.list()[0]?.downloadedBytes ?? 0) > 0, 'the first bytes');
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
    expectDone(job);
    for (const part of parts) expect(await sha256File(join(modelsDir, part))).toBe(server.sha256(REPO, part));
    expect((await readManifest(join(modelsDir, parts[0] ?? '')))?.parts.map((part) => part.sha256)).toEqual(parts.map((part) => server.sha256(REPO, part)));
  });
});

describe('the downloader’s setup (no downloader yet) can be interrupted', () => {
  // ipull's first request (the file's size) gets no answer at all: createModelDownloader hangs.
  const hanging = (file: string): void => server.serve(REPO, file, randomBytes(256 * 1024), { unansweredRequests: 1 });
  const setupStarted = async (file: string): Promise<void> =>
    void (await waitUntil(() => server.requests.some((line) => line.startsWith('GET /cdn/') && line.includes(file)), `the first CDN request for ${file}`));

  test('by the stall watchdog: the next try gets an answer and finishes', async () => {
    service = createService({ retry: WATCHDOG });
    hanging('setup-stall.gguf');
    const job = await download('setup-stall.gguf');
    expectDone(job);
    expect(job.attempt).toBe(2);
    expect(await sha256File(join(modelsDir, 'setup-stall.gguf'))).toBe(server.sha256(REPO, 'setup-stall.gguf'));
  });

  test('by pause, and by cancel, with no stall watchdog to help', async () => {
    service = createService({ retry: { ...WATCHDOG, stallMs: 600_000 } });
    hanging('setup-pause.gguf');
    const paused = service.start({ repo: REPO, file: 'setup-pause.gguf', catalogId: null, quant: null });
    await setupStarted('setup-pause.gguf');
    service.pause(paused.id);
    expect((await settled(paused.id)).state).toBe('paused');

    hanging('setup-cancel.gguf');
    const cancelled = service.start({ repo: REPO, file: 'setup-cancel.gguf', catalogId: null, quant: null });
    await setupStarted('setup-cancel.gguf');
    await service.cancel(cancelled.id);
    expect((await settled(cancelled.id)).state).toBe('cancelled');
    expect((await readdir(modelsDir)).filter((name) => name.startsWith('setup-cancel'))).toEqual([]);
  });
});

describe('a full disk', () => {
  // A real ENOSPC from the kernel: the manifest's temporary file is a link to /dev/full, where
  // every write fails with "no space left on device" (a full disk cannot be made here otherwise).
  const devFull = existsSync('/dev/full');
  if (!devFull) console.info('downloads: the full-disk tests are skipped, this system has no /dev/full');
  const unhandled: unknown[] = [];
  const record = (reason: unknown): void => void unhandled.push(reason);
  beforeEach(() => {
    unhandled.length = 0;
    process.on('unhandledRejection', record);
  });
  afterEach(() => void process.off('unhandledRejection', record));

  test.skipIf(!devFull)('when the manifest cannot record a pause: the job fails with DISK_FULL, nothing unhandled', async () => {
    server.serve(REPO, 'full.gguf', randomBytes(24 * 1024 * 1024), { bytesPerSecond: 2 * 1024 * 1024 });
    const job = service.start({ repo: REPO, file: 'full.gguf', catalogId: null, quant: null });
    await waitUntil(() => (service.list()[0]?.downloadedBytes ?? 0) > 0, 'the first bytes');
    await symlink('/dev/full', join(modelsDir, 'full.gguf.enclave.json.tmp'));
    service.pause(job.id);
    const failed = await settled(job.id);
    expect(failed.state).toBe('failed');
    expect(failed.error?.code).toBe('DISK_FULL');
    expect(failed.error?.message).toMatch(/ENOSPC/);
    expect(unhandled).toEqual([]);
  });

  test('in the middle of the transfer, on a real 4 MB file system: DISK_FULL from ipull’s writes, nothing unhandled', async ({ skip }) => {
    const tiny = join(dir, 'tiny');
    await mkdir(tiny);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', tiny], { stdio: 'ignore' });
    } catch {
      console.info('downloads: the mid-transfer full-disk test is skipped, a tmpfs cannot be mounted here (it needs root)');
      skip();
    }
    try {
      server.serve(REPO, 'big.gguf', randomBytes(12 * 1024 * 1024), { bytesPerSecond: 4 * 1024 * 1024 });
      // The space check is told there is room, so the transfer itself runs into the full disk.
      service = createService({ modelsDir: join(tiny, 'models'), freeBytes: () => Promise.resolve(2 ** 40) });
      const failed = await download('big.gguf');
      expect(failed.state).toBe('failed');
      expect(failed.error?.code).toBe('DISK_FULL');
      expect(unhandled).toEqual([]);
    } finally {
      await service.dispose();
      execFileSync('umount', ['-l', tiny]);
    }
  });

  test.skipIf(!devFull)('when the very first manifest write fails: DISK_FULL, and the next download still runs', async () => {
    server.serve(REPO, FILE, scripted);
    await mkdir(modelsDir, { recursive: true });
    await symlink('/dev/full', join(modelsDir, `${FILE}.enclave.json.tmp`));
    const failed = await download();
    expect(failed.state).toBe('failed');
    expect(failed.error?.code).toBe('DISK_FULL');
    await rm(join(modelsDir, `${FILE}.enclave.json.tmp`));
    service.resume(FILE);
    await waitUntil(() => service.list()[0]?.state !== 'failed', 'the resumed job to leave failed');
    expect((await settled(FILE)).state).toBe('done');
    expect(unhandled).toEqual([]);
  });
});
