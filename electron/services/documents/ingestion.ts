/**
 * Adding files to a collection, as jobs run one file at a time (memory stays bounded by one file's
 * text): each file's row goes queued → ingesting (pages read, for a PDF) → ready, or error with the
 * reason in its row; one file's failure never stops the others or the host. A cancelled job leaves
 * the file being read out and marks the ones after it cancelled.
 */
import { rm, stat } from 'node:fs/promises';
import { basename, isAbsolute } from 'node:path';
import type { DocumentFile, DocumentSource } from '#shared/documents.ts';
import { EnclaveError, toErrorPayload } from '#shared/errors.ts';
import { isSystemFolder } from '../platform/system-folders.ts';
import { uploadPath } from '../platform/uploads.ts';
import { chunkBlocks } from './chunk.ts';
import { formatOf, unreadable } from './extract.ts';
import { ExtractionWorker, type ExtractionLimits } from './extract-in-worker.ts';
import type { DocumentStore } from './store.ts';

interface QueuedFile {
  fileId: string;
  path: string;
  name: string;
  /** An upload is removed once read. */
  upload: boolean;
}

interface Job {
  id: string;
  files: QueuedFile[];
  abort: AbortController;
}

export class DocumentIngestion {
  private readonly store: DocumentStore;
  private readonly dataDir: string;
  private readonly emit: (ingestion: string, file: DocumentFile) => void;
  private readonly worker: ExtractionWorker;
  private readonly jobs: Job[] = [];
  private running: Promise<void> | null = null;
  private readonly onPassages: () => void;

  /** `worker`: the extraction worker's entry file and its limits; `onPassages`: a file's passages were saved (they get their vectors). */
  constructor(
    store: DocumentStore,
    dataDir: string,
    emit: (ingestion: string, file: DocumentFile) => void,
    worker: { entry: string; limits: ExtractionLimits },
    onPassages: () => void = () => undefined,
  ) {
    this.store = store;
    this.onPassages = onPassages;
    this.dataDir = dataDir;
    this.emit = emit;
    this.worker = new ExtractionWorker(worker.entry, worker.limits);
  }

  /** Queues the files (their rows are created at once, answered to the caller) and starts reading. */
  async add(jobId: string, collectionId: string, sources: readonly DocumentSource[]): Promise<DocumentFile[]> {
    if (this.jobs.some((job) => job.id === jobId)) throw new EnclaveError('BAD_REQUEST', `job ${jobId} is already running`, { jobId });
    this.store.collection(collectionId);
    const located = await Promise.all(sources.map((source) => this.locate(source)));
    const job: Job = { id: jobId, files: [], abort: new AbortController() };
    const rows = located.map(({ path, name, upload, size }) => {
      const row = this.store.addFile(collectionId, name, formatOf(name), size);
      job.files.push({ fileId: row.id, path, name, upload });
      return row;
    });
    this.jobs.push(job);
    this.running ??= this.drain().finally(() => (this.running = null));
    return rows;
  }

  cancel(jobId: string): { cancelled: boolean } {
    const job = this.jobs.find((candidate) => candidate.id === jobId);
    job?.abort.abort();
    return { cancelled: job !== undefined };
  }

  /** Resolves when every queued file has been read (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  dispose(): void {
    for (const job of this.jobs) job.abort.abort();
    this.worker.close();
  }

  private async locate(source: DocumentSource): Promise<{ path: string; name: string; upload: boolean; size: number }> {
    if ('uploadId' in source) {
      const path = uploadPath(this.dataDir, source.uploadId);
      const size = await stat(path).then(
        (found) => found.size,
        () => {
          throw new EnclaveError('NOT_FOUND', `no upload ${source.uploadId}`, { reason: 'unreadable' });
        },
      );
      return { path, name: basename(source.name), upload: true, size };
    }
    const { path } = source;
    if (!isAbsolute(path)) throw new EnclaveError('BAD_REQUEST', 'a document path must be absolute', { file: path.slice(0, 200), reason: 'relative-path' });
    if (isSystemFolder(path)) throw new EnclaveError('FORBIDDEN', 'documents are not read from system folders', { file: path.slice(0, 200), reason: 'system-folder' });
    const found = await stat(path).catch(() => null);
    if (found === null || !found.isFile()) throw new EnclaveError('NOT_FOUND', `cannot read ${path}`, { file: path.slice(0, 200), reason: 'unreadable' });
    return { path, name: basename(path), upload: false, size: found.size };
  }

  private async drain(): Promise<void> {
    for (let job = this.jobs[0]; job !== undefined; job = this.jobs[0]) {
      for (const file of job.files) {
        if (job.abort.signal.aborted) this.finish(job, file, 'cancelled');
        else await this.ingest(job, file);
      }
      this.jobs.shift();
    }
    this.worker.close();
  }

  private async ingest(job: Job, file: QueuedFile): Promise<void> {
    if (!this.store.exists(file.fileId)) return this.release(file);
    this.update(job, file.fileId, () => this.store.setState(file.fileId, 'ingesting'));
    try {
      const signal = job.abort.signal;
      const { pages, blocks } = await this.worker.extract(
        { path: file.path, fileName: file.name },
        { signal, onPage: (read) => this.update(job, file.fileId, () => this.store.setState(file.fileId, 'ingesting', { pages: read })) },
      );
      if (signal.aborted) return this.finish(job, file, 'cancelled');
      const chunks = chunkBlocks(blocks);
      if (chunks.length === 0) throw unreadable('document-no-text', `${file.name}: no text found`);
      this.update(job, file.fileId, () => this.store.saveChunks(file.fileId, chunks, pages));
      this.onPassages();
    } catch (error) {
      // A file cut short by the cancel is cancelled, not failed.
      if (job.abort.signal.aborted) return this.finish(job, file, 'cancelled');
      const payload = toErrorPayload(error);
      this.update(job, file.fileId, () => this.store.setState(file.fileId, 'error', { error: payload }));
    } finally {
      this.release(file);
    }
  }

  private finish(job: Job, file: QueuedFile, state: 'cancelled'): void {
    this.update(job, file.fileId, () => this.store.setState(file.fileId, state));
    this.release(file);
  }

  /** Writes, then tells the windows; a file removed meanwhile (or its collection) is skipped. */
  private update(job: Job, fileId: string, write: () => void): void {
    if (!this.store.exists(fileId)) return;
    try {
      write();
      this.emit(job.id, this.store.file(fileId));
    } catch (error) {
      console.error(`Enclave: could not save document ${fileId}:`, error);
    }
  }

  private release(file: QueuedFile): void {
    if (!file.upload) return;
    void rm(file.path, { force: true }).catch(() => undefined);
  }
}
