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
import { matchExpression } from './query.ts';

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
}

export class DocumentStore {
  readonly db: DatabaseSync;
  private readonly sql: Sql;
  private readonly now: () => number;

  constructor(db: DatabaseSync, now: () => number = Date.now) {
    this.db = db;
    this.sql = statementCache(db);
    this.now = now;
  }

  /** Files left queued or half-read by a previous run: their passages are dropped and they say so. */
  recover(): number {
    return transaction(this.db, () => {
      const stale = this.sql(`SELECT id FROM doc_files WHERE state IN ('queued', 'ingesting')`).all() as unknown as { id: string }[];
      for (const { id } of stale) this.sql('DELETE FROM doc_chunks WHERE file_id = ?').run(id);
      return Number(this.sql(`UPDATE doc_files SET state = 'interrupted', chunks = 0 WHERE state IN ('queued', 'ingesting')`).run().changes);
    });
  }

  list(): CollectionSummary[] {
    const rows = this.sql(
      `SELECT c.id, c.name, c.created_at,
         count(f.id) AS files,
         count(CASE WHEN f.state = 'ready' THEN 1 END) AS ready,
         count(CASE WHEN f.state = 'error' THEN 1 END) AS failed,
         count(CASE WHEN f.state IN ('queued', 'ingesting') THEN 1 END) AS pending
       FROM doc_collections c LEFT JOIN doc_files f ON f.collection_id = c.id
       GROUP BY c.id ORDER BY c.name COLLATE NOCASE, c.created_at`,
    ).all() as unknown as { id: string; name: string; created_at: number; files: number; ready: number; failed: number; pending: number }[];
    return rows.map((row) => ({ id: row.id, name: row.name, createdAt: row.created_at, files: row.files, ready: row.ready, failed: row.failed, pending: row.pending }));
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

  delete(id: string): void {
    this.collection(id);
    transaction(this.db, () => {
      this.sql('DELETE FROM doc_chunks WHERE file_id IN (SELECT id FROM doc_files WHERE collection_id = ?)').run(id);
      this.sql('DELETE FROM doc_collections WHERE id = ?').run(id);
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

  addFile(collectionId: string, name: string, format: DocumentFormat | null, size: number): DocumentFile {
    const id = randomUUID();
    this.sql(`INSERT INTO doc_files (id, collection_id, name, format, size, state, added_at) VALUES (?, ?, ?, ?, ?, 'queued', ?)`).run(id, collectionId, name, format, size, this.now());
    return this.file(id);
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

  removeFile(fileId: string): void {
    this.file(fileId);
    transaction(this.db, () => {
      this.sql('DELETE FROM doc_chunks WHERE file_id = ?').run(fileId);
      this.sql('DELETE FROM doc_files WHERE id = ?').run(fileId);
    });
  }

  /** The best passages of these collections for the query's terms (folded words), bm25 first; headings weigh double, the file's name as much as the text. */
  search(collectionIds: readonly string[], terms: readonly string[], limit: number): Passage[] {
    const match = matchExpression(terms);
    if (match === null || collectionIds.length === 0) return [];
    const placeholders = collectionIds.map(() => '?').join(', ');
    const rows = this.sql(
      `SELECT c.id AS chunk_id, c.file_id, f.name AS file_name, f.collection_id, c.page, c.heading, c.text, bm25(doc_chunks_fts, 1.0, 2.0, 1.0) AS score
       FROM doc_chunks_fts JOIN doc_chunks c ON c.id = doc_chunks_fts.rowid JOIN doc_files f ON f.id = c.file_id
       WHERE doc_chunks_fts MATCH ? AND f.collection_id IN (${placeholders}) AND f.state = 'ready'
       ORDER BY score LIMIT ?`,
    ).all(match, ...collectionIds, limit) as unknown as {
      chunk_id: number;
      file_id: string;
      file_name: string;
      collection_id: string;
      page: number | null;
      heading: string;
      text: string;
      score: number;
    }[];
    return rows.map((row) => ({
      chunkId: row.chunk_id,
      fileId: row.file_id,
      fileName: row.file_name,
      collectionId: row.collection_id,
      page: row.page,
      heading: row.heading,
      text: row.text,
      score: row.score,
    }));
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

function toFile(row: FileRow): DocumentFile {
  return {
    id: row.id,
    collectionId: row.collection_id,
    name: row.name,
    format: row.format as DocumentFormat | null,
    size: row.size,
    state: row.state as DocumentFileState,
    pages: row.pages,
    chunks: row.chunks,
    error: row.error === null ? null : (JSON.parse(row.error) as ErrorPayload),
    addedAt: row.added_at,
  };
}
