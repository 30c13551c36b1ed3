/**
 * The documents feature, built on the app's database: the store of collections, files and
 * passages, the ingestion jobs, and the grounding of a conversation's answers.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { DocumentFile, EmbeddingStatus } from '#shared/documents.ts';
import type { Sampling } from '#shared/chat.ts';
import type { DocumentsPort } from '../conversations/conversation-chat.ts';
import { DEFAULT_CONTEXT_TOKENS, DocumentGrounding } from './grounding.ts';
import { DEFAULT_EXTRACTION_LIMITS, type ExtractionLimits } from './extract-in-worker.ts';
import { DocumentEmbeddings, type EmbeddingEngine, type EmbeddingModelChoice } from './embeddings.ts';
import { DocumentIngestion } from './ingestion.ts';
import { DocumentRetrieval } from './retrieval.ts';
import { DocumentStore } from './store.ts';

export interface DocumentsOptions {
  db: DatabaseSync;
  dataDir: string;
  emit: (ingestion: string, file: DocumentFile) => void;
  /** The context window of a loaded model; null when it is not loaded. */
  loadedContextSize: (modelId: string) => number | null;
  /** The extraction worker's entry: `extract-worker.js` beside the built host, or its source in tests. */
  extractWorker: string;
  extractionLimits?: ExtractionLimits;
  /** Dense vectors; without this, full text alone. */
  embeddings?: EmbeddingOptions;
}

export interface EmbeddingOptions {
  /** Where embeddings are computed: the engine processes. */
  engine: EmbeddingEngine;
  /** The `documentsEmbeddingModel` setting ('' for none), and that model's file. */
  model: () => string;
  resolve: EmbeddingModelChoice;
  emit: (status: EmbeddingStatus) => void;
}

const NO_EMBEDDINGS: EmbeddingOptions = {
  engine: { embed: () => Promise.reject(new Error('no embedding engine')) },
  model: () => '',
  resolve: () => Promise.resolve(null),
  emit: () => undefined,
};

export class DocumentsService {
  readonly store: DocumentStore;
  readonly ingestion: DocumentIngestion;
  readonly embeddings: DocumentEmbeddings;
  readonly retrieval: DocumentRetrieval;
  readonly grounding: DocumentGrounding;
  /** What the app's conversations use to ground their answers. */
  readonly port: DocumentsPort;

  constructor(options: DocumentsOptions) {
    this.store = new DocumentStore(options.db);
    const dense = options.embeddings ?? NO_EMBEDDINGS;
    this.embeddings = new DocumentEmbeddings(this.store, dense.engine, dense.model, dense.resolve, dense.emit);
    const embeddings = this.embeddings;
    this.ingestion = new DocumentIngestion(this.store, options.dataDir, options.emit, { entry: options.extractWorker, limits: options.extractionLimits ?? DEFAULT_EXTRACTION_LIMITS }, () =>
      embeddings.refresh(),
    );
    // Files a stop left queued or half-read are read on.
    this.ingestion.start();
    this.retrieval = new DocumentRetrieval(this.store, this.embeddings);
    this.grounding = new DocumentGrounding(this.retrieval);
    const { store, grounding } = this;
    this.port = {
      attachment: (conversationId) => store.attachment(conversationId),
      attach: (conversationId, attachment) => store.attach(conversationId, attachment),
      ground: (attachment, history, contextTokens, locale) => grounding.ground(attachment, history, contextTokens, locale),
      contextTokens: (modelId: string, sampling: Sampling) => options.loadedContextSize(modelId) ?? sampling.contextSize ?? DEFAULT_CONTEXT_TOKENS,
    };
  }

  dispose(): void {
    this.ingestion.dispose();
    this.embeddings.dispose();
  }
}
