/**
 * One embedding model's vectors held in memory for the exact nearest-passage search: one Float32
 * matrix (a row per passage), each row's passage id and file. Loaded from `doc_vectors` in one pass
 * on the first question, then kept current from `doc_vector_changes`, the log SQLite triggers
 * write for every vector inserted, replaced or deleted (by a cascade from its passage, file or
 * collection too): each question first reads the log's last number (one index lookup), and applies
 * what changed since, or loads again when the log was trimmed past it or more changed than it
 * holds. Whatever writes the table, through the store or not, the index cannot miss it.
 * Which files may answer (their collection, `ready`) is read on each question, not kept.
 */
import type { Sql } from '../platform/db/sql.ts';

/** Changes kept in the log once it is trimmed; an index further behind loads again. */
const LOG_KEEP = 100_000;

export interface Neighbour {
  chunkId: number;
  similarity: number;
}

export class VectorIndex {
  private dimensions = 0;
  private matrix = new Float32Array(0);
  private chunkIds = new Float64Array(0);
  private fileSlots = new Int32Array(0);
  private size = 0;
  private readonly rowOf = new Map<number, number>();
  private readonly slotOf = new Map<string, number>();
  /** The last change applied; -1 before the first load. */
  private seq = -1;

  private readonly sql: Sql;
  readonly model: string;

  constructor(sql: Sql, model: string) {
    this.sql = sql;
    this.model = model;
  }

  /** Passages held (rows of the matrix). */
  get rows(): number {
    return this.size;
  }

  /**
   * The `limit` rows of these files with the largest dot product with `query`, largest first,
   * ties by passage id; none when the query's width is not the vectors'.
   */
  nearest(fileIds: readonly string[], query: Float32Array, limit: number): Neighbour[] {
    this.catchUp();
    const d = this.dimensions;
    if (query.length !== d || d === 0 || limit <= 0) return [];
    const allowed = new Uint8Array(this.slotOf.size);
    for (const id of fileIds) {
      const slot = this.slotOf.get(id);
      if (slot !== undefined) allowed[slot] = 1;
    }
    const matrix = this.matrix;
    const best: Neighbour[] = [];
    for (let row = 0; row < this.size; row++) {
      if (allowed[this.fileSlots[row] ?? 0] !== 1) continue;
      const base = row * d;
      const sum = dot(query, matrix, base, d);
      const chunkId = this.chunkIds[row] ?? 0;
      const last = best[best.length - 1];
      if (best.length === limit && last !== undefined && !before(sum, chunkId, last)) continue;
      let at = best.length;
      while (at > 0 && before(sum, chunkId, best[at - 1] as Neighbour)) at--;
      best.splice(at, 0, { chunkId, similarity: sum });
      if (best.length > limit) best.pop();
    }
    return best;
  }

  private catchUp(): void {
    const { last } = this.sql('SELECT coalesce(max(seq), 0) AS last FROM doc_vector_changes').get() as { last: number };
    if (last === this.seq) return;
    const { first } = this.sql('SELECT coalesce(min(seq), 0) AS first FROM doc_vector_changes').get() as { first: number };
    if (this.seq < 0 || first > this.seq + 1 || last < this.seq || last - this.seq > Math.max(this.size, 1000)) {
      this.load(last);
    } else {
      const changed = this.sql('SELECT DISTINCT chunk_id FROM doc_vector_changes WHERE seq > ? AND seq <= ?').all(this.seq, last) as { chunk_id: number }[];
      const read = this.sql('SELECT c.file_id, v.vector FROM doc_vectors v JOIN doc_chunks c ON c.id = v.chunk_id WHERE v.chunk_id = ? AND v.model = ?');
      for (const { chunk_id: chunkId } of changed) {
        this.remove(chunkId);
        const row = read.get(chunkId, this.model) as { file_id: string; vector: Uint8Array } | undefined;
        if (row !== undefined) this.add(chunkId, row.file_id, row.vector);
      }
      this.seq = last;
    }
    trimVectorLog(this.sql);
  }

  private load(last: number): void {
    const { count } = this.sql('SELECT count(*) AS count FROM doc_vectors WHERE model = ?').get(this.model) as { count: number };
    const first = this.sql('SELECT vector FROM doc_vectors WHERE model = ? LIMIT 1').get(this.model) as { vector: Uint8Array } | undefined;
    this.dimensions = first === undefined ? 0 : first.vector.byteLength >> 2;
    this.size = 0;
    this.rowOf.clear();
    this.slotOf.clear();
    this.allocate(count);
    const rows = this.sql('SELECT v.chunk_id, c.file_id, v.vector FROM doc_vectors v JOIN doc_chunks c ON c.id = v.chunk_id WHERE v.model = ?').iterate(this.model) as Iterable<{
      chunk_id: number;
      file_id: string;
      vector: Uint8Array;
    }>;
    for (const row of rows) this.add(row.chunk_id, row.file_id, row.vector);
    this.seq = last;
  }

  private allocate(rows: number): void {
    const matrix = new Float32Array(rows * this.dimensions);
    matrix.set(this.matrix.subarray(0, Math.min(this.size * this.dimensions, matrix.length)));
    const chunkIds = new Float64Array(rows);
    chunkIds.set(this.chunkIds.subarray(0, this.size));
    const fileSlots = new Int32Array(rows);
    fileSlots.set(this.fileSlots.subarray(0, this.size));
    this.matrix = matrix;
    this.chunkIds = chunkIds;
    this.fileSlots = fileSlots;
  }

  /** Adds a row; a vector of another width than the others is left out (one model: never). */
  private add(chunkId: number, fileId: string, bytes: Uint8Array): void {
    const width = bytes.byteLength >> 2;
    if (this.size === 0 && width !== this.dimensions) {
      this.dimensions = width;
      this.allocate(this.chunkIds.length);
    }
    if (width !== this.dimensions || bytes.byteLength % 4 !== 0) return;
    if (this.size === this.chunkIds.length) this.allocate(Math.max(1024, this.size * 2));
    const vector = bytes.byteOffset % 4 === 0 ? new Float32Array(bytes.buffer, bytes.byteOffset, width) : new Float32Array(bytes.slice().buffer);
    this.matrix.set(vector, this.size * width);
    let slot = this.slotOf.get(fileId);
    if (slot === undefined) {
      slot = this.slotOf.size;
      this.slotOf.set(fileId, slot);
    }
    this.chunkIds[this.size] = chunkId;
    this.fileSlots[this.size] = slot;
    this.rowOf.set(chunkId, this.size);
    this.size++;
  }

  /** Removes a row by moving the last one into its place. */
  private remove(chunkId: number): void {
    const row = this.rowOf.get(chunkId);
    if (row === undefined) return;
    this.rowOf.delete(chunkId);
    const last = this.size - 1;
    if (row !== last) {
      const d = this.dimensions;
      this.matrix.copyWithin(row * d, last * d, (last + 1) * d);
      const moved = this.chunkIds[last] ?? 0;
      this.chunkIds[row] = moved;
      this.fileSlots[row] = this.fileSlots[last] ?? 0;
      this.rowOf.set(moved, row);
    }
    this.size = last;
  }
}

/** Keeps the change log to its last LOG_KEEP changes once it holds twice that (also called on writes: a log nobody asks still stays small). */
export function trimVectorLog(sql: Sql): void {
  // Two statements: SQLite answers a lone min() or max() from the key's b-tree, both together by a scan.
  const { first } = sql('SELECT coalesce(min(seq), 0) AS first FROM doc_vector_changes').get() as { first: number };
  const { last } = sql('SELECT coalesce(max(seq), 0) AS last FROM doc_vector_changes').get() as { last: number };
  if (last - first >= 2 * LOG_KEEP) sql('DELETE FROM doc_vector_changes WHERE seq <= ?').run(last - LOG_KEEP);
}

/** Whether (similarity, chunkId) ranks before `other`: larger first, then the smaller id. */
function before(similarity: number, chunkId: number, other: Neighbour): boolean {
  return similarity > other.similarity || (similarity === other.similarity && chunkId < other.chunkId);
}

/**
 * The dot product of `query` with the matrix's row at `base`, in float64 (a product of two float32
 * is exact in it). Four running sums, each over every fourth component, added in a fixed order:
 * the function defines the similarity, so equal vectors tie exactly.
 */
function dot(query: Float32Array, matrix: Float32Array, base: number, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < d; i += 4) {
    s0 += (query[i] ?? 0) * (matrix[base + i] ?? 0);
    s1 += (query[i + 1] ?? 0) * (matrix[base + i + 1] ?? 0);
    s2 += (query[i + 2] ?? 0) * (matrix[base + i + 2] ?? 0);
    s3 += (query[i + 3] ?? 0) * (matrix[base + i + 3] ?? 0);
  }
  for (; i < d; i++) s0 += (query[i] ?? 0) * (matrix[base + i] ?? 0);
  return s0 + s1 + (s2 + s3);
}
