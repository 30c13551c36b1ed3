/**
 * Adding files to a collection and reading them, one file at a time (memory stays bounded by one
 * file, and by a window of pages for a PDF). The database is the queue: a file's row goes queued →
 * ingesting → ready, or error with the reason in its row, and a PDF's passages are saved page by
 * page. So a stopped app resumes by itself at the next start (files added by path are read again
 * from the disk, uploaded files are kept in the data folder until read), a half-read PDF goes on
 * at the page after the last saved, and a paused collection keeps its place. One file's failure
 * never stops the others or the host.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { opendir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { LIMITS_DOCUMENTS, type DocumentFile, type DocumentSource, type DocumentsRefreshed } from '#shared/documents.ts';
import { EnclaveError, toErrorPayload } from '#shared/errors.ts';
import { isSystemFolder } from '../platform/system-folders.ts';
import { uploadPath } from '../platform/uploads.ts';
import { chunkBlocks } from './chunk.ts';
import { formatOf, unreadable } from './extract.ts';
import { ExtractionWorker, type ExtractionLimits } from './extract-in-worker.ts';
import type { DocumentStore, NewFile, QueuedFile } from './store.ts';

/** Uploaded files wait here, in the data folder, until read (the uploads folder is emptied at each start). */
export const PENDING_UPLOADS_DIR_NAME = 'document-uploads';

/** Why the file being read was stopped. */
type StopReason = 'cancel' | 'pause' | 'gone';

interface Reading {
  file: QueuedFile;
  abort: AbortController;
  reason: StopReason | null;
}

/** A file found where a source points (a folder gives one per supported file in it). */
interface Located {
  name: string;
  size: number;
  path: string | null;
  mtime: number | null;
  upload: string | null;
}

export class DocumentIngestion {
  private readonly store: DocumentStore;
  private readonly dataDir: string;
  private readonly pendingDir: string;
  private readonly emit: (ingestion: string, file: DocumentFile) => void;
  private readonly worker: ExtractionWorker;
  private reading: Reading | null = null;
  private running: Promise<void> | null = null;
  private disposed = false;
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
    this.pendingDir = join(dataDir, PENDING_UPLOADS_DIR_NAME);
    this.emit = emit;
    this.worker = new ExtractionWorker(worker.entry, worker.limits);
  }

  /** At start: removes uploads no file waits for any more, and resumes the files a stop left unread. */
  start(): void {
    mkdirSync(this.pendingDir, { recursive: true });
    const waiting = this.store.pendingUploads();
    for (const name of readdirSync(this.pendingDir)) if (!waiting.has(name)) void this.removeUpload(name);
    this.kick();
  }

  /** Queues the files (their rows are created at once, answered to the caller) and starts reading. */
  async add(jobId: string, collectionId: string, sources: readonly DocumentSource[]): Promise<DocumentFile[]> {
    if (this.store.jobPending(jobId)) throw new EnclaveError('BAD_REQUEST', `job ${jobId} is already running`, { jobId });
    this.store.collection(collectionId);
    const located: Located[] = [];
    for (const source of sources) located.push(...(await this.locate(collectionId, source)));
    const rows = located.map((file) => this.queue(collectionId, jobId, file));
    this.kick();
    return rows;
  }

  /** Stops a job: the file being read and those after it are cancelled (their partial passages dropped). */
  cancel(jobId: string): { cancelled: boolean } {
    const { ids, uploads } = this.store.cancel(jobId);
    for (const upload of uploads) void this.removeUpload(upload);
    if (this.reading?.file.jobId === jobId) this.stop('cancel');
    for (const id of ids) this.tell(jobId, id);
    return { cancelled: ids.length > 0 };
  }

  /** Pauses the collection's reading; the file being read stops after its current page (a PDF keeps the pages read). */
  pause(collectionId: string): { paused: number } {
    const paused = this.store.pause(collectionId);
    const reading = this.reading;
    if (reading?.file.collectionId === collectionId) {
      this.stop('pause');
      this.tell(reading.file.jobId, reading.file.id);
    }
    return { paused };
  }

  resume(collectionId: string): { resumed: number } {
    const resumed = this.store.resume(collectionId);
    this.kick();
    return { resumed };
  }

  /**
   * Reads the disk again for the collection's files added by path: a file whose size or
   * modification time changed is read again, a deleted one is removed (with its passages), and
   * the new files of the folders added whole are added.
   */
  async refresh(jobId: string, collectionId: string): Promise<DocumentsRefreshed> {
    this.store.collection(collectionId);
    const counts: DocumentsRefreshed = { changed: 0, removed: 0, added: 0 };
    const known = new Set<string>();
    for (const file of this.store.pathFiles(collectionId)) {
      known.add(file.path);
      const found = await stat(file.path).catch(() => null);
      if (found === null || !found.isFile()) {
        this.removeFile(file.id);
        counts.removed++;
      } else if (found.size !== file.size || Math.trunc(found.mtimeMs) !== file.mtime) {
        this.queue(collectionId, jobId, { name: this.store.file(file.id).name, size: found.size, path: file.path, mtime: Math.trunc(found.mtimeMs), upload: null });
        counts.changed++;
      }
    }
    for (const folder of this.store.folders(collectionId)) {
      const files = await walkFolder(folder).catch(() => null);
      for (const file of files ?? []) {
        if (file.path === null || known.has(file.path)) continue;
        this.queue(collectionId, jobId, file);
        counts.added++;
      }
    }
    this.kick();
    return counts;
  }

  /** Removes a file with its passages (and the upload it kept waiting); stops reading it first. */
  removeFile(fileId: string): void {
    if (this.reading?.file.id === fileId) this.stop('gone');
    const upload = this.store.removeFile(fileId);
    if (upload !== null) void this.removeUpload(upload);
  }

  /** Deletes a collection with its files' text, passages and waiting uploads. */
  deleteCollection(collectionId: string): void {
    if (this.reading?.file.collectionId === collectionId) this.stop('gone');
    for (const upload of this.store.delete(collectionId)) void this.removeUpload(upload);
  }

  /** Resolves when every queued file has been read (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  dispose(): void {
    this.disposed = true;
    // The file being read stays `ingesting`: the next start resumes it.
    this.reading?.abort.abort();
    this.worker.close();
  }

  private queue(collectionId: string, jobId: string, file: Located): DocumentFile {
    const row: NewFile = { name: file.name, format: formatOf(file.name), size: file.size, jobId, path: file.path, mtime: file.mtime, pendingUpload: file.upload };
    const reading = this.reading;
    const { file: added, replacedUpload } = this.store.addFile(collectionId, row);
    // The same file added again while it is read: the read restarts from its new content.
    if (reading?.file.id === added.id) this.stop('gone');
    if (replacedUpload !== null) void this.removeUpload(replacedUpload);
    return added;
  }

  private async locate(collectionId: string, source: DocumentSource): Promise<Located[]> {
    if ('uploadId' in source) {
      const found = await stat(uploadPath(this.dataDir, source.uploadId)).catch(() => null);
      if (found === null) throw new EnclaveError('NOT_FOUND', `no upload ${source.uploadId}`, { reason: 'unreadable' });
      // Kept in the data folder until read, so that reading resumes after a stop.
      mkdirSync(this.pendingDir, { recursive: true });
      await rename(uploadPath(this.dataDir, source.uploadId), join(this.pendingDir, source.uploadId));
      return [{ name: uploadName(source.name), size: found.size, path: null, mtime: null, upload: source.uploadId }];
    }
    const { path } = source;
    if (!isAbsolute(path)) throw new EnclaveError('BAD_REQUEST', 'a document path must be absolute', { file: path.slice(0, 200), reason: 'relative-path' });
    if (isSystemFolder(path)) throw new EnclaveError('FORBIDDEN', 'documents are not read from system folders', { file: path.slice(0, 200), reason: 'system-folder' });
    const found = await stat(path).catch(() => null);
    if (found?.isDirectory() === true) {
      const files = await walkFolder(path);
      this.store.addFolder(collectionId, path);
      return files;
    }
    if (found === null || !found.isFile()) throw new EnclaveError('NOT_FOUND', `cannot read ${path}`, { file: path.slice(0, 200), reason: 'unreadable' });
    return [{ name: basename(path), size: found.size, path, mtime: Math.trunc(found.mtimeMs), upload: null }];
  }

  private kick(): void {
    if (this.disposed) return;
    this.running ??= this.drain().finally(() => {
      this.running = null;
      // Files queued after the last look but before this: read them too.
      if (!this.disposed && this.store.next() !== null) this.kick();
    });
  }

  private async drain(): Promise<void> {
    for (let file = this.store.next(); file !== null && !this.disposed; file = this.store.next()) await this.ingest(file);
    this.worker.close();
  }

  private async ingest(file: QueuedFile): Promise<void> {
    const source = file.path ?? (file.pendingUpload === null ? null : join(this.pendingDir, file.pendingUpload));
    if (source === null || !existsSync(source)) {
      // Added by a path since deleted, or an upload lost: `documents.refresh` removes the former.
      this.store.setState(file.id, 'interrupted');
      this.store.clearPendingUpload(file.id);
      return this.tell(file.jobId, file.id);
    }
    const fromPage = file.pagesRead + 1;
    this.store.startReading(file.id, fromPage);
    this.tell(file.jobId, file.id);
    const reading: Reading = { file, abort: new AbortController(), reason: null };
    this.reading = reading;
    try {
      const result = await this.worker.extract(
        { path: source, fileName: file.name, fromPage },
        {
          signal: reading.abort.signal,
          onPage: (read, total, blocks) => {
            this.store.savePage(file.id, read, total, chunkBlocks(blocks));
            this.tell(file.jobId, file.id);
          },
        },
      );
      // A PDF's pages were saved one by one as they were read; other files come whole (an image as its one page).
      if (result.format === 'pdf') {
        if (this.store.finishPages(file.id) === 0) throw unreadable('document-no-text', `${file.name}: no text found`);
      } else {
        const chunks = chunkBlocks(result.blocks);
        if (chunks.length === 0) throw unreadable('document-no-text', `${file.name}: no text found`);
        this.store.saveChunks(file.id, chunks, result.pages);
      }
      this.onPassages();
      await this.done(file);
    } catch (error) {
      // Paused, cancelled or removed: the store already says so; a stop of the app resumes it later.
      if (reading.abort.signal.aborted) return;
      if (this.store.exists(file.id)) this.store.fail(file.id, toErrorPayload(error));
      await this.done(file);
    } finally {
      this.reading = null;
    }
  }

  /** The file is read (or failed for good): its upload is no longer kept. */
  private async done(file: QueuedFile): Promise<void> {
    this.tell(file.jobId, file.id);
    if (file.pendingUpload === null) return;
    if (this.store.exists(file.id)) this.store.clearPendingUpload(file.id);
    await this.removeUpload(file.pendingUpload);
  }

  private stop(reason: StopReason): void {
    if (this.reading === null) return;
    this.reading.reason = reason;
    this.reading.abort.abort();
  }

  /** Tells the windows a file's row changed; a file removed meanwhile (or its collection) is skipped. */
  private tell(jobId: string, fileId: string): void {
    if (this.store.exists(fileId)) this.emit(jobId, this.store.file(fileId));
  }

  private async removeUpload(name: string): Promise<void> {
    await rm(join(this.pendingDir, name), { force: true }).catch(() => undefined);
  }
}

/** An uploaded file's name: its path inside the folder it came from, without `..` or empty parts. */
export function uploadName(name: string): string {
  const parts = name.split(/[\\/]+/).filter((part) => part !== '' && part !== '.' && part !== '..');
  return parts.length === 0 ? 'document' : parts.join('/');
}

/** A folder's supported files, subfolders included (hidden files and Office lock files left out), named by their path from the folder's parent. */
async function walkFolder(folder: string): Promise<Located[]> {
  const parent = dirname(folder);
  const files: Located[] = [];
  // Iterated, not listed whole: a folder far over the limit stops at it.
  for await (const entry of await opendir(folder, { recursive: true })) {
    if (!entry.isFile() || entry.name.startsWith('.') || entry.name.startsWith('~$') || formatOf(entry.name) === null) continue;
    const path = join(entry.parentPath, entry.name);
    if (
      relative(folder, path)
        .split(sep)
        .some((part) => part.startsWith('.'))
    )
      continue;
    files.push({ name: relative(parent, path).split(sep).join('/'), size: 0, path, mtime: null, upload: null });
    if (files.length > LIMITS_DOCUMENTS.maxFilesPerFolder) {
      throw new EnclaveError('BAD_REQUEST', `${folder} holds more than ${LIMITS_DOCUMENTS.maxFilesPerFolder} documents`, { file: folder.slice(0, 200), reason: 'folder-too-large' });
    }
  }
  files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const file of files) {
    const found = await stat(file.path ?? '');
    file.size = found.size;
    file.mtime = Math.trunc(found.mtimeMs);
  }
  return files;
}
