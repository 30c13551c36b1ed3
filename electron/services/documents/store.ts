/**
 * Collections, files and passages in the app's database. Deleting a collection or a file removes
 * its passages by cascade, and their full-text index entries by trigger: nothing of its text stays.
 */
import { randomUUID } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import {
  LIMITS_DOCUMENTS,
  type CollectionSummary,
  type DocumentAttachment,
  type DocumentFile,
  type DocumentFileState,
  type DocumentFormat,
  type DocumentPassage,
  type DocumentWindow,
  type Passage,
} from '#shared/documents.ts';
import { EnclaveError, type ErrorPayload } from '#shared/errors.ts';
import { statementCache, transaction, type Sql } from '../platform/db/sql.ts';
import type { Chunk } from './chunk.ts';
import { matchLevels } from './query.ts';
import { trimVectorLog, VectorIndex } from './vector-index.ts';

interface FileRow {
  id: string;
  collection_id: string;
  name: string;
  format: string | null;
  size: number;
  state: string;
  pages: number | null;
  chunks: number;
  error: string | null;
  added_at: number;
  job_id: string | null;
  path: string | null;
  mtime: number | null;
  pending_upload: string | null;
  page_count: number | null;
}

/** A file waiting to be read, or being read, with where to read it from. */
export interface QueuedFile {
  id: string;
  collectionId: string;
  jobId: string;
  name: string;
  /** The file on disk (added by path); null for an upload. */
  path: string | null;
  /** The uploaded file kept in the data folder until read (its name there); null when added by path. */
  pendingUpload: string | null;
  /** Pages already saved (a PDF half-read before a stop or a pause). */
  pagesRead: number;
}

/** Where a new file comes from. */
export interface NewFile {
  name: string;
  format: DocumentFormat | null;
  size: number;
  jobId: string;
  path: string | null;
  mtime: number | null;
  pendingUpload: string | null;
}

/** A file added by path, as last read. */
export interface PathFile {
  id: string;
  path: string;
  size: number;
  mtime: number | null;
  state: DocumentFileState;
}

export class DocumentStore {
  readonly db: DatabaseSync;
  private readonly sql: Sql;
  private readonly now: () => number;
  private vectorIndex: VectorIndex | null = null;

  constructor(db: DatabaseSync, now: () => number = Date.now) {
    this.db = db;
    this.sql = statementCache(db);
    this.now = now;
  }

  /** The next file to read (queued, or half-read when the app stopped), oldest first; null when none. */
  next(): QueuedFile | null {
    const row = this.sql(`SELECT * FROM doc_files WHERE state IN ('queued', 'ingesting') ORDER BY added_at, rowid LIMIT 1`).get() as FileRow | undefined;
    if (row === undefined) return null;
    return {
      id: row.id,
      collectionId: row.collection_id,
      jobId: row.job_id ?? 'resumed-after-a-stop',
      name: row.name,
      path: row.path,
      pendingUpload: row.pending_upload,
      pagesRead: row.page_count === null ? 0 : (row.pages ?? 0),
    };
  }

  /** Uploaded files still waiting to be read (the others in their folder are left over and removed). */
  pendingUploads(): Set<string> {
    const rows = this.sql('SELECT pending_upload FROM doc_files WHERE pending_upload IS NOT NULL').all() as { pending_upload: string }[];
    return new Set(rows.map((row) => row.pending_upload));
  }

  list(): CollectionSummary[] {
    const rows = this.sql(
      `SELECT c.id, c.name, c.created_at,
         count(f.id) AS files,
         count(CASE WHEN f.state = 'ready' THEN 1 END) AS ready,
         count(CASE WHEN f.state = 'error' THEN 1 END) AS failed,
         count(CASE WHEN f.state IN ('queued', 'ingesting') THEN 1 END) AS pending,
         count(CASE WHEN f.state = 'paused' THEN 1 END) AS paused,
         (SELECT count(*) FROM doc_folders d WHERE d.collection_id = c.id) + count(f.path) AS on_disk
       FROM doc_collections c LEFT JOIN doc_files f ON f.collection_id = c.id
       GROUP BY c.id ORDER BY c.name COLLATE NOCASE, c.created_at`,
    ).all() as unknown as { id: string; name: string; created_at: number; files: number; ready: number; failed: number; pending: number; paused: number; on_disk: number }[];
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      createdAt: row.created_at,
      files: row.files,
      ready: row.ready,
      failed: row.failed,
      pending: row.pending,
      paused: row.paused,
      onDisk: row.on_disk > 0,
    }));
  }

  collection(id: string): CollectionSummary {
    const found = this.list().find((collection) => collection.id === id);
    if (found === undefined) throw new EnclaveError('NOT_FOUND', `no collection ${id}`, { collectionId: id });
    return found;
  }

  create(name: string): CollectionSummary {
    const id = randomUUID();
    this.sql('INSERT INTO doc_collections (id, name, created_at) VALUES (?, ?, ?)').run(id, name, this.now());
    return this.collection(id);
  }

  rename(id: string, name: string): CollectionSummary {
    this.collection(id);
    this.sql('UPDATE doc_collections SET name = ? WHERE id = ?').run(name, id);
    return this.collection(id);
  }

  /** Deletes the collection; answers the uploads its files kept waiting, for the caller to remove. */
  delete(id: string): string[] {
    this.collection(id);
    return transaction(this.db, () => {
      const uploads = this.sql('SELECT pending_upload FROM doc_files WHERE collection_id = ? AND pending_upload IS NOT NULL').all(id) as { pending_upload: string }[];
      this.sql('DELETE FROM doc_chunks WHERE file_id IN (SELECT id FROM doc_files WHERE collection_id = ?)').run(id);
      this.sql('DELETE FROM doc_collections WHERE id = ?').run(id);
      return uploads.map((row) => row.pending_upload);
    });
  }

  files(collectionId: string): DocumentFile[] {
    this.collection(collectionId);
    const rows = this.sql('SELECT * FROM doc_files WHERE collection_id = ? ORDER BY added_at, rowid').all(collectionId) as unknown as FileRow[];
    return rows.map(toFile);
  }

  file(id: string): DocumentFile {
    const row = this.sql('SELECT * FROM doc_files WHERE id = ?').get(id) as FileRow | undefined;
    if (row === undefined) throw new EnclaveError('NOT_FOUND', `no document ${id}`, { fileId: id });
    return toFile(row);
  }

  /**
   * Queues a file. One already in the collection (the same path, or an upload of the same name) is
   * replaced: its passages dropped, its row queued again. Answers the row, and the upload the
   * replaced row still kept waiting (for the caller to remove).
   */
  addFile(collectionId: string, file: NewFile): { file: DocumentFile; replacedUpload: string | null } {
    return transaction(this.db, () => {
      const existing = (
        file.path === null
          ? this.sql('SELECT id, pending_upload FROM doc_files WHERE collection_id = ? AND path IS NULL AND name = ?').get(collectionId, file.name)
          : this.sql('SELECT id, pending_upload FROM doc_files WHERE collection_id = ? AND path = ?').get(collectionId, file.path)
      ) as { id: string; pending_upload: string | null } | undefined;
      const id = existing?.id ?? randomUUID();
      if (existing === undefined) {
        this.sql(`INSERT INTO doc_files (id, collection_id, name, format, size, state, added_at, job_id, path, mtime, pending_upload) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?)`).run(
          id,
          collectionId,
          file.name,
          file.format,
          file.size,
          this.now(),
          file.jobId,
          file.path,
          file.mtime,
          file.pendingUpload,
        );
      } else {
        this.sql('DELETE FROM doc_chunks WHERE file_id = ?').run(id);
        this.sql(
          // A file added by path keeps its name (its path in the folder it was first added with).
          `UPDATE doc_files SET name = CASE WHEN path IS NULL THEN ? ELSE name END, format = ?, size = ?, state = 'queued', pages = NULL, page_count = NULL, chunks = 0, error = NULL, added_at = ?, job_id = ?, mtime = ?, pending_upload = ? WHERE id = ?`,
        ).run(file.name, file.format, file.size, this.now(), file.jobId, file.mtime, file.pendingUpload, id);
      }
      return { file: this.file(id), replacedUpload: existing?.pending_upload ?? null };
    });
  }

  /** A folder added by its path: `documents.refresh` adds the files that appear in it. */
  addFolder(collectionId: string, path: string): void {
    this.sql('INSERT OR IGNORE INTO doc_folders (collection_id, path) VALUES (?, ?)').run(collectionId, path);
  }

  folders(collectionId: string): string[] {
    return (this.sql('SELECT path FROM doc_folders WHERE collection_id = ? ORDER BY path').all(collectionId) as { path: string }[]).map((row) => row.path);
  }

  /** The collection's files added by path, with the size and modification time they were read at. */
  pathFiles(collectionId: string): PathFile[] {
    const rows = this.sql('SELECT id, path, size, mtime, state FROM doc_files WHERE collection_id = ? AND path IS NOT NULL').all(collectionId) as unknown as {
      id: string;
      path: string;
      size: number;
      mtime: number | null;
      state: DocumentFileState;
    }[];
    return rows;
  }

  /** The uploaded file was read (or given up): it is no longer kept. */
  clearPendingUpload(fileId: string): void {
    this.sql('UPDATE doc_files SET pending_upload = NULL WHERE id = ?').run(fileId);
  }

  /** A read starts at `fromPage` (1, or the page after the last saved): anything saved from there on is dropped. */
  startReading(fileId: string, fromPage: number): void {
    transaction(this.db, () => {
      this.sql('DELETE FROM doc_chunks WHERE file_id = ? AND (page IS NULL OR page >= ?)').run(fileId, fromPage);
      this.sql(`UPDATE doc_files SET state = 'ingesting', error = NULL, chunks = (SELECT count(*) FROM doc_chunks WHERE file_id = ?) WHERE id = ?`).run(fileId, fileId);
    });
  }

  /** One page's passages, saved with the page count read so far in one transaction: a stop loses at most the page being read. */
  savePage(fileId: string, page: number, pageCount: number, chunks: readonly Chunk[]): void {
    transaction(this.db, () => {
      if (!this.exists(fileId)) return;
      const title = titleOf(this.file(fileId).name);
      this.sql('DELETE FROM doc_chunks WHERE file_id = ? AND page = ?').run(fileId, page);
      const start = (this.sql('SELECT coalesce(max(position) + 1, 0) AS next FROM doc_chunks WHERE file_id = ?').get(fileId) as { next: number }).next;
      const insert = this.sql('INSERT INTO doc_chunks (file_id, position, page, title, heading, text) VALUES (?, ?, ?, ?, ?, ?)');
      chunks.forEach((chunk, index) => insert.run(fileId, start + index, chunk.page, title, chunk.heading, chunk.text));
      this.sql('UPDATE doc_files SET pages = ?, page_count = ?, chunks = (SELECT count(*) FROM doc_chunks WHERE file_id = ?) WHERE id = ?').run(page, pageCount, fileId, fileId);
    });
  }

  /** The file could not be read: the reason in its row, and none of its passages kept. */
  fail(fileId: string, error: ErrorPayload): void {
    transaction(this.db, () => {
      this.sql('DELETE FROM doc_chunks WHERE file_id = ?').run(fileId);
      this.sql(`UPDATE doc_files SET state = 'error', chunks = 0, error = ? WHERE id = ?`).run(JSON.stringify(error), fileId);
    });
  }

  /** Whether files of this job are still to be read. */
  jobPending(jobId: string): boolean {
    return this.sql(`SELECT 1 AS one FROM doc_files WHERE job_id = ? AND state IN ('queued', 'ingesting', 'paused')`).get(jobId) !== undefined;
  }

  /** A PDF read to its last page is ready; answers its passage count. */
  finishPages(fileId: string): number {
    this.sql(`UPDATE doc_files SET state = 'ready', pages = page_count, error = NULL WHERE id = ?`).run(fileId);
    return this.file(fileId).chunks;
  }

  /** Pauses the collection's queued and half-read files; answers how many. */
  pause(collectionId: string): number {
    return Number(this.sql(`UPDATE doc_files SET state = 'paused' WHERE collection_id = ? AND state IN ('queued', 'ingesting')`).run(collectionId).changes);
  }

  resume(collectionId: string): number {
    return Number(this.sql(`UPDATE doc_files SET state = 'queued' WHERE collection_id = ? AND state = 'paused'`).run(collectionId).changes);
  }

  /** Cancels the job's files not yet read (their partial passages dropped); answers their ids and the uploads they kept waiting. */
  cancel(jobId: string): { ids: string[]; uploads: string[] } {
    return transaction(this.db, () => {
      const rows = this.sql(`SELECT id, pending_upload FROM doc_files WHERE job_id = ? AND state IN ('queued', 'ingesting', 'paused')`).all(jobId) as { id: string; pending_upload: string | null }[];
      for (const { id } of rows) {
        this.sql('DELETE FROM doc_chunks WHERE file_id = ?').run(id);
        this.sql(`UPDATE doc_files SET state = 'cancelled', chunks = 0, pending_upload = NULL WHERE id = ?`).run(id);
      }
      return { ids: rows.map((row) => row.id), uploads: rows.flatMap((row) => (row.pending_upload === null ? [] : [row.pending_upload])) };
    });
  }

  /** Whether the file still exists (the user may remove it, or its collection, while it is read). */
  exists(fileId: string): boolean {
    return this.sql('SELECT 1 AS one FROM doc_files WHERE id = ?').get(fileId) !== undefined;
  }

  setState(fileId: string, state: DocumentFileState, update: { pages?: number | null; error?: ErrorPayload | null } = {}): void {
    this.sql('UPDATE doc_files SET state = ?, pages = coalesce(?, pages), error = ? WHERE id = ?').run(
      state,
      update.pages ?? null,
      update.error === undefined || update.error === null ? null : JSON.stringify(update.error),
      fileId,
    );
  }

  /** The file's passages, all in one transaction with its `ready` state. */
  saveChunks(fileId: string, chunks: readonly Chunk[], pages: number | null): void {
    transaction(this.db, () => {
      if (!this.exists(fileId)) return;
      const title = titleOf(this.file(fileId).name);
      this.sql('DELETE FROM doc_chunks WHERE file_id = ?').run(fileId);
      const insert = this.sql('INSERT INTO doc_chunks (file_id, position, page, title, heading, text) VALUES (?, ?, ?, ?, ?, ?)');
      chunks.forEach((chunk, position) => insert.run(fileId, position, chunk.page, title, chunk.heading, chunk.text));
      this.sql(`UPDATE doc_files SET state = 'ready', pages = ?, chunks = ?, error = NULL WHERE id = ?`).run(pages, chunks.length, fileId);
    });
  }

  /** Removes the file with its passages; answers the upload it kept waiting, if any, for the caller to remove. */
  removeFile(fileId: string): string | null {
    this.file(fileId);
    return transaction(this.db, () => {
      const { pending_upload: upload } = this.sql('SELECT pending_upload FROM doc_files WHERE id = ?').get(fileId) as { pending_upload: string | null };
      this.sql('DELETE FROM doc_chunks WHERE file_id = ?').run(fileId);
      this.sql('DELETE FROM doc_files WHERE id = ?').run(fileId);
      return upload;
    });
  }

  /**
   * The best passages of these collections for the query's terms (folded words): those holding
   * the most terms first (`matchLevels`: all, then all but one…, then any), bm25 within a level;
   * headings weigh double, the file's name as much as the text. A strict level matches few
   * passages, so a question of common words does not rank most of the index.
   */
  search(collectionIds: readonly string[], terms: readonly string[], limit: number): Passage[] {
    if (collectionIds.length === 0) return [];
    const placeholders = collectionIds.map(() => '?').join(', ');
    const query = this.sql(
      `SELECT c.id AS chunk_id, c.file_id, f.name AS file_name, f.collection_id, c.page, c.heading, c.text, bm25(doc_chunks_fts, 1.0, 2.0, 1.0) AS score
       FROM doc_chunks_fts JOIN doc_chunks c ON c.id = doc_chunks_fts.rowid JOIN doc_files f ON f.id = c.file_id
       WHERE doc_chunks_fts MATCH ? AND f.collection_id IN (${placeholders}) AND f.state = 'ready'
       ORDER BY score LIMIT ?`,
    );
    const found = new Map<number, Passage>();
    for (const match of matchLevels(terms)) {
      const rows = query.all(match, ...collectionIds, limit) as unknown as (PassageRow & { score: number })[];
      for (const row of rows) if (!found.has(row.chunk_id) && found.size < limit) found.set(row.chunk_id, toPassage(row, row.score));
      if (found.size >= limit) break;
    }
    return [...found.values()];
  }

  /** Passages of ready files with no vector from `model`, first added first, as the text their vector is made of. */
  unembedded(model: string, limit: number): { chunkId: number; text: string }[] {
    const rows = this.sql(
      `SELECT c.id, c.title, c.heading, c.text FROM doc_chunks c JOIN doc_files f ON f.id = c.file_id
       LEFT JOIN doc_vectors v ON v.chunk_id = c.id AND v.model = ?
       WHERE f.state = 'ready' AND v.chunk_id IS NULL ORDER BY c.id LIMIT ?`,
    ).all(model, limit) as unknown as { id: number; title: string; heading: string; text: string }[];
    return rows.map((row) => ({ chunkId: row.id, text: [row.title, row.heading, row.text].filter((part) => part !== '').join('\n') }));
  }

  /** Passages of ready files, and how many of them have a vector from `model`. */
  vectorCounts(model: string): { done: number; total: number } {
    const row = this.sql(
      `SELECT count(c.id) AS total, count(v.chunk_id) AS done FROM doc_chunks c JOIN doc_files f ON f.id = c.file_id
       LEFT JOIN doc_vectors v ON v.chunk_id = c.id AND v.model = ? WHERE f.state = 'ready'`,
    ).get(model) as { total: number; done: number };
    return { done: row.done, total: row.total };
  }

  /** Saves vectors (a passage removed meanwhile is skipped). */
  saveVectors(model: string, vectors: readonly { chunkId: number; vector: Float32Array }[]): void {
    transaction(this.db, () => {
      const insert = this.sql('INSERT OR REPLACE INTO doc_vectors (chunk_id, model, vector) SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM doc_chunks WHERE id = ?)');
      for (const { chunkId, vector } of vectors) insert.run(chunkId, model, new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength), chunkId);
      trimVectorLog(this.sql);
    });
  }

  /** Removes the vectors of every model but `keep` (all of them when null). */
  dropVectors(keep: string | null): number {
    return Number((keep === null ? this.sql('DELETE FROM doc_vectors').run() : this.sql('DELETE FROM doc_vectors WHERE model != ?').run(keep)).changes);
  }

  /**
   * The passages of these collections whose vectors from `model` are closest to `query` (both
   * normalised: the dot product is the cosine), largest first, ties by passage id: an exact search
   * of every vector of the collections' ready files, held in memory by the model's `VectorIndex`.
   */
  nearest(collectionIds: readonly string[], model: string, query: Float32Array, limit: number): Passage[] {
    if (collectionIds.length === 0 || query.length === 0) return [];
    let index = this.vectorIndex;
    if (index?.model !== model) {
      // One model's vectors at a time: the previous model's index is let go.
      index = new VectorIndex(this.sql, model);
      this.vectorIndex = index;
    }
    const placeholders = collectionIds.map(() => '?').join(', ');
    const files = this.sql(`SELECT id FROM doc_files WHERE collection_id IN (${placeholders}) AND state = 'ready'`).all(...collectionIds) as { id: string }[];
    const best = index.nearest(
      files.map((file) => file.id),
      query,
      limit,
    );
    const passage = this.sql(
      `SELECT c.id AS chunk_id, c.file_id, f.name AS file_name, f.collection_id, c.page, c.heading, c.text
       FROM doc_chunks c JOIN doc_files f ON f.id = c.file_id WHERE c.id = ?`,
    );
    return best.flatMap(({ chunkId, similarity }) => {
      const row = passage.get(chunkId) as PassageRow | undefined;
      return row === undefined ? [] : [{ ...toPassage(row, -similarity), similarity }];
    });
  }

  /**
   * The file's passages around one: the passage whose text starts with `quote` (on `page` when
   * given), else the first of `page`, else `position`, else the file's start. A window, never the
   * whole file: a 300-page manual is read a few pages at a time.
   */
  passages(fileId: string, around: { page?: number | null | undefined; quote?: string | undefined; position?: number | undefined }): DocumentWindow {
    const file = this.file(fileId);
    const onPage = around.page !== undefined;
    let target: number | null = null;
    if (around.quote !== undefined && around.quote !== '') {
      const found = this.sql(`SELECT position FROM doc_chunks WHERE file_id = ? AND substr(text, 1, length(?)) = ? AND (? = 0 OR page IS ?) ORDER BY position LIMIT 1`).get(
        fileId,
        around.quote,
        around.quote,
        onPage ? 1 : 0,
        around.page ?? null,
      ) as { position: number } | undefined;
      target = found?.position ?? null;
    }
    let anchor = target;
    if (anchor === null && onPage && around.page !== null) {
      const first = this.sql('SELECT min(position) AS position FROM doc_chunks WHERE file_id = ? AND page = ?').get(fileId, around.page ?? null) as { position: number | null };
      anchor = first.position;
    }
    anchor ??= around.position ?? 0;
    const radius = LIMITS_DOCUMENTS.windowRadius;
    const rows = this.sql('SELECT position, page, heading, text FROM doc_chunks WHERE file_id = ? AND position BETWEEN ? AND ? ORDER BY position').all(
      fileId,
      anchor - radius,
      anchor + radius,
    ) as unknown as DocumentPassage[];
    const bounds = this.sql('SELECT min(position) AS first, max(position) AS last FROM doc_chunks WHERE file_id = ?').get(fileId) as { first: number | null; last: number | null };
    const shownFirst = rows[0]?.position ?? anchor;
    const shownLast = rows.at(-1)?.position ?? anchor;
    return {
      file,
      target,
      passages: rows.map((row) => ({ position: row.position, page: row.page, heading: row.heading, text: row.text })),
      more: { before: bounds.first !== null && bounds.first < shownFirst, after: bounds.last !== null && bounds.last > shownLast },
    };
  }

  attachment(conversationId: string): DocumentAttachment {
    const row = this.sql('SELECT collection_ids, only FROM conversation_documents WHERE conversation_id = ?').get(conversationId) as { collection_ids: string; only: number } | undefined;
    if (row === undefined) return { collectionIds: [], only: false };
    const known = new Set((this.sql('SELECT id FROM doc_collections').all() as { id: string }[]).map((collection) => collection.id));
    const ids = (JSON.parse(row.collection_ids) as unknown[]).filter((id): id is string => typeof id === 'string' && known.has(id));
    return { collectionIds: ids, only: row.only === 1 };
  }

  attach(conversationId: string, attachment: DocumentAttachment): void {
    this.sql(
      `INSERT INTO conversation_documents (conversation_id, collection_ids, only) VALUES (?, ?, ?)
       ON CONFLICT(conversation_id) DO UPDATE SET collection_ids = excluded.collection_ids, only = excluded.only`,
    ).run(conversationId, JSON.stringify(attachment.collectionIds), attachment.only ? 1 : 0);
  }
}

/** A file's name as words ("contrat-maintenance_2026.pdf" → "contrat maintenance 2026"): users name files after their subject. */
export function titleOf(fileName: string): string {
  return fileName
    .replace(/\.[^.]+$/, '')
    .replace(/[-_.]+/g, ' ')
    .trim();
}

interface PassageRow {
  chunk_id: number;
  file_id: string;
  file_name: string;
  collection_id: string;
  page: number | null;
  heading: string;
  text: string;
}

function toPassage(row: PassageRow, score: number): Passage {
  return { chunkId: row.chunk_id, fileId: row.file_id, fileName: row.file_name, collectionId: row.collection_id, page: row.page, heading: row.heading, text: row.text, score };
}

function toFile(row: FileRow): DocumentFile {
  return {
    id: row.id,
    collectionId: row.collection_id,
    name: row.name,
    format: row.format as DocumentFormat | null,
    size: row.size,
    state: row.state as DocumentFileState,
    pages: row.pages,
    pageCount: row.page_count,
    chunks: row.chunks,
    error: row.error === null ? null : (JSON.parse(row.error) as ErrorPayload),
    addedAt: row.added_at,
  };
}
