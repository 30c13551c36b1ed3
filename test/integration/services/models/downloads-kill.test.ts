/**
 * Kill the downloading process (SIGKILL, no chance to clean up) 20 times at random offsets of the
 * file, then let it finish: the file must verify, and each restart must resume from the partial
 * file instead of starting over.
 *
 * What a kill can cost: ipull (node-llama-cpp's downloader) fetches 3 streams in parallel, each
 * reading one 5 MiB chunk into memory before writing it and recording it in `<file>.ipull`, so a
 * kill loses what those 3 chunks had received: up to 15 MiB fetched again per kill, not one
 * chunk. createModelDownloader passes no stream count to ipull (only `parallelDownloads`, the
 * number of files of a split model at once), so a single stream cannot be chosen through it.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { DownloadJob } from '#shared/downloads.ts';
import { sha256File } from '../../../../electron/services/models/downloads/verify.ts';
import { readManifest } from '../../../../electron/services/models/manifest.ts';
import { createRng } from '../../../fixtures/gguf/index.ts';
import { startFakeHfServer, type FakeHfServer } from '../../../support/fake-hf-server.ts';

const CHILD = join(import.meta.dirname, '..', '..', '..', 'support', 'download-child.ts');
const REPO = 'enclave-test/Big-GGUF';
const FILE = 'big-Q4_K_M.gguf';
const SIZE = 192 * 1024 * 1024;
/** ipull's unit of recorded progress, and how many it fetches at once. */
const CHUNK = 5 * 1024 * 1024;
const PARALLEL_STREAMS = 3;
const KILLS = 20;

let server: FakeHfServer;
let dir: string;

beforeAll(async () => {
  server = await startFakeHfServer();
  server.serve(REPO, FILE, randomBytes(SIZE), { bytesPerSecond: 8 * 1024 * 1024 });
  dir = await mkdtemp(join(tmpdir(), 'enclave-kill-'));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/**
 * Runs the child until its download passes `killAt` bytes, then SIGKILLs it (or, when null, until
 * it finishes). Resolves with its last job line.
 */
async function runChild(killAt: number | null): Promise<DownloadJob | null> {
  const child = spawn(process.execPath, [CHILD, join(dir, 'models'), server.url, REPO, FILE], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let last: DownloadJob | null = null;
  for await (const line of createInterface({ input: child.stdout })) {
    last = JSON.parse(line) as DownloadJob;
    if (last.state === 'done' || last.state === 'failed') break;
    if (killAt !== null && last.downloadedBytes >= killAt) break;
  }
  child.kill('SIGKILL');
  await exited;
  return last;
}

test('SIGKILL at 20 random offsets, then resume: verified, and each restart resumes', { timeout: 180_000 }, async () => {
  const random = createRng(3);
  // 20 offsets spread over the first 90% of the file, in order: the download never finishes before the 20th kill.
  const offsets = Array.from({ length: KILLS }, () => Math.floor((0.05 + 0.85 * (random() / 2 ** 32)) * SIZE)).sort((a, b) => a - b);
  const resumedFrom: number[] = [];
  for (const offset of offsets) {
    const last = await runChild(offset);
    expect(last?.state, `killed at ${offset}`).not.toBe('done');
    resumedFrom.push(last?.downloadedBytes ?? 0);
  }
  const servedBeforeLastRun = server.bytesServed(REPO, FILE);
  const finished = await runChild(null);
  const lastRun = server.bytesServed(REPO, FILE) - servedBeforeLastRun;

  expect(finished?.state).toBe('done');
  expect(resumedFrom).toHaveLength(KILLS);
  expect(await sha256File(join(dir, 'models', FILE))).toBe(server.sha256(REPO, FILE));
  expect((await readManifest(join(dir, 'models', FILE)))?.verified).toBe(true);
  // Ranged reads carry the file; each start's unranged first request (ipull reads only its headers) is counted apart.
  const unranged = server.bytesServedWithoutRange(REPO, FILE);
  const refetched = server.bytesServed(REPO, FILE) - unranged - SIZE;
  const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
  console.log(
    `downloads-kill: ${KILLS} kills, ${mib(refetched)} MiB fetched again (${mib(refetched / KILLS)} MiB per kill, at most ${mib(PARALLEL_STREAMS * CHUNK)} allowed), ` +
      `${mib(unranged)} MiB taken by the ${KILLS + 1} starts' unranged first requests, last run fetched ${mib(lastRun)} MiB of ${mib(SIZE)}`,
  );
  // The chunks in flight when killed, one per stream, are all a kill can cost.
  expect(refetched).toBeLessThanOrEqual(KILLS * PARALLEL_STREAMS * CHUNK);
  expect(lastRun).toBeLessThan(SIZE);
});
