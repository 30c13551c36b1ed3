/**
 * Retrieval: full text (bm25) alone without an embedding model; with one, the full-text ranking
 * and the vector ranking (cosine, exact scan) fused by reciprocal rank fusion, so a passage found
 * by either method, or high in both, comes first.
 */
import type { Passage } from '#shared/documents.ts';
import type { DocumentEmbeddings } from './embeddings.ts';
import type { DocumentStore } from './store.ts';

/** RRF's constant (Cormack et al. 2009): a passage's fused score is the sum of 1 / (k + rank) over the rankings that hold it. */
export const RRF_K = 60;

/** Passages each method proposes before the fusion. */
export const FUSION_CANDIDATES = 20;

/**
 * Cosine from which a passage found by its vector alone counts as relevant (a guess for the
 * catalog's models, not measured here: multilingual-e5's cosines run high, so with it more
 * passages pass).
 */
export const VECTOR_RELEVANCE = 0.6;

export type RetrievalMethod = 'fulltext' | 'vectors' | 'fusion';

export class DocumentRetrieval {
  private readonly store: DocumentStore;
  private readonly embeddings: DocumentEmbeddings;

  constructor(store: DocumentStore, embeddings: DocumentEmbeddings) {
    this.store = store;
    this.embeddings = embeddings;
  }

  /** The best `limit` passages for the question (`terms`: its folded words; `text`: as written, for its vector). */
  async retrieve(collectionIds: readonly string[], terms: readonly string[], text: string, limit: number, method: RetrievalMethod = 'fusion'): Promise<Passage[]> {
    if (method === 'fulltext') return this.store.search(collectionIds, terms, limit);
    const query = await this.embeddings.queryVector(text);
    if (query === null) return method === 'vectors' ? [] : this.store.search(collectionIds, terms, limit);
    const nearest = this.store.nearest(collectionIds, query.model, query.vector, method === 'vectors' ? limit : FUSION_CANDIDATES);
    if (method === 'vectors') return nearest;
    return fuse([this.store.search(collectionIds, terms, FUSION_CANDIDATES), nearest], limit);
  }
}

/** Reciprocal rank fusion of rankings (best first); a passage keeps its cosine when a ranking had it. */
export function fuse(rankings: readonly (readonly Passage[])[], limit: number): Passage[] {
  const fused = new Map<number, { passage: Passage; score: number }>();
  for (const ranking of rankings) {
    ranking.forEach((passage, index) => {
      const entry = fused.get(passage.chunkId) ?? { passage, score: 0 };
      entry.score += 1 / (RRF_K + index + 1);
      if (passage.similarity !== undefined) entry.passage = { ...entry.passage, similarity: passage.similarity };
      fused.set(passage.chunkId, entry);
    });
  }
  return [...fused.values()]
    .sort((a, b) => b.score - a.score)
    .slice(0, limit)
    .map(({ passage, score }) => ({ ...passage, score: -score }));
}
