/**
 * Downloads benchmark, against the fake Hugging Face server on 127.0.0.1 (no
 * throttling, no faults), run after run in turn so a busy moment of the machine falls on both:
 *  - a plain single-stream HTTP read of the file (fetch, following the redirect to the CDN link,
 *    written to disk), against Enclave's DownloadService (node-llama-cpp's downloader, ipull: 3
 *    streams of 5 MiB chunks), from the click to the last byte on disk (before verification);
 *    the figure is their throughput ratio, run by run;
 *  - the service from the click to "verified" (the sha256 pass included);
 *  - sha256 hashing speed of the downloaded file (sha256File, the verification's own code);
 *  - what the server sent per download, as a multiple of the file: ipull's first request of each
 *    start is a GET without Range whose body it never reads, so some of it is sent for nothing.
 * Every figure is the median of `runs` runs with the spread. MB are 10^6 bytes.
 * Alone: `node test/bench/downloads.ts` (BENCH_DOWNLOAD_MIB, BENCH_RUNS, default 5); run.ts calls
 * runDownloadBench(). About 15 s on 2 cores with the defaults.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { DownloadJob } from '#shared/downloads.ts';
import { DownloadService } from '../../electron/services/models/downloads/download-service.ts';
import { sha256File } from '../../electron/services/models/downloads/verify.ts';
import { EgressGate } from '../../electron/services/privacy/egress.ts';
import { startFakeHfServer, type FakeHfServer } from '../support/fake-hf-server.ts';
import { formatSummary, summarize, type Summary } from './stats.ts';

const REPO = 'enclave-bench/Download-GGUF';
const FILE = 'bench.gguf';

export interface DownloadBenchOptions {
  /** Size of the served file (default 256 MiB). */
  sizeMiB?: number;
  /** Runs of each path (default 5). */
  runs?: number;
  log?: (line: string) => void;
}

export interface DownloadBenchResult {
  fileBytes: number;
  runs: number;
  /** Plain single-stream read to disk, MB/s. */
  plainMBps: Summary;
  /** DownloadService, click to last byte on disk, MB/s. */
  serviceMBps: Summary;
  /** serviceMBps / plainMBps, run by run. */
  ratio: Summary;
  /** DownloadService, click to verified (sha256 included), MB/s. */
  serviceVerifiedMBps: Summary;
  /** sha256 of the downloaded file, MB/s (the file just written: mostly from the page cache). */
  hashMBps: Summary;
  /** Bytes the server sent per service download, divided by the file size. */
  servedPerFile: Summary;
}

const mbps = (bytes: number, ms: number): number => bytes / 1e6 / (ms / 1000);

async function plainRead(server: FakeHfServer, target: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${server.url}/${REPO}/resolve/main/${FILE}`);
  if (!response.ok || response.body === null) throw new Error(`plain read: HTTP ${response.status}`);
  await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), createWriteStream(target));
  return performance.now() - started;
}

/** One download through the service: milliseconds to the last byte on disk, and to verified. */
async function serviceDownload(server: FakeHfServer, dir: string): Promise<{ transferMs: number; verifiedMs: number }> {
  const modelsDir = join(dir, 'models');
  await rm(modelsDir, { recursive: true, force: true });
  await mkdir(modelsDir, { recursive: true });
  const gate = new EgressGate({ logFile: join(dir, 'egress-log.jsonl'), allowedHosts: () => [new URL(server.url).host], offline: () => false });
  let transferMs = 0;
  let settle: (job: DownloadJob) => void = () => undefined;
  const settled = new Promise<DownloadJob>((resolve) => (settle = resolve));
  const started = performance.now();
  const service = new DownloadService({
    modelsDir,
    gate,
    endpoint: server.url,
    onVerified: () => Promise.resolve(),
    emit: (job) => {
      if (job.state === 'verifying' && transferMs === 0) transferMs = performance.now() - started;
      if (job.state === 'done' || job.state === 'failed') settle(job);
    },
  });
  try {
    service.start({ repo: REPO, file: FILE, catalogId: null, quant: null });
    const job = await settled;
    if (job.state !== 'done') throw new Error(`the service's download failed: ${job.error?.message}`);
    return { transferMs, verifiedMs: performance.now() - started };
  } finally {
    await service.dispose();
  }
}

export async function runDownloadBench(options: DownloadBenchOptions = {}): Promise<DownloadBenchResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const runs = options.runs ?? 5;
  const fileBytes = (options.sizeMiB ?? 256) * 1024 * 1024;
  const server = await startFakeHfServer();
  const dir = await mkdtemp(join(tmpdir(), 'enclave-bench-downloads-'));
  const plain: number[] = [];
  const service: number[] = [];
  const verified: number[] = [];
  const ratios: number[] = [];
  const hashes: number[] = [];
  const served: number[] = [];
  try {
    server.serve(REPO, FILE, randomBytes(fileBytes));
    const expected = server.sha256(REPO, FILE);
    for (let run = 0; run < runs; run++) {
      const plainTarget = join(dir, 'plain.gguf');
      const plainMs = await plainRead(server, plainTarget);
      await rm(plainTarget, { force: true });
      const before = server.bytesServed(REPO, FILE);
      const { transferMs, verifiedMs } = await serviceDownload(server, dir);
      served.push((server.bytesServed(REPO, FILE) - before) / fileBytes);
      plain.push(mbps(fileBytes, plainMs));
      service.push(mbps(fileBytes, transferMs));
      verified.push(mbps(fileBytes, verifiedMs));
      ratios.push(plainMs / transferMs);
      const hashStarted = performance.now();
      const digest = await sha256File(join(dir, 'models', FILE));
      hashes.push(mbps(fileBytes, performance.now() - hashStarted));
      if (digest !== expected) throw new Error('the downloaded file does not match the served one');
    }
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
  const result: DownloadBenchResult = {
    fileBytes,
    runs,
    plainMBps: summarize(plain),
    serviceMBps: summarize(service),
    ratio: summarize(ratios),
    serviceVerifiedMBps: summarize(verified),
    hashMBps: summarize(hashes),
    servedPerFile: summarize(served),
  };
  const size = `${(fileBytes / 2 ** 20).toFixed(0)} MiB`;
  log(`downloads, ${size} from 127.0.0.1 (median of ${runs}, spread in brackets):`);
  log(`  plain single-stream read to disk: ${formatSummary(result.plainMBps)} MB/s`);
  log(`  DownloadService (ipull, 3 streams) to the last byte: ${formatSummary(result.serviceMBps)} MB/s, ratio to plain ${formatSummary(result.ratio, 2)}`);
  log(`  DownloadService to verified (sha256 included): ${formatSummary(result.serviceVerifiedMBps)} MB/s`);
  log(`  sha256 of the downloaded file: ${formatSummary(result.hashMBps)} MB/s`);
  log(`  bytes sent per download: ${formatSummary(result.servedPerFile, 2)} × the file (ipull's unranged first request)`);
  return result;
}

if (import.meta.main) {
  const result = await runDownloadBench({ sizeMiB: Number(process.env.BENCH_DOWNLOAD_MIB ?? 256), runs: Number(process.env.BENCH_RUNS ?? 5) });
  console.log(JSON.stringify(result));
}
