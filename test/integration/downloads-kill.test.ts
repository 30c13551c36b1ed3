/**
 * Kill the downloading process (SIGKILL, no chance to clean up) at random moments 20 times, then
 * let it finish: the file must verify, and each restart must resume from the partial file.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { DownloadJob } from '../../shared/downloads.ts';
import { sha256File } from '../../electron/services/downloads.ts';
import { readManifest } from '../../electron/services/model-manifest.ts';
import { createRng } from '../fixtures/gguf/index.ts';
import { startFakeHfServer, type FakeHfServer } from '../support/fake-hf-server.ts';

const CHILD = join(import.meta.dirname, '..', 'support', 'download-child.ts');
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

/** Runs the child until `killAfterMs` past its first progress (or until it finishes when null). */
async function runChild(killAfterMs: number | null): Promise<DownloadJob | null> {
  const child = spawn(process.execPath, [CHILD, join(dir, 'models'), server.url, REPO, FILE], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let last: DownloadJob | null = null;
  let timer: NodeJS.Timeout | undefined;
  for await (const line of createInterface({ input: child.stdout })) {
    last = JSON.parse(line) as DownloadJob;
    if (last.state === 'done' || last.state === 'failed') break;
    if (killAfterMs !== null && timer === undefined && last.downloadedBytes > 0) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  }
  clearTimeout(timer);
  child.kill('SIGKILL');
  await exited;
  return last;
}

test('SIGKILL at 20 random moments, then resume: verified, and each restart resumes', { timeout: 120_000 }, async () => {
  const random = createRng(3);
  let kills = 0;
  let finished: DownloadJob | null = null;
  for (let run = 0; run < KILLS && finished === null; run++) {
    const last = await runChild(300 + Math.floor((random() / 2 ** 32) * 800));
    if (last?.state === 'done') finished = last;
    else kills++;
  }
  const servedBeforeLastRun = server.bytesServed(REPO, FILE);
  finished ??= await runChild(null);
  const lastRun = server.bytesServed(REPO, FILE) - servedBeforeLastRun;

  expect(finished?.state).toBe('done');
  expect(kills).toBeGreaterThanOrEqual(15);
  expect(await sha256File(join(dir, 'models', FILE))).toBe(server.sha256(REPO, FILE));
  expect((await readManifest(join(dir, 'models', FILE)))?.verified).toBe(true);
  const refetched = server.bytesServed(REPO, FILE) - SIZE;
  console.log(`downloads-kill: ${kills} kills, ${(refetched / 2 ** 20).toFixed(1)} MiB fetched again (${(refetched / Math.max(kills, 1) / 2 ** 20).toFixed(2)} MiB per kill), last run fetched ${(lastRun / 2 ** 20).toFixed(1)} MiB of ${SIZE / 2 ** 20}`);
  // The chunks in flight when killed are all a kill can cost.
  expect(refetched).toBeLessThanOrEqual(kills * PARALLEL_STREAMS * CHUNK);
  expect(lastRun).toBeLessThan(SIZE);
});
