/** The documents' commands: collections, their files (added as ingestion jobs), search, and what a conversation answers from. */
import type { documentsCommandSchemas } from '#shared/documents.ts';
import type { Handlers } from '../../router/router.ts';
import type { DocumentsService } from './documents-service.ts';
import { queryTerms } from './query.ts';

export type DocumentsCommand = keyof typeof documentsCommandSchemas;

export function documentsHandlers(documents: DocumentsService): Handlers<DocumentsCommand> {
  const { store, ingestion, retrieval, embeddings } = documents;
  return {
    'documents.list': () => store.list(),
    'documents.create': (input) => store.create(input.name),
    'documents.rename': (input) => store.rename(input.id, input.name),
    'documents.delete': (input) => {
      ingestion.deleteCollection(input.id);
      embeddings.refresh();
      return { deleted: true };
    },
    'documents.files': (input) => store.files(input.collectionId),
    'documents.add': (input) => ingestion.add(input.jobId, input.collectionId, input.sources),
    'documents.cancel': (input) => ingestion.cancel(input.jobId),
    'documents.removeFile': (input) => {
      store.file(input.fileId);
      ingestion.removeFile(input.fileId);
      embeddings.refresh();
      return { removed: true };
    },
    'documents.pause': (input) => {
      store.collection(input.collectionId);
      return ingestion.pause(input.collectionId);
    },
    'documents.resume': (input) => {
      store.collection(input.collectionId);
      return ingestion.resume(input.collectionId);
    },
    'documents.refresh': (input) => ingestion.refresh(input.jobId, input.collectionId),
    'documents.search': (input) => retrieval.retrieve(input.collectionIds, queryTerms(input.query), input.query, input.limit),
    'documents.passages': (input) => store.passages(input.fileId, input),
    'documents.attachment': (input) => store.attachment(input.conversationId),
    'documents.embeddingStatus': () => embeddings.status(),
  };
}
