/**
 * Model downloads: a queue of jobs, one transfer at a time, through node-llama-cpp's downloader
 * (ipull), which resumes from its `<file>.ipull` partial file. Around it: the egress gate on every
 * attempt, automatic retries with backoff (stalls, 5xx, expired links, cut connections), a disk
 * space check, and the sha256 that Hugging Face publishes verified before the file is usable.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rm, stat, statfs } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createModelDownloader, type ModelDownloader } from 'node-llama-cpp';
import type { DownloadJob } from '../../../../shared/downloads.ts';
import { EnclaveError, toErrorPayload } from '../../../../shared/errors.ts';
import { diskFullError, isDiskFull } from '../disk-full.ts';
import type { EgressGate } from '../../privacy/egress.ts';
import { splitPartNames } from '../gguf/files.ts';
import { runIpull } from './ipull-context.ts';
import { MANIFEST_SUFFIX, readManifest, removeManifest, writeManifest, type ModelManifest } from '../manifest.ts';

export const DEFAULT_HF_ENDPOINT = 'https://huggingface.co';
/** ipull keeps the bytes received so far, and its progress, in this file beside the target. */
const PARTIAL_SUFFIX = '.ipull';
/** Room left free beyond the model itself (the manifest, the OS). */
const DISK_MARGIN_BYTES = 64 * 1024 * 1024;

export interface RetryPolicy {
  /** Tries per start or resume, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** No byte for this long counts as a stall: the transfer is restarted from the partial file. */
  stallMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, baseDelayMs: 1_000, maxDelayMs: 60_000, stallMs: 30_000 };

export interface DownloadRequest {
  repo: string;
  /** The file in the repository; for a split model, its first part. */
  file: string;
  catalogId: string | null;
  quant: string | null;
}

export interface DownloadServiceOptions {
  modelsDir: string;
  gate: Pick<EgressGate, 'authorize' | 'checkTarget'>;
  /** The Hugging Face endpoint (setting or ENCLAVE_HF_ENDPOINT), without a trailing slash; read at each attempt. */
  endpoint: string | (() => string);
  emit: (job: DownloadJob) => void;
  /** Called once a download is verified (the library rescans). */
  onVerified: () => Promise<unknown>;
  retry?: Partial<RetryPolicy>;
  progressIntervalMs?: number;
  /** Free bytes on the models folder's disk; tests replace it to stand for a full disk. */
  freeBytes?: (dir: string) => Promise<number>;
}

/** 'shutdown' stops for the app closing: the manifest keeps 'downloading', so the next start resumes. */
type StopReason = 'pause' | 'cancel' | 'shutdown';

interface Task {
  job: DownloadJob;
  request: DownloadRequest;
  /** File names of every part, in order; one entry for a single file. */
  parts: string[];
  stop: StopReason | null;
  /** Wakes a backoff sleep or ends a transfer when the user pauses or cancels. */
  abort: AbortController;
  lastEmit: number;
}

export class DownloadService {
  private readonly options: DownloadServiceOptions;
  private readonly retry: RetryPolicy;
  private readonly tasks = new Map<string, Task>();
  private active: Task | null = null;

  constructor(options: DownloadServiceOptions) {
    this.options = options;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
  }

  list(): DownloadJob[] {
    return [...this.tasks.values()].map((task) => ({ ...task.job }));
  }

  /** Picks up downloads a previous run left unfinished: 'downloading' ones resume on their own. */
  async restore(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.options.modelsDir);
    } catch {
      return;
    }
    for (const name of names) {
      if (!name.endsWith(MANIFEST_SUFFIX)) continue;
      const fileName = name.slice(0, -MANIFEST_SUFFIX.length);
      if (this.tasks.has(fileName)) continue;
      const manifest = await readManifest(join(this.options.modelsDir, fileName));
      if (manifest === null || manifest.source.kind !== 'huggingface' || manifest.verified) continue;
      const request: DownloadRequest = { repo: manifest.source.repo, file: manifest.source.file, catalogId: manifest.catalogId, quant: manifest.quant };
      const task = this.createTask(request);
      task.job.state = manifest.download === 'downloading' ? 'queued' : 'paused';
      this.tasks.set(task.job.id, task);
    }
    this.pump();
  }

  start(request: DownloadRequest): DownloadJob {
    const id = basename(request.file);
    const existing = this.tasks.get(id);
    if (existing !== undefined && !['done', 'failed', 'cancelled'].includes(existing.job.state)) return { ...existing.job };
    const task = this.createTask(request);
    this.tasks.set(id, task);
    this.emitNow(task);
    this.pump();
    return { ...task.job };
  }

  pause(id: string): DownloadJob {
    const task = this.task(id);
    if (task.job.state === 'queued') this.setState(task, 'paused');
    else if (this.active === task && task.job.state !== 'verifying') this.stopActive(task, 'pause');
    return { ...task.job };
  }

  resume(id: string): DownloadJob {
    const task = this.task(id);
    if (task.job.state === 'paused' || task.job.state === 'failed') {
      task.job.error = null;
      task.job.attempt = 1;
      this.setState(task, 'queued');
      this.pump();
    }
    return { ...task.job };
  }

  async cancel(id: string): Promise<DownloadJob> {
    const task = this.task(id);
    if (this.active === task) {
      this.stopActive(task, 'cancel');
      return { ...task.job };
    }
    if (task.job.state !== 'done') {
      await this.discard(task);
      this.setState(task, 'cancelled');
    }
    return { ...task.job };
  }

  /** Stops the running transfer, keeping its partial file; the next start resumes it. */
  dispose(): Promise<void> {
    if (this.active !== null) this.stopActive(this.active, 'shutdown');
    return Promise.resolve();
  }

  private createTask(request: DownloadRequest): Task {
    const parts = splitPartNames(basename(request.file));
    const job: DownloadJob = {
      id: basename(request.file),
      catalogId: request.catalogId,
      quant: request.quant,
      repo: request.repo,
      file: request.file,
      state: 'queued',
      downloadedBytes: 0,
      totalBytes: 0,
      bytesPerSecond: 0,
      secondsLeft: null,
      attempt: 1,
      error: null,
    };
    return { job, request, parts, stop: null, abort: new AbortController(), lastEmit: 0 };
  }

  private endpoint(): string {
    return typeof this.options.endpoint === 'function' ? this.options.endpoint() : this.options.endpoint;
  }

  private task(id: string): Task {
    const task = this.tasks.get(id);
    if (task === undefined) throw new EnclaveError('NOT_FOUND', `no download ${JSON.stringify(id)}`, { id });
    return task;
  }

  private stopActive(task: Task, reason: StopReason): void {
    task.stop = reason;
    task.abort.abort();
  }

  private pump(): void {
    if (this.active !== null) return;
    const next = [...this.tasks.values()].find((task) => task.job.state === 'queued');
    if (next === undefined) return;
    this.active = next;
    next.stop = null;
    next.abort = new AbortController();
    // run() settles every failure on the job itself; nothing here may become an unhandled rejection.
    void this.run(next)
      .catch((error: unknown) => this.fail(next, error))
      .finally(() => {
        this.active = null;
        this.pump();
      })
      .catch((error: unknown) => console.error('Enclave: the download queue failed', error));
  }

  private async run(task: Task): Promise<void> {
    const path = join(this.options.modelsDir, task.job.id);
    try {
      this.setState(task, 'downloading');
      await mkdir(this.options.modelsDir, { recursive: true });
      let manifest = await readManifest(path);
      if (manifest === null || manifest.verified || manifest.source.kind !== 'huggingface') manifest = this.newManifest(task);
      await this.saveManifest(path, { ...manifest, download: 'downloading' });
      for (;;) {
        try {
          manifest = await this.attempt(task, path, manifest);
          break;
        } catch (error) {
          if (task.stop !== null || !isRetriable(error) || task.job.attempt >= this.retry.attempts) throw error;
          task.job.error = toErrorPayload(error);
          task.job.attempt += 1;
          this.setState(task, 'retrying');
          await sleep(this.backoff(task.job.attempt - 1), task.abort.signal);
          if (task.stop !== null) throw new Error('stopped', { cause: error });
          this.setState(task, 'downloading');
        }
      }
      this.setState(task, 'verifying');
      await this.verify(task, manifest);
      await this.saveManifest(path, { ...manifest, verified: true, download: 'done' });
      task.job.error = null;
      task.job.downloadedBytes = task.job.totalBytes;
      task.job.bytesPerSecond = 0;
      task.job.secondsLeft = 0;
      // The file is verified whatever the rescan says; a failed rescan is the library's to report.
      await this.options.onVerified().catch((error: unknown) => console.error('Enclave: rescan after a download failed', error));
      this.setState(task, 'done');
    } catch (error) {
      await this.settleFailure(task, path, error).catch((settleError: unknown) => this.fail(task, settleError));
    }
  }

  /** One try: publish-digest lookup if still missing, space check, then the transfer itself. */
  private async attempt(task: Task, path: string, manifest: ModelManifest): Promise<ModelManifest> {
    let current = manifest;
    if (current.parts.some((part) => part.sha256 === null)) {
      const parts = [];
      for (const fileName of task.parts) parts.push({ fileName, ...(await this.fetchDigest(task, fileName)) });
      current = { ...current, parts };
      await this.saveManifest(path, current);
    }
    task.job.totalBytes = current.parts.reduce((total, part) => total + (part.sizeBytes ?? 0), 0);
    await this.checkSpace(task);
    if (await this.alreadyTransferred(current)) return current;
    await this.transfer(task);
    return current;
  }

  private partUrl(task: Task, fileName: string): string {
    const directory = task.request.file.includes('/') ? `${task.request.file.slice(0, task.request.file.lastIndexOf('/'))}/` : '';
    const path = `${directory}${fileName}`.split('/').map(encodeURIComponent).join('/');
    return `${this.endpoint()}/${task.request.repo}/resolve/main/${path}`;
  }

  /** The sha256 and size Hugging Face publishes on the resolve redirect (X-Linked-Etag, X-Linked-Size). */
  private async fetchDigest(task: Task, fileName: string): Promise<{ sha256: string; sizeBytes: number | null }> {
    const url = this.partUrl(task, fileName);
    const handle = this.options.gate.authorize({ url, purpose: 'model-metadata', userInitiated: true });
    try {
      const response = await fetch(url, { method: 'HEAD', redirect: 'manual', signal: task.abort.signal });
      if (response.status >= 400) throw new HttpStatusError(response.status, url);
      const location = response.headers.get('location');
      // ipull follows this redirect itself, retrying a refused connection for minutes: check it first.
      if (location !== null) this.options.gate.checkTarget({ url: new URL(location, url).href, purpose: 'model-download', userInitiated: true });
      const etag = response.headers.get('x-linked-etag') ?? response.headers.get('etag') ?? '';
      const sha256 = /^(?:W\/)?"?([0-9a-f]{64})"?$/i.exec(etag.trim())?.[1]?.toLowerCase();
      if (sha256 === undefined) {
        throw new EnclaveError('CHECKSUM_UNAVAILABLE', `the server publishes no sha256 for ${fileName}`, { file: fileName });
      }
      const size = Number(response.headers.get('x-linked-size') ?? response.headers.get('content-length'));
      handle.finish('completed');
      return { sha256, sizeBytes: Number.isFinite(size) && size > 0 ? size : null };
    } catch (error) {
      handle.finish(task.stop !== null ? 'cancelled' : 'failed', errorMessage(error));
      throw error;
    }
  }

  private async checkSpace(task: Task): Promise<void> {
    let partial = 0;
    for (const fileName of task.parts) partial += await fileSize(join(this.options.modelsDir, fileName + PARTIAL_SUFFIX));
    const needed = Math.max(0, task.job.totalBytes - partial) + DISK_MARGIN_BYTES;
    const free = await (this.options.freeBytes ?? diskFreeBytes)(this.options.modelsDir);
    if (free < needed) {
      throw new EnclaveError('DISK_FULL', `${needed} bytes needed, ${free} free`, { neededBytes: needed, freeBytes: free });
    }
  }

  /** A run killed while verifying left complete files behind: no need to fetch them again. */
  private async alreadyTransferred(manifest: ModelManifest): Promise<boolean> {
    for (const part of manifest.parts) {
      const path = join(this.options.modelsDir, part.fileName);
      if ((await fileSize(path + PARTIAL_SUFFIX)) > 0) return false;
      if (part.sizeBytes === null || (await fileSize(path)) !== part.sizeBytes) return false;
    }
    return true;
  }

  private async transfer(task: Task): Promise<void> {
    const url = this.partUrl(task, task.parts[0] ?? task.job.id);
    const handle = this.options.gate.authorize({ url, purpose: 'model-download', userInitiated: true });
    let downloader: ModelDownloader | null = null;
    let stalled = false;
    let refused: EnclaveError | null = null;
    let lastBytes = -1;
    let lastChange = Date.now();
    const samples: { time: number; bytes: number }[] = [];
    // Pause, cancel, a stall or a refusal must also end the setup (ipull's first request and its
    // retries, minutes for a refused connection), while no downloader exists yet to cancel.
    let interrupt: (error: Error) => void = () => undefined;
    const interrupted = new Promise<never>((_resolve, reject) => (interrupt = reject));
    interrupted.catch(() => undefined);
    const stop = (): void => {
      interrupt(new Error('stopped'));
      void downloader?.cancel({ deleteTempFile: false }).catch(() => undefined);
    };
    task.abort.signal.addEventListener('abort', stop);
    handle.onRefusal((error) => {
      refused ??= error;
      stop();
    });
    const watchdog = setInterval(() => {
      if (Date.now() - lastChange < this.retry.stallMs) return;
      stalled = true;
      stop();
    }, Math.min(1_000, this.retry.stallMs / 4));
    let setup: Promise<ModelDownloader> | null = null;
    try {
      setup = runIpull(() => createModelDownloader({
        modelUri: url,
        dirPath: this.options.modelsDir,
        endpoints: { huggingFace: `${this.endpoint()}/` },
        // Keep the partial file (and ipull's progress record in it) across pauses, crashes and kills.
        skipExisting: false,
        deleteTempFileOnCancel: false,
        parallelDownloads: 1,
        onProgress: ({ totalSize, downloadedSize }) => {
          const now = Date.now();
          if (downloadedSize !== lastBytes) {
            lastBytes = downloadedSize;
            lastChange = now;
          }
          samples.push({ time: now, bytes: downloadedSize });
          while (samples.length > 2 && now - (samples[0]?.time ?? now) > 3_000) samples.shift();
          this.progress(task, totalSize, downloadedSize, samples);
        },
      }));
      downloader = await Promise.race([interrupted, setup]);
      if (task.abort.signal.aborted) stop();
      else {
        const running = downloader;
        await runIpull(() => running.download());
      }
      if (refused !== null) throw refused;
      if (stalled) throw new StallError(this.retry.stallMs);
      if (task.stop !== null) throw new Error('stopped');
      for (const fileName of task.parts) {
        if ((await fileSize(join(this.options.modelsDir, fileName + PARTIAL_SUFFIX))) > 0) throw new Error(`the transfer of ${fileName} ended early`);
      }
      handle.finish('completed');
    } catch (error) {
      // A setup still running when interrupted yields a downloader nobody will use: close it when it
      // comes. A failed download closes its other streams, which would keep fetching in the background.
      if (downloader === null) void setup?.then((late) => late.cancel({ deleteTempFile: false })).catch(() => undefined);
      else void downloader.cancel({ deleteTempFile: false }).catch(() => undefined);
      const failure = refused ?? (stalled ? new StallError(this.retry.stallMs) : error);
      handle.finish(task.stop !== null ? 'cancelled' : 'failed', errorMessage(failure));
      throw failure;
    } finally {
      clearInterval(watchdog);
      task.abort.signal.removeEventListener('abort', stop);
    }
  }

  /** Hashes every part and compares with the published digest; a mismatch deletes the file. */
  private async verify(task: Task, manifest: ModelManifest): Promise<void> {
    for (const part of manifest.parts) {
      const path = join(this.options.modelsDir, part.fileName);
      const actual = await sha256File(path);
      if (actual !== part.sha256) {
        await this.discard(task);
        throw new EnclaveError('CHECKSUM_MISMATCH', `${part.fileName}: sha256 ${actual}, expected ${part.sha256}; the file was deleted`, {
          file: part.fileName,
          expected: part.sha256,
          actual,
        });
      }
    }
  }

  private async settleFailure(task: Task, path: string, error: unknown): Promise<void> {
    if (task.stop === 'cancel') {
      await this.discard(task);
      task.job.error = null;
      this.setState(task, 'cancelled');
      return;
    }
    if (task.stop === 'shutdown') return;
    task.job.bytesPerSecond = 0;
    task.job.secondsLeft = null;
    let failure = task.stop === 'pause' ? null : classify(error);
    try {
      const manifest = await readManifest(path);
      if (manifest !== null) await this.saveManifest(path, { ...manifest, download: 'paused' });
    } catch (saveError) {
      // The manifest could not record it (a full disk): the job fails and says why.
      failure = classify(saveError);
    }
    if (failure === null) {
      task.job.error = null;
      this.setState(task, 'paused');
      return;
    }
    task.job.error = toErrorPayload(failure);
    this.setState(task, 'failed');
  }

  /** The last resort for an error that escaped the job's own handling: the job fails with it. */
  private fail(task: Task, error: unknown): void {
    task.job.bytesPerSecond = 0;
    task.job.secondsLeft = null;
    task.job.error = toErrorPayload(classify(error));
    this.setState(task, 'failed');
  }

  /** Deletes the partial files, any finished parts and the manifest. */
  private async discard(task: Task): Promise<void> {
    for (const fileName of task.parts) {
      const path = join(this.options.modelsDir, fileName);
      await rm(path + PARTIAL_SUFFIX, { force: true });
      await rm(path, { force: true });
    }
    await removeManifest(join(this.options.modelsDir, task.job.id));
  }

  private newManifest(task: Task): ModelManifest {
    return {
      version: 1,
      source: { kind: 'huggingface', repo: task.request.repo, file: task.request.file, revision: 'main' },
      catalogId: task.request.catalogId,
      quant: task.request.quant,
      parts: task.parts.map((fileName) => ({ fileName, sha256: null, sizeBytes: null })),
      verified: false,
      download: 'downloading',
      addedAt: new Date().toISOString(),
    };
  }

  private async saveManifest(path: string, manifest: ModelManifest): Promise<void> {
    try {
      await writeManifest(path, manifest);
    } catch (error) {
      throw classify(error);
    }
  }

  private backoff(retryNumber: number): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (retryNumber - 1));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  private progress(task: Task, totalSize: number, downloadedSize: number, samples: readonly { time: number; bytes: number }[]): void {
    const first = samples[0];
    const last = samples[samples.length - 1];
    const seconds = first !== undefined && last !== undefined ? (last.time - first.time) / 1000 : 0;
    const speed = seconds > 0 && first !== undefined && last !== undefined ? (last.bytes - first.bytes) / seconds : 0;
    if (totalSize > 0) task.job.totalBytes = totalSize;
    task.job.downloadedBytes = downloadedSize;
    task.job.bytesPerSecond = Math.max(0, Math.round(speed));
    task.job.secondsLeft = speed > 0 ? Math.ceil((task.job.totalBytes - downloadedSize) / speed) : null;
    const now = Date.now();
    if (now - task.lastEmit >= (this.options.progressIntervalMs ?? 250)) this.emitNow(task);
  }

  private setState(task: Task, state: DownloadJob['state']): void {
    task.job.state = state;
    this.emitNow(task);
  }

  private emitNow(task: Task): void {
    task.lastEmit = Date.now();
    this.options.emit({ ...task.job });
  }
}

class StallError extends Error {
  constructor(stallMs: number) {
    super(`no data for ${stallMs} ms`);
    this.name = 'StallError';
  }
}

class HttpStatusError extends Error {
  readonly statusCode: number;
  constructor(statusCode: number, url: string) {
    super(`HTTP ${statusCode} for ${url}`);
    this.statusCode = statusCode;
  }
}

/** Everything is worth another try except refusals, a full disk, a bad file and a missing one. */
function isRetriable(error: unknown): boolean {
  if (enclaveCause(error) !== null) return false;
  if (isDiskFull(error)) return false;
  const status = (error as { statusCode?: unknown }).statusCode;
  return !(typeof status === 'number' && (status === 404 || status === 401 || status === 410));
}

function classify(error: unknown): EnclaveError {
  const typed = enclaveCause(error);
  if (typed !== null) return typed;
  return diskFullError(error) ?? new EnclaveError('DOWNLOAD_FAILED', errorMessage(error));
}

/** The typed error itself, or the one fetch wrapped ("fetch failed", cause: the gate's refusal). */
function enclaveCause(error: unknown): EnclaveError | null {
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    if (current instanceof EnclaveError) return current;
  }
  return null;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

async function diskFreeBytes(dir: string): Promise<number> {
  const stats = await statfs(dir);
  return stats.bavail * stats.bsize;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
