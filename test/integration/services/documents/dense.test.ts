/**
 * Dense retrieval on a real Host: the fixture embedding model (test/fixtures/gguf/embedding.ts: its
 * cosine is word overlap) run by real node-llama-cpp in the engine process, the corpus's passages
 * embedded when the model is chosen (with progress), recall measured for full text, vectors and
 * their fusion, the vectors replaced when the model changes and gone with their collection.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { EmbeddingStatus } from '#shared/documents.ts';
import type { RetrievalMethod } from '../../../../electron/services/documents/retrieval.ts';
import { queryTerms } from '../../../../electron/services/documents/query.ts';
import { QUESTIONS, corpusText, writeCorpus } from '../../../fixtures/documents/corpus.ts';
import { writeEmbeddingModel } from '../../../fixtures/gguf/embedding.ts';
import { createTestHost, type TestHost } from '../../../support/test-host.ts';

/** The levels each method must reach on the labelled questions (measured: see the printed values). */
const MIN_RECALL: Record<RetrievalMethod, { at5: number; at1: number }> = {
  fulltext: { at5: 0.95, at1: 0.9 },
  vectors: { at5: 0.95, at1: 0.85 },
  fusion: { at5: 0.95, at1: 0.9 },
};

let dir: string;
let testHost: TestHost;
let collectionId: string;
const MODEL = 'enclave-embedding.gguf';
const OTHER_MODEL = 'enclave-embedding-other.gguf';

function call<T>(command: string, input: unknown): Promise<T> {
  return testHost.host.call(command, input).then((outcome) => {
    if (!outcome.ok) throw new Error(`${command}: ${outcome.error.code} ${outcome.error.message}`);
    return outcome.result as T;
  });
}

function count(sql: string, ...params: string[]): number {
  return (testHost.host.services.conversations.db.prepare(sql).get(...params) as { n: number }).n;
}

function statuses(): EmbeddingStatus[] {
  return testHost.events.filter((event) => event.event === 'documents.embedding').map((event) => event.payload as EmbeddingStatus);
}

async function chooseModel(modelId: string): Promise<EmbeddingStatus> {
  const seen = statuses().length;
  await call('settings.update', { documentsEmbeddingModel: modelId });
  await testHost.host.services.documents.embeddings.idle();
  return statuses().slice(seen).at(-1) ?? testHost.host.services.documents.embeddings.status();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'enclave-dense-'));
  const model = join(dir, MODEL);
  // The model knows the corpus's words; the other one only the words of two of its files' subjects.
  await writeEmbeddingModel(model, corpusText());
  await writeEmbeddingModel(join(dir, OTHER_MODEL), 'contrat maintenance nettoyage locaux préavis résilier');
  testHost = await createTestHost([model, join(dir, OTHER_MODEL)]);
  collectionId = (await call<{ id: string }>('documents.create', { name: 'Entreprise' })).id;
  const paths = await writeCorpus(join(dir, 'corpus'));
  await call('documents.add', { jobId: 'dense-job-00000000001', collectionId, sources: paths.map((path) => ({ path })) });
  await testHost.host.services.documents.ingestion.idle();
}, 120_000);

afterAll(async () => {
  await testHost.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('without an embedding model', () => {
  test('nothing is embedded and search is full text, as before', async () => {
    expect(await call('documents.embeddingStatus', {})).toEqual({ modelId: null, state: 'off', done: 0, total: 0, error: null });
    expect(count('SELECT count(*) AS n FROM doc_vectors')).toBe(0);
    const found = await call<{ fileName: string; similarity?: number }[]>('documents.search', { collectionIds: [collectionId], query: 'code superviseur annuler ticket', limit: 3 });
    expect(found[0]?.fileName).toBe('manuel-logiciel-caisse.pdf');
    expect(found.every((passage) => passage.similarity === undefined)).toBe(true);
  });
});

describe('with the fixture embedding model', () => {
  let passages: number;

  beforeAll(async () => {
    passages = count('SELECT count(*) AS n FROM doc_chunks');
    const last = await chooseModel(MODEL);
    expect(last).toEqual({ modelId: MODEL, state: 'ready', done: passages, total: passages, error: null });
  }, 120_000);

  test('the passages ingested before the choice are embedded, with progress, one normalised Float32 vector each', () => {
    const progress = statuses().filter((status) => status.state === 'embedding');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress[0]).toMatchObject({ modelId: MODEL, done: 0, total: passages });
    expect(progress.map((status) => status.done)).toEqual([...progress.map((status) => status.done)].sort((a, b) => a - b));
    expect(count('SELECT count(*) AS n FROM doc_vectors WHERE model = ?', MODEL)).toBe(passages);
    const row = testHost.host.services.conversations.db.prepare('SELECT vector FROM doc_vectors LIMIT 1').get() as { vector: Uint8Array };
    const vector = new Float32Array(row.vector.slice().buffer);
    expect(vector.length % 64).toBe(0);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
  });

  test(`recall@5 and recall@1 on ${QUESTIONS.length} labelled questions: full text, vectors alone, and their fusion`, async () => {
    const { retrieval } = testHost.host.services.documents;
    const measured: Record<string, string> = {};
    for (const method of ['fulltext', 'vectors', 'fusion'] as const) {
      let at5 = 0;
      let at1 = 0;
      const misses: string[] = [];
      for (const { question, file, page } of QUESTIONS) {
        const found = await retrieval.retrieve([collectionId], queryTerms(question), question, 5, method);
        const answers = found.map((passage) => passage.fileName === file && (page === null || passage.page === page));
        if (answers[0] === true) at1++;
        if (answers.includes(true)) at5++;
        else misses.push(question);
      }
      const recall5 = at5 / QUESTIONS.length;
      const recall1 = at1 / QUESTIONS.length;
      measured[method] = `recall@5 = ${recall5.toFixed(3)} (${at5}/${QUESTIONS.length}), recall@1 = ${recall1.toFixed(3)} (${at1}/${QUESTIONS.length}); missed at 5: ${JSON.stringify(misses)}`;
      expect.soft(recall5, `${method} recall@5`).toBeGreaterThanOrEqual(MIN_RECALL[method].at5);
      expect.soft(recall1, `${method} recall@1`).toBeGreaterThanOrEqual(MIN_RECALL[method].at1);
    }
    console.log(
      `documents (dense): ${Object.entries(measured)
        .map(([method, line]) => `${method}: ${line}`)
        .join('\n')}`,
    );
  }, 120_000);

  test('documents.search gives the fused list, with each vector hit’s cosine', async () => {
    // The passage's words in another order, with other small words.
    const found = await call<{ fileName: string; page: number | null; similarity?: number; score: number }[]>('documents.search', {
      collectionIds: [collectionId],
      query: 'trois mois de préavis : résilier, chaque partie le peut ?',
      limit: 5,
    });
    expect(found[0]).toMatchObject({ fileName: 'contrat-maintenance-informatique.pdf', page: 2 });
    expect(found[0]?.similarity).toBeGreaterThan(0.3);
    expect(found.map((passage) => passage.score)).toEqual([...found.map((passage) => passage.score)].sort((a, b) => a - b));
  });

  test('passages of files added later get their vectors after they are read', async () => {
    const other = (await call<{ id: string }>('documents.create', { name: 'Autre' })).id;
    const [path] = await writeCorpus(join(dir, 'again'));
    await call('documents.add', { jobId: 'dense-job-00000000002', collectionId: other, sources: [{ path }] });
    await testHost.host.services.documents.ingestion.idle();
    await testHost.host.services.documents.embeddings.idle();
    const total = count('SELECT count(*) AS n FROM doc_chunks');
    expect(total).toBeGreaterThan(passages);
    expect(count('SELECT count(*) AS n FROM doc_vectors WHERE model = ?', MODEL)).toBe(total);
    await call('documents.delete', { id: other });
    expect(count('SELECT count(*) AS n FROM doc_vectors')).toBe(passages);
  });

  test('another model re-embeds every passage; none drops the vectors', async () => {
    const last = await chooseModel(OTHER_MODEL);
    expect(last).toMatchObject({ modelId: OTHER_MODEL, state: 'ready', done: passages, total: passages });
    expect(count('SELECT count(*) AS n FROM doc_vectors WHERE model = ?', OTHER_MODEL)).toBe(passages);
    expect(count('SELECT count(*) AS n FROM doc_vectors WHERE model != ?', OTHER_MODEL)).toBe(0);
    expect(await chooseModel('')).toEqual({ modelId: null, state: 'off', done: 0, total: 0, error: null });
    expect(count('SELECT count(*) AS n FROM doc_vectors')).toBe(0);
    await chooseModel(MODEL);
    expect(count('SELECT count(*) AS n FROM doc_vectors')).toBe(passages);
  }, 120_000);

  test('a model gone from the library is an error in the status, and questions still get full-text answers', async () => {
    const last = await chooseModel('absent.gguf');
    expect(last).toMatchObject({ modelId: 'absent.gguf', state: 'error', error: expect.objectContaining({ code: 'MODEL_NOT_FOUND' }) });
    const found = await call<{ fileName: string }[]>('documents.search', { collectionIds: [collectionId], query: 'code superviseur annuler ticket', limit: 3 });
    expect(found[0]?.fileName).toBe('manuel-logiciel-caisse.pdf');
    await chooseModel(MODEL);
  }, 120_000);

  test('deleting the collection leaves no vector', async () => {
    expect(count('SELECT count(*) AS n FROM doc_vectors')).toBe(passages);
    await call('documents.delete', { id: collectionId });
    expect(count('SELECT count(*) AS n FROM doc_vectors')).toBe(0);
    expect(count('SELECT count(*) AS n FROM doc_chunks')).toBe(0);
    expect(await call('documents.embeddingStatus', {})).toMatchObject({ modelId: MODEL, state: 'ready' });
  });
});

test('the embedding model copied into the models folder is listed as an embedding model', async () => {
  const models = await call<{ id: string; kind?: string }[]>('models.list', {});
  expect(models.find((model) => model.id === MODEL)?.kind).toBe('embedding');
});
