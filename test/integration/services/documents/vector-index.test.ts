/**
 * `DocumentStore.nearest` (the in-memory `VectorIndex`) against a brute-force scan of the database
 * on a real SQLite file: random vectors with many exact ties (components of ±0.5 or 0, repeated
 * vectors), collection filters, files not ready, two models; after every kind of write — vectors
 * added, replaced, dropped, passages deleted by a re-read, a file removed, a collection deleted, a
 * file's state changed, rows deleted by raw SQL and by another connection, the change log trimmed —
 * the same top-k, same order, same cosines, and nothing of what is gone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Chunk } from '../../../../electron/services/documents/chunk.ts';
import { DocumentStore } from '../../../../electron/services/documents/store.ts';
import { openDatabase } from '../../../../electron/services/platform/db/database.ts';

const DIMENSIONS = 8;
let dir: string;
let db: DatabaseSync;
let store: DocumentStore;
let seed = 12345;

function random(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}

/** Components of -0.5, 0 or 0.5: dot products tie often, exactly. */
function vector(): Float32Array {
  return Float32Array.from({ length: DIMENSIONS }, () => [-0.5, 0, 0.5][Math.floor(random() * 3)] ?? 0);
}

function chunks(count: number, tag: string): Chunk[] {
  return Array.from({ length: count }, (_, i) => ({ page: null, heading: '', text: `${tag} ${i}` }));
}

function addFile(collectionId: string, name: string, count: number): string {
  const { file } = store.addFile(collectionId, { name, format: 'text', size: 1, jobId: 'vector-index-job-00001', path: null, mtime: null, pendingUpload: null });
  store.saveChunks(file.id, chunks(count, name), null);
  return file.id;
}

/** Gives each passage of the file without a vector from `model` one, some of them copies of another's. */
function embed(fileId: string, model: string): void {
  const ids = (db.prepare('SELECT c.id FROM doc_chunks c LEFT JOIN doc_vectors v ON v.chunk_id = c.id WHERE c.file_id = ? AND v.chunk_id IS NULL').all(fileId) as { id: number }[]).map(
    (row) => row.id,
  );
  let previous = vector();
  store.saveVectors(
    model,
    ids.map((chunkId) => {
      if (random() > 0.2) previous = vector();
      return { chunkId, vector: previous };
    }),
  );
}

/** The exact answer, computed from the database row by row. */
function bruteForce(collectionIds: readonly string[], model: string, query: Float32Array, limit: number): { chunkId: number; similarity: number }[] {
  const rows = db
    .prepare(
      `SELECT v.chunk_id, v.vector, f.collection_id FROM doc_vectors v JOIN doc_chunks c ON c.id = v.chunk_id JOIN doc_files f ON f.id = c.file_id
       WHERE v.model = ? AND f.state = 'ready'`,
    )
    .all(model) as { chunk_id: number; vector: Uint8Array; collection_id: string }[];
  return rows
    .filter((row) => collectionIds.includes(row.collection_id))
    .map((row) => {
      const stored = new Float32Array(row.vector.slice().buffer);
      let similarity = 0;
      for (let i = 0; i < query.length; i++) similarity += (query[i] ?? 0) * (stored[i] ?? 0);
      return { chunkId: row.chunk_id, similarity };
    })
    .sort((a, b) => b.similarity - a.similarity || a.chunkId - b.chunkId)
    .slice(0, limit);
}

function nearest(collectionIds: readonly string[], model: string, query: Float32Array, limit: number): { chunkId: number; similarity: number }[] {
  return store.nearest(collectionIds, model, query, limit).map((passage) => ({ chunkId: passage.chunkId, similarity: passage.similarity ?? Number.NaN }));
}

/** Many queries, every filter, a small and a large limit: the same as the brute force. */
function expectExact(collectionSets: readonly (readonly string[])[], model = 'm1'): void {
  for (let q = 0; q < 12; q++) {
    const query = vector();
    for (const ids of collectionSets) {
      for (const limit of [1, 5, 1000]) expect(nearest(ids, model, query, limit), `query ${q}, ${ids.join('+')}, limit ${limit}`).toEqual(bruteForce(ids, model, query, limit));
    }
  }
}

function fileOf(chunkId: number): string | undefined {
  return (db.prepare('SELECT file_id FROM doc_chunks WHERE id = ?').get(chunkId) as { file_id: string } | undefined)?.file_id;
}

let a: string;
let b: string;
let c: string;
let fileA1: string;
let fileA2: string;
let fileB: string;
let fileC: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'enclave-vector-index-'));
  db = openDatabase(join(dir, 'conversations.db')).db;
  store = new DocumentStore(db);
  a = store.create('A').id;
  b = store.create('B').id;
  c = store.create('C').id;
  fileA1 = addFile(a, 'a1.txt', 60);
  fileA2 = addFile(a, 'a2.txt', 40);
  fileB = addFile(b, 'b.txt', 80);
  fileC = addFile(c, 'c.txt', 30);
  for (const file of [fileA1, fileA2, fileB, fileC]) embed(file, 'm1');
});

afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the index answers what a brute-force scan answers, ties by passage id, for every collection filter', () => {
  const all = [a, b, c];
  expectExact([[a], [b], [a, c], all]);
  const tied = nearest(all, 'm1', vector(), 1000);
  expect(tied.some((row, i) => i > 0 && row.similarity === tied[i - 1]?.similarity)).toBe(true);
  expect(nearest([], 'm1', vector(), 5)).toEqual([]);
  expect(nearest(all, 'm1', new Float32Array(DIMENSIONS + 1), 5)).toEqual([]);
});

test('vectors added, replaced and removed after the index loaded are seen on the next question', () => {
  const fileA3 = addFile(a, 'a3.txt', 25);
  expectExact([[a]]);
  embed(fileA3, 'm1');
  const found = nearest([a], 'm1', vector(), 1000);
  expect(found.filter((row) => fileOf(row.chunkId) === fileA3)).toHaveLength(25);
  expectExact([[a], [a, b, c]]);
  // Replaced: INSERT OR REPLACE of a passage's vector.
  const someIds = found.slice(0, 10).map((row) => row.chunkId);
  store.saveVectors(
    'm1',
    someIds.map((chunkId) => ({ chunkId, vector: vector() })),
  );
  expectExact([[a], [a, b, c]]);
  // Removed by raw SQL, outside the store.
  db.prepare('DELETE FROM doc_vectors WHERE chunk_id IN (SELECT id FROM doc_chunks WHERE file_id = ? AND position < 10)').run(fileA2);
  expectExact([[a], [a, b, c]]);
});

test('a file read again, removed, or no longer ready leaves nothing of its old vectors; its new ones are found', () => {
  const before = new Set(
    nearest([a], 'm1', vector(), 1000)
      .filter((row) => fileOf(row.chunkId) === fileA1)
      .map((row) => row.chunkId),
  );
  expect(before.size).toBeGreaterThan(0);
  // Read again: its passages deleted and written anew (ids may be reused), then embedded.
  store.saveChunks(fileA1, chunks(70, 'a1 again'), null);
  expectExact([[a], [a, b, c]]);
  expect(nearest([a], 'm1', vector(), 1000).some((row) => fileOf(row.chunkId) === fileA1)).toBe(false);
  embed(fileA1, 'm1');
  expect(nearest([a], 'm1', vector(), 1000).filter((row) => fileOf(row.chunkId) === fileA1)).toHaveLength(70);
  expectExact([[a], [a, b, c]]);
  store.setState(fileA2, 'error');
  expect(nearest([a], 'm1', vector(), 1000).some((row) => fileOf(row.chunkId) === fileA2)).toBe(false);
  expectExact([[a]]);
  store.setState(fileA2, 'ready');
  store.removeFile(fileA2);
  expect(nearest([a, b, c], 'm1', vector(), 1000).some((row) => fileOf(row.chunkId) === fileA2)).toBe(false);
  expectExact([[a], [a, b, c]]);
});

test("a deleted collection's vectors never come back", () => {
  const ofB = new Set((db.prepare('SELECT id FROM doc_chunks WHERE file_id = ?').all(fileB) as { id: number }[]).map((row) => row.id));
  expect(nearest([b], 'm1', vector(), 1000)).toHaveLength(ofB.size);
  store.delete(b);
  for (let q = 0; q < 5; q++) expect(nearest([a, b, c], 'm1', vector(), 1000).filter((row) => ofB.has(row.chunkId))).toEqual([]);
  expect(nearest([b], 'm1', vector(), 1000)).toEqual([]);
  expectExact([[a], [a, c]]);
  // New passages may take the deleted ones' ids: they are found, with their own vectors.
  const fileD = addFile(c, 'd.txt', 50);
  embed(fileD, 'm1');
  expectExact([[c], [a, c]]);
});

test('another model, another connection: still exact', () => {
  // embed() skips passages with a vector of any model: m2 gets a file of its own.
  const fileE = addFile(c, 'e.txt', 20);
  embed(fileE, 'm2');
  expectExact([[c], [a, c]], 'm2');
  expectExact([[a, c]], 'm1');
  // Choosing m2 drops every other model's vectors.
  store.dropVectors('m2');
  expectExact([[a, c]], 'm1');
  expect(nearest([a, c], 'm1', vector(), 1000)).toHaveLength(0);
  embed(fileA1, 'm1');
  embed(fileC, 'm1');
  expectExact([[a, c]], 'm1');
  // A second connection to the same file writes: the first store's index sees it.
  const other = openDatabase(join(dir, 'conversations.db')).db;
  try {
    new DocumentStore(other).removeFile(fileC);
  } finally {
    other.close();
  }
  expect(nearest([c], 'm1', vector(), 1000).some((row) => fileOf(row.chunkId) === fileC)).toBe(false);
  expectExact([[c], [a, c]], 'm1');
});

test('a log trimmed past what the index applied makes it load again', () => {
  expectExact([[a, c]]);
  const fileF = addFile(a, 'f.txt', 30);
  embed(fileF, 'm1');
  // As the trim after 200,000 changes would: the oldest changes, this file's among them, gone.
  db.prepare('DELETE FROM doc_vector_changes WHERE seq < (SELECT max(seq) FROM doc_vector_changes)').run();
  expect(nearest([a], 'm1', vector(), 1000).filter((row) => fileOf(row.chunkId) === fileF)).toHaveLength(30);
  expectExact([[a, c]]);
});
