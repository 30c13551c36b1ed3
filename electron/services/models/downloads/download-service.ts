/**
 * Model downloads: a queue of jobs, one transfer at a time. Each attempt looks up the digest
 * Hugging Face publishes, checks the disk space, then transfers (each through the egress gate);
 * failed attempts are retried with backoff, and the file is verified before it is usable.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { DownloadJob } from '#shared/downloads.ts';
import { EnclaveError, toErrorPayload } from '#shared/errors.ts';
import type { EgressGate } from '../../privacy/egress.ts';
import { splitPartNames } from '../gguf/files.ts';
import { MANIFEST_SUFFIX, readManifest, removeManifest, type ModelManifest } from '../manifest.ts';
import { checkSpace, diskFreeBytes, type FreeBytes } from './disk-space.ts';
import { alreadyTransferred, removePartFiles } from './download-files.ts';
import { newManifest, saveManifest } from './download-manifest.ts';
import { fetchDigest, resolveUrl } from './hugging-face.ts';
import { backoffDelay, classifyFailure, DEFAULT_RETRY, isRetriable, sleepUnlessAborted, type RetryPolicy } from './retry.ts';
import { transfer, type TransferProgress } from './transfer.ts';
import { verifyParts } from './verify.ts';

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
  freeBytes?: FreeBytes;
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
      if (manifest === null || manifest.verified || manifest.source.kind !== 'huggingface') manifest = newManifest(task.request, task.parts);
      await saveManifest(path, { ...manifest, download: 'downloading' });
      for (;;) {
        try {
          manifest = await this.attempt(task, path, manifest);
          break;
        } catch (error) {
          if (task.stop !== null || !isRetriable(error) || task.job.attempt >= this.retry.attempts) throw error;
          task.job.error = toErrorPayload(classifyFailure(error, this.endpoint()));
          task.job.attempt += 1;
          this.setState(task, 'retrying');
          await sleepUnlessAborted(backoffDelay(this.retry, task.job.attempt - 1), task.abort.signal);
          if (task.stop !== null) throw new Error('stopped', { cause: error });
          this.setState(task, 'downloading');
        }
      }
      this.setState(task, 'verifying');
      await verifyParts(this.options.modelsDir, manifest.parts, () => this.discard(task));
      await saveManifest(path, { ...manifest, verified: true, download: 'done' });
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
    const endpoint = this.endpoint();
    const partUrl = (fileName: string): string => resolveUrl(endpoint, task.request.repo, task.request.file, fileName);
    let current = manifest;
    if (current.parts.some((part) => part.sha256 === null)) {
      const parts = [];
      for (const fileName of task.parts) parts.push({ fileName, ...(await fetchDigest(partUrl(fileName), fileName, this.options.gate, task.abort.signal)) });
      current = { ...current, parts };
      await saveManifest(path, current);
    }
    task.job.totalBytes = current.parts.reduce((total, part) => total + (part.sizeBytes ?? 0), 0);
    await checkSpace(this.options.modelsDir, task.parts, task.job.totalBytes, this.options.freeBytes ?? diskFreeBytes);
    if (await alreadyTransferred(this.options.modelsDir, current.parts)) return current;
    await transfer({
      url: partUrl(task.parts[0] ?? task.job.id),
      endpoint,
      modelsDir: this.options.modelsDir,
      parts: task.parts,
      gate: this.options.gate,
      stallMs: this.retry.stallMs,
      signal: task.abort.signal,
      onProgress: (progress) => this.progress(task, progress),
    });
    return current;
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
    let failure = task.stop === 'pause' ? null : classifyFailure(error, this.endpoint());
    try {
      const manifest = await readManifest(path);
      if (manifest !== null) await saveManifest(path, { ...manifest, download: 'paused' });
    } catch (saveError) {
      // The manifest could not record it (a full disk): the job fails and says why.
      failure = classifyFailure(saveError);
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
    task.job.error = toErrorPayload(classifyFailure(error, this.endpoint()));
    this.setState(task, 'failed');
  }

  /** Deletes the partial files, any finished parts and the manifest. */
  private async discard(task: Task): Promise<void> {
    await removePartFiles(this.options.modelsDir, task.parts);
    await removeManifest(join(this.options.modelsDir, task.job.id));
  }

  private progress(task: Task, { totalBytes, downloadedBytes, bytesPerSecond }: TransferProgress): void {
    if (totalBytes > 0) task.job.totalBytes = totalBytes;
    task.job.downloadedBytes = downloadedBytes;
    task.job.bytesPerSecond = Math.max(0, Math.round(bytesPerSecond));
    task.job.secondsLeft = bytesPerSecond > 0 ? Math.ceil((task.job.totalBytes - downloadedBytes) / bytesPerSecond) : null;
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
