/**
 * Dense vectors of the passages, from the embedding model the user chose (the
 * `documentsEmbeddingModel` setting). The model runs in an engine process (`EmbeddingEngine`: the
 * engine's `embed` request), never in the host. A job embeds, batch by batch, every passage of a
 * ready file that has no vector from the chosen model: after files are read, when the choice
 * changes (the previous model's vectors are dropped first: another model, other vectors), and at
 * start (passages left without a vector by a stop). Vectors go with their passage (cascade).
 */
import type { EmbeddingStatus } from '#shared/documents.ts';
import { toErrorPayload } from '#shared/errors.ts';
import type { DocumentStore } from './store.ts';

/** Passages sent to the engine in one request. */
export const EMBEDDING_BATCH = 16;

export interface EmbeddingEngine {
  embed(modelPath: string, texts: string[]): Promise<{ vectors: Float32Array[]; tokens: number }>;
}

/** An embedding model's file, and the texts its card asks for before a question and before a passage. */
export interface EmbeddingModel {
  id: string;
  path: string;
  prefixes?: { query: string; passage: string } | undefined;
}

/** The chosen embedding model, null for none; throws when it cannot be used (gone from the library). */
export type EmbeddingModelChoice = () => Promise<EmbeddingModel | null>;

export class DocumentEmbeddings {
  private readonly store: DocumentStore;
  private readonly engine: EmbeddingEngine;
  private readonly chosen: () => string;
  private readonly resolve: EmbeddingModelChoice;
  private readonly emit: (status: EmbeddingStatus) => void;
  private current: EmbeddingStatus = { modelId: null, state: 'off', done: 0, total: 0, error: null };
  private running: Promise<void> | null = null;
  /** Another run is wanted (new passages, another model) once the current batch ends. */
  private again = false;
  private disposed = false;

  /** `chosen`: the setting's model id ('' for none); `resolve`: that model's file, checked. */
  constructor(store: DocumentStore, engine: EmbeddingEngine, chosen: () => string, resolve: EmbeddingModelChoice, emit: (status: EmbeddingStatus) => void) {
    this.store = store;
    this.engine = engine;
    this.chosen = chosen;
    this.resolve = resolve;
    this.emit = emit;
  }

  status(): EmbeddingStatus {
    return this.current;
  }

  /** Embeds whatever lacks a vector from the chosen model (a run already going picks up the change). */
  refresh(): void {
    if (this.disposed) return;
    this.again = true;
    this.running ??= this.run().finally(() => (this.running = null));
  }

  /** Resolves when no embedding job runs (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  dispose(): void {
    this.disposed = true;
  }

  /** The question's vector from the model the passages were embedded with; null without a model or when it fails (full text still answers). */
  async queryVector(text: string): Promise<{ model: string; vector: Float32Array } | null> {
    const modelId = this.chosen();
    if (modelId === '') return null;
    try {
      const model = await this.resolve();
      if (model === null) return null;
      const [vector] = (await this.engine.embed(model.path, [`${model.prefixes?.query ?? ''}${text}`])).vectors;
      return vector === undefined ? null : { model: model.id, vector };
    } catch (error) {
      console.error('Enclave: the question could not be embedded; full-text search alone answers it:', error);
      return null;
    }
  }

  private async run(): Promise<void> {
    while (this.again && !this.disposed) {
      this.again = false;
      const modelId = this.chosen();
      if (modelId === '') {
        this.store.dropVectors(null);
        this.update({ modelId: null, state: 'off', done: 0, total: 0, error: null });
        continue;
      }
      try {
        const model = await this.resolve();
        if (model === null) continue;
        this.store.dropVectors(model.id);
        await this.embedAll(model);
      } catch (error) {
        this.update({ ...this.store.vectorCounts(modelId), modelId, state: 'error', error: toErrorPayload(error) });
      }
    }
  }

  /** Batch after batch until every passage has its vector, or the choice changes. */
  private async embedAll(model: EmbeddingModel): Promise<void> {
    for (;;) {
      const counts = this.store.vectorCounts(model.id);
      const batch = this.store.unembedded(model.id, EMBEDDING_BATCH);
      if (batch.length === 0 || this.disposed) {
        this.update({ ...counts, modelId: model.id, state: 'ready', error: null });
        return;
      }
      this.update({ ...counts, modelId: model.id, state: 'embedding', error: null });
      const { vectors } = await this.engine.embed(
        model.path,
        batch.map((passage) => `${model.prefixes?.passage ?? ''}${passage.text}`),
      );
      if (this.chosen() !== model.id) return;
      this.store.saveVectors(
        model.id,
        batch.flatMap((passage, index) => {
          const vector = vectors[index];
          return vector === undefined ? [] : [{ chunkId: passage.chunkId, vector }];
        }),
      );
    }
  }

  private update(status: EmbeddingStatus): void {
    const same = JSON.stringify(status) === JSON.stringify(this.current);
    this.current = status;
    if (!same) this.emit(status);
  }
}
