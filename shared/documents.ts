/**
 * Documents: collections of the user's files, their text extracted and indexed on the machine,
 * retrieved to ground a chat's answers (numbered sources, page kept).
 */
import { z } from 'zod';
import { idSchema, jobIdSchema } from './chat.ts';
import { LIMITS_CONVERSATIONS, uploadIdSchema } from './conversations.ts';
import type { ErrorPayload } from './errors.ts';

export const LIMITS_DOCUMENTS = {
  maxNameChars: 120,
  maxFileNameChars: 255,
  /** Files named in one `documents.add`. */
  maxFilesPerAdd: 500,
  maxQueryChars: 2000,
  maxResults: 50,
  /** The start of a source's passage, sent to find it in its document. */
  maxQuoteChars: 2000,
  /** A document view shows this many passages each side of the one asked for. */
  windowRadius: 20,
} as const;

/** The formats a file's text is extracted from, each with a library made for it. */
export const DOCUMENT_FORMATS = ['pdf', 'docx', 'odt', 'html', 'markdown', 'text'] as const;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];

/** File name extensions, lower case, and the format they name. */
export const DOCUMENT_EXTENSIONS: Readonly<Record<string, DocumentFormat>> = {
  pdf: 'pdf',
  docx: 'docx',
  odt: 'odt',
  html: 'html',
  htm: 'html',
  md: 'markdown',
  markdown: 'markdown',
  txt: 'text',
};

/** The `accept` attribute of a file input for these formats. */
export const DOCUMENT_ACCEPT = Object.keys(DOCUMENT_EXTENSIONS)
  .map((extension) => `.${extension}`)
  .join(',');

/** queued → ingesting → ready, or error (the reason in `error`), or cancelled / interrupted (the app stopped before it ended). */
export type DocumentFileState = 'queued' | 'ingesting' | 'ready' | 'error' | 'cancelled' | 'interrupted';

export interface DocumentFile {
  id: string;
  collectionId: string;
  name: string;
  format: DocumentFormat | null;
  size: number;
  state: DocumentFileState;
  /** Pages read so far (PDF), then the file's page count; null for formats without pages. */
  pages: number | null;
  chunks: number;
  error: ErrorPayload | null;
  addedAt: number;
}

export interface CollectionSummary {
  id: string;
  name: string;
  createdAt: number;
  files: number;
  ready: number;
  failed: number;
  /** Files queued or being read. */
  pending: number;
}

/** A passage found by retrieval, best first. */
export interface Passage {
  chunkId: number;
  fileId: string;
  fileName: string;
  collectionId: string;
  page: number | null;
  heading: string;
  text: string;
  /** bm25, lower is better (FTS5's sign). */
  score: number;
}

/** One passage of a file, in the file's order, as a document view shows it. */
export interface DocumentPassage {
  position: number;
  page: number | null;
  heading: string;
  text: string;
}

/** A window of a file's passages around the one asked for (`documents.passages`). */
export interface DocumentWindow {
  file: DocumentFile;
  /** The position of the passage asked for; null when its quote was not found (the file was read again since). */
  target: number | null;
  passages: DocumentPassage[];
  /** Whether the file has passages before the first and after the last of this window. */
  more: { before: boolean; after: boolean };
}

/** What a conversation answers from. */
export interface DocumentAttachment {
  collectionIds: string[];
  /** Answer only from the documents: "not found" (in the interface's language) instead of the model's own knowledge. */
  only: boolean;
}

const nameSchema = z.string().trim().min(1).max(LIMITS_DOCUMENTS.maxNameChars);

/** A file to add: a path on the host's disk (the desktop app), or a file uploaded to the web host with its name. */
export const documentSourceSchema = z.union([
  z.strictObject({ path: z.string().min(1).max(LIMITS_CONVERSATIONS.maxPathChars) }),
  z.strictObject({ uploadId: uploadIdSchema, name: z.string().min(1).max(LIMITS_DOCUMENTS.maxFileNameChars) }),
]);
export type DocumentSource = z.infer<typeof documentSourceSchema>;

export const documentsCommandSchemas = {
  'documents.list': z.strictObject({}),
  'documents.create': z.strictObject({ name: nameSchema }),
  'documents.rename': z.strictObject({ id: idSchema, name: nameSchema }),
  /** Removes the collection with its files' text, passages and index entries. */
  'documents.delete': z.strictObject({ id: idSchema }),
  'documents.files': z.strictObject({ collectionId: idSchema }),
  /** Adds files as one ingestion job: answered at once with their rows; `documents.progress` follows each file. */
  'documents.add': z.strictObject({ jobId: jobIdSchema, collectionId: idSchema, sources: z.array(documentSourceSchema).min(1).max(LIMITS_DOCUMENTS.maxFilesPerAdd) }),
  /** Stops a job: the file being read is left out, the files after it are marked cancelled. */
  'documents.cancel': z.strictObject({ jobId: jobIdSchema }),
  'documents.removeFile': z.strictObject({ fileId: idSchema }),
  'documents.search': z.strictObject({
    collectionIds: z.array(idSchema).min(1).max(20),
    query: z.string().max(LIMITS_DOCUMENTS.maxQueryChars),
    limit: z.number().int().min(1).max(LIMITS_DOCUMENTS.maxResults).default(5),
  }),
  /**
   * A window of a file's passages, in order, around one passage: the passage of a source (its page
   * and the start of its text, `quote`), or a position (to read on before or after a window), or
   * the file's start.
   */
  'documents.passages': z.strictObject({
    fileId: idSchema,
    page: z.number().int().min(1).max(1_000_000).nullable().optional(),
    quote: z.string().max(LIMITS_DOCUMENTS.maxQuoteChars).optional(),
    position: z.number().int().min(0).max(100_000_000).optional(),
  }),
  /** The collections a saved conversation answers from. */
  'documents.attachment': z.strictObject({ conversationId: idSchema }),
} as const;

export interface DocumentsCommandResults {
  'documents.list': CollectionSummary[];
  'documents.create': CollectionSummary;
  'documents.rename': CollectionSummary;
  'documents.delete': { deleted: true };
  'documents.files': DocumentFile[];
  'documents.add': DocumentFile[];
  'documents.cancel': { cancelled: boolean };
  'documents.removeFile': { removed: true };
  'documents.search': Passage[];
  'documents.passages': DocumentWindow;
  'documents.attachment': DocumentAttachment;
}

export interface DocumentsEventPayloads {
  /** A file's row changed (state, pages read, error), at most once per page read; `ingestion`: the `documents.add` job. Sent to every window of the app (not a participant's). */
  'documents.progress': { ingestion: string; file: DocumentFile };
}
