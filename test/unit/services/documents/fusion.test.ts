import { describe, expect, test } from 'vitest';
import type { Passage } from '#shared/documents.ts';
import { RRF_K, fuse } from '../../../../electron/services/documents/retrieval.ts';

function passage(chunkId: number, extra: Partial<Passage> = {}): Passage {
  return { chunkId, fileId: 'f', fileName: 'f.txt', collectionId: 'c', page: null, heading: '', text: `passage ${chunkId}`, score: 0, ...extra };
}

describe('reciprocal rank fusion', () => {
  test('a passage high in both rankings comes first; one found by either is kept', () => {
    const fullText = [passage(1), passage(2), passage(3)];
    const vectors = [passage(2, { similarity: 0.9 }), passage(4, { similarity: 0.8 }), passage(1, { similarity: 0.5 })];
    const fused = fuse([fullText, vectors], 10);
    expect(fused.map((p) => p.chunkId)).toEqual([2, 1, 4, 3]);
    expect(fused[0]?.score).toBeCloseTo(-(1 / (RRF_K + 2) + 1 / (RRF_K + 1)), 10);
    // The cosine of a passage the vectors found stays with it; lower scores are better.
    expect(fused.map((p) => p.similarity)).toEqual([0.9, 0.5, 0.8, undefined]);
    expect(fused.map((p) => p.score)).toEqual([...fused.map((p) => p.score)].sort((a, b) => a - b));
  });

  test('keeps at most `limit`, and one ranking alone keeps its order', () => {
    expect(fuse([[passage(5), passage(6), passage(7)]], 2).map((p) => p.chunkId)).toEqual([5, 6]);
    expect(fuse([[], []], 5)).toEqual([]);
  });
});
