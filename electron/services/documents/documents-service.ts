/**
 * The documents feature, built on the app's database: the store of collections, files and
 * passages, the ingestion jobs, and the grounding of a conversation's answers.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { DocumentFile } from '#shared/documents.ts';
import type { Sampling } from '#shared/chat.ts';
import type { DocumentsPort } from '../conversations/conversation-chat.ts';
import { DEFAULT_CONTEXT_TOKENS, DocumentGrounding } from './grounding.ts';
import { DEFAULT_EXTRACTION_LIMITS, type ExtractionLimits } from './extract-in-worker.ts';
import { DocumentIngestion } from './ingestion.ts';
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
}

export class DocumentsService {
  readonly store: DocumentStore;
  readonly ingestion: DocumentIngestion;
  readonly grounding: DocumentGrounding;
  /** What the app's conversations use to ground their answers. */
  readonly port: DocumentsPort;

  constructor(options: DocumentsOptions) {
    this.store = new DocumentStore(options.db);
    this.ingestion = new DocumentIngestion(this.store, options.dataDir, options.emit, { entry: options.extractWorker, limits: options.extractionLimits ?? DEFAULT_EXTRACTION_LIMITS });
    // Files a stop left queued or half-read are read on.
    this.ingestion.start();
    this.grounding = new DocumentGrounding(this.store);
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
  }
}
