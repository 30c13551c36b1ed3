/**
 * Documents' dense retrieval:
 *  - embedding throughput (passages/s, tokens/s) through Enclave's path (the engine process's
 *    `embed` request, batches of EMBEDDING_BATCH passages, as the embedding job sends them) against
 *    raw node-llama-cpp's LlamaEmbeddingContext in this process, on the same model with the same
 *    context size and threads; runs alternate which goes first, ratios taken run by run;
 *  - the exact nearest-passage search (`DocumentStore.nearest`: the model's vectors held in memory
 *    by `VectorIndex`) for one question, at 1k, 10k and 100k passages: the first question, which
 *    loads the vectors from SQLite, then p50 and p95 of the next ones.
 * The model has the shape of multilingual-e5-small (12 layers, 384 wide, mean pooling) with
 * random weights, written by the GGUF writer: its speed is a real model's of that shape.
 *
 *   node test/bench/documents-embedding.ts [--runs 3] [--passages 48]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { getLlama, LlamaLogLevel } from 'node-llama-cpp';
import { nodeEngineSpawner } from '../../electron/engine/client/spawn-node.ts';
import { EnginePool } from '../../electron/engine/client/engine-pool.ts';
import { embeddingContextSize, embeddingInputLimit, normalised } from '../../electron/engine/process/engine.ts';
import { EMBEDDING_BATCH } from '../../electron/services/documents/embeddings.ts';
import { DocumentStore } from '../../electron/services/documents/store.ts';
import { openDatabase } from '../../electron/services/platform/db/database.ts';
import { randomLlamaSpec, writeGguf, type GgufFileSpec } from '../fixtures/gguf/index.ts';
import { ENGINE_ENTRY } from '../support/test-host.ts';
import { formatSummary, percentile, summarize } from './stats.ts';

export interface DocumentsEmbeddingBenchOptions {
  runs?: number;
  /** Passages embedded per run. */
  passages?: number;
  /** Passage counts of the scan measurement. */
  scanSizes?: readonly number[];
  /** Vector width of the scan measurement (bge-m3 and Qwen3-Embedding-0.6B: 1024). */
  scanDimensions?: number;
}

interface Throughput {
  passagesPerSecond: number;
  tokensPerSecond: number;
}

export interface DocumentsEmbeddingBenchResult {
  model: string;
  threads: number;
  passages: number;
  tokens: number;
  runs: number;
  enclave: Throughput[];
  raw: Throughput[];
  scan: { passages: number; dimensions: number; firstMs: number; p50Ms: number; p95Ms: number }[];
}

const SHAPE = { nEmbd: 384, nLayer: 12, nHead: 12, nHeadKv: 12, nFf: 1536, nVocab: 32000, contextLength: 512 } as const;

/** French passages of about 600 characters, each different. */
function passages(count: number): string[] {
  const sentences = [
    'Le contrat de maintenance est conclu pour deux ans à compter du premier mars.',
    'Chaque partie peut le résilier avec un préavis de trois mois par lettre recommandée.',
    'Le forfait mensuel s’élève à 480 euros hors taxes, payable le cinq de chaque mois.',
    'En cas de panne bloquante, le technicien intervient sur site dans un délai de quatre heures.',
    'Les congés d’été se posent avant le 31 mars et sont validés par le responsable sous huit jours.',
    'Le fonds de caisse est de 150 euros à l’ouverture, compté par le responsable du magasin.',
    'La note de frais est déposée dans le mois, avec les justificatifs, au service comptable.',
    'Le registre des visiteurs est tenu à l’accueil, chaque visiteur y inscrit son nom.',
  ];
  return Array.from({ length: count }, (_, index) => {
    const picked = Array.from({ length: 7 }, (__, step) => sentences[(index * 3 + step * 5) % sentences.length]);
    return `Passage ${index + 1}. ${picked.join(' ')}`;
  });
}

async function writeModel(path: string): Promise<void> {
  const spec = randomLlamaSpec({ ...SHAPE, type: 'Q8_0', seed: 11, name: 'Enclave Bench Embedding (e5-small shape)' });
  const withPooling: GgufFileSpec = { ...spec, metadata: [...spec.metadata, ['llama.pooling_type', { type: 'u32', value: 1 }]] };
  await writeGguf(path, withPooling);
}

/** The nearest-passage search at `count` passages: the first question (which loads the model's vectors into memory), then `queries` more. */
export async function measureScan(dir: string, count: number, dimensions: number, queries: number): Promise<{ firstMs: number; p50Ms: number; p95Ms: number }> {
  const { db } = openDatabase(join(dir, `scan-${count}.db`));
  try {
    const store = new DocumentStore(db);
    const collection = store.create('Bench');
    const { file } = store.addFile(collection.id, { name: 'bench.txt', format: 'text', size: 0, jobId: 'bench-embedding-000001', path: null, mtime: null, pendingUpload: null });
    const text = 'x';
    const chunks = Array.from({ length: count }, () => ({ page: null, heading: '', text }));
    store.saveChunks(file.id, chunks, null);
    const ids = (db.prepare('SELECT id FROM doc_chunks ORDER BY id').all() as { id: number }[]).map((row) => row.id);
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648 - 0.5;
    };
    const vector = (): Float32Array => normalised(Array.from({ length: dimensions }, random));
    for (let start = 0; start < ids.length; start += 1000) {
      store.saveVectors(
        'bench',
        ids.slice(start, start + 1000).map((chunkId) => ({ chunkId, vector: vector() })),
      );
    }
    const loading = performance.now();
    store.nearest([collection.id], 'bench', vector(), 20);
    const firstMs = performance.now() - loading;
    const times: number[] = [];
    for (let i = 0; i < queries; i++) {
      const query = vector();
      const started = performance.now();
      store.nearest([collection.id], 'bench', query, 20);
      times.push(performance.now() - started);
    }
    return { firstMs, p50Ms: percentile(times, 0.5), p95Ms: percentile(times, 0.95) };
  } finally {
    db.close();
  }
}

export async function runDocumentsEmbeddingBench(options: DocumentsEmbeddingBenchOptions = {}): Promise<DocumentsEmbeddingBenchResult> {
  const runs = options.runs ?? 3;
  const texts = passages(options.passages ?? 48);
  const threads = Number(process.env.ENCLAVE_THREADS ?? '') || availableParallelism();
  const dir = await mkdtemp(join(tmpdir(), 'enclave-bench-embedding-'));
  const modelPath = join(dir, 'bench-embedding.gguf');
  const pool = new EnginePool({ spawn: nodeEngineSpawner(ENGINE_ENTRY), cores: availableParallelism() });
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  try {
    await writeModel(modelPath);
    await pool.start();
    const model = await llama.loadModel({ modelPath });
    const size = embeddingContextSize(model.trainContextSize);
    const context = await model.createEmbeddingContext({ contextSize: size, batchSize: size, threads });
    const limit = embeddingInputLimit(model.trainContextSize);
    const inputs = texts.map((text) => model.tokenize(text).slice(0, limit));
    const tokens = inputs.reduce((sum, input) => sum + input.length, 0);
    const throughput = (ms: number): Throughput => ({ passagesPerSecond: (texts.length * 1000) / ms, tokensPerSecond: (tokens * 1000) / ms });
    const enclave = async (): Promise<Throughput> => {
      const started = performance.now();
      for (let start = 0; start < texts.length; start += EMBEDDING_BATCH) await pool.embed(modelPath, texts.slice(start, start + EMBEDDING_BATCH));
      return throughput(performance.now() - started);
    };
    const raw = async (): Promise<Throughput> => {
      const started = performance.now();
      for (const text of texts) normalised((await context.getEmbeddingFor(model.tokenize(text).slice(0, limit))).vector);
      return throughput(performance.now() - started);
    };
    // Warm-up: the engine loads the model, both paths touch their weights once.
    await pool.embed(modelPath, texts.slice(0, 2));
    await context.getEmbeddingFor(inputs[0] ?? []);
    const result: DocumentsEmbeddingBenchResult = {
      model: `random ${SHAPE.nLayer} layers × ${SHAPE.nEmbd} (multilingual-e5-small's shape), Q8_0`,
      threads,
      passages: texts.length,
      tokens,
      runs,
      enclave: [],
      raw: [],
      scan: [],
    };
    for (let run = 0; run < runs; run++) {
      if (run % 2 === 0) {
        result.enclave.push(await enclave());
        result.raw.push(await raw());
      } else {
        result.raw.push(await raw());
        result.enclave.push(await enclave());
      }
    }
    await context.dispose();
    await model.dispose();
    const dimensions = options.scanDimensions ?? 1024;
    for (const count of options.scanSizes ?? [1000, 10_000, 100_000]) result.scan.push({ passages: count, dimensions, ...(await measureScan(dir, count, dimensions, 20)) });
    return result;
  } finally {
    await pool.dispose();
    await llama.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}

export function documentsEmbeddingMarkdown(result: DocumentsEmbeddingBenchResult): string {
  const spread = (values: number[], digits = 1): string => formatSummary(summarize(values), digits);
  const ratios = (figure: keyof Throughput): string =>
    spread(
      result.enclave.map((run, i) => run[figure] / (result.raw[i]?.[figure] ?? Number.NaN)),
      2,
    );
  return [
    `Embedding ${result.passages} French passages (${result.tokens} tokens) with a ${result.model}, ${result.threads} threads, on the CPU; median (min–max) of ${result.runs} runs, the two ways alternating, ratios taken run by run:`,
    '',
    '| way | passages/s | tokens/s |',
    '| --- | ---: | ---: |',
    `| Enclave (engine process, \`embed\` requests of 16 passages) | ${spread(result.enclave.map((run) => run.passagesPerSecond))} | ${spread(
      result.enclave.map((run) => run.tokensPerSecond),
      0,
    )} |`,
    `| raw node-llama-cpp (LlamaEmbeddingContext, in process) | ${spread(result.raw.map((run) => run.passagesPerSecond))} | ${spread(
      result.raw.map((run) => run.tokensPerSecond),
      0,
    )} |`,
    `| Enclave ÷ raw | ${ratios('passagesPerSecond')} | ${ratios('tokensPerSecond')} |`,
    '',
    "The exact nearest-passage search for one question (the model's vectors in memory, dot products in JavaScript, the 20 best kept): the first question, which loads the vectors, then 20 more:",
    '',
    '| passages | dimensions | first (ms) | p50 (ms) | p95 (ms) |',
    '| ---: | ---: | ---: | ---: | ---: |',
    ...result.scan.map((row) => `| ${row.passages.toLocaleString('en')} | ${row.dimensions} | ${row.firstMs.toFixed(0)} | ${row.p50Ms.toFixed(1)} | ${row.p95Ms.toFixed(1)} |`),
  ].join('\n');
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, passages: { type: 'string', default: '48' } } });
  const result = await runDocumentsEmbeddingBench({ runs: Number(values.runs), passages: Number(values.passages) });
  console.log(documentsEmbeddingMarkdown(result));
}
