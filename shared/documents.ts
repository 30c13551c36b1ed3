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
  /** A file's name, or its path inside the folder it was added with (`Contrats/2026/bail.pdf`). */
  maxFileNameChars: 1024,
  /** Files named in one `documents.add`. */
  maxFilesPerAdd: 500,
  /** Files read from one folder added by its path (its supported files, subfolders included). */
  maxFilesPerFolder: 20_000,
  maxQueryChars: 2000,
  maxResults: 50,
  /** The start of a source's passage, sent to find it in its document. */
  maxQuoteChars: 2000,
  /** A document view shows this many passages each side of the one asked for. */
  windowRadius: 20,
} as const;

/** The formats a file's text is extracted from, each with a library made for it. */
export const DOCUMENT_FORMATS = ['pdf', 'docx', 'odt', 'html', 'markdown', 'text', 'image', 'xlsx', 'ods', 'csv', 'eml'] as const;
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
  png: 'image',
  jpg: 'image',
  jpeg: 'image',
  webp: 'image',
  xlsx: 'xlsx',
  ods: 'ods',
  csv: 'csv',
  eml: 'eml',
};

/** The `accept` attribute of a file input for these formats. */
export const DOCUMENT_ACCEPT = Object.keys(DOCUMENT_EXTENSIONS)
  .map((extension) => `.${extension}`)
  .join(',');

/**
 * queued → ingesting → ready, or error (the reason in `error`), or cancelled. A stopped app resumes
 * its queued and half-read files at the next start; `interrupted`: the file to resume was gone.
 * `paused`: the user paused the collection's reading (a PDF keeps the pages already read).
 */
export type DocumentFileState = 'queued' | 'ingesting' | 'paused' | 'ready' | 'error' | 'cancelled' | 'interrupted';

export interface DocumentFile {
  id: string;
  collectionId: string;
  name: string;
  format: DocumentFormat | null;
  size: number;
  state: DocumentFileState;
  /** Pages read so far (PDF), then the file's page count; null for formats without pages. */
  pages: number | null;
  /** The PDF's page count once known; null for formats without pages. */
  pageCount: number | null;
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
  /** Files waiting for `documents.resume`. */
  paused: number;
  /** Some files were added by path (or a folder): `documents.refresh` can read the disk again. */
  onDisk: boolean;
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
  /** Lower is better: bm25 (FTS5's sign) for full text alone; minus the fused score (reciprocal rank fusion) when vectors take part. */
  score: number;
  /** Cosine similarity with the question, when the passage was found by its vector. */
  similarity?: number;
}

/**
 * Dense vectors of the passages: `off` without an embedding model; `embedding` while passages
 * without a vector are embedded (`done` of `total` passages); `ready` when all are; `error` when
 * the model could not embed them (its error; retried when the choice changes or files are added).
 */
export interface EmbeddingStatus {
  modelId: string | null;
  state: 'off' | 'embedding' | 'ready' | 'error';
  done: number;
  total: number;
  error: ErrorPayload | null;
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
  /**
   * Adds files as one ingestion job: answered at once with their rows; `documents.progress` follows
   * each file. A path may name a folder: its supported files are added (subfolders included) and
   * it is read again by `documents.refresh`. A file already in the collection (the same path, or
   * an upload of the same name) is replaced, not duplicated.
   */
  'documents.add': z.strictObject({ jobId: jobIdSchema, collectionId: idSchema, sources: z.array(documentSourceSchema).min(1).max(LIMITS_DOCUMENTS.maxFilesPerAdd) }),
  /** Stops a job: the file being read is left out, the files after it are marked cancelled. */
  'documents.cancel': z.strictObject({ jobId: jobIdSchema }),
  'documents.removeFile': z.strictObject({ fileId: idSchema }),
  /** Pauses the collection's reading (a PDF stops after its current page) until `documents.resume`, even across a restart. */
  'documents.pause': z.strictObject({ collectionId: idSchema }),
  'documents.resume': z.strictObject({ collectionId: idSchema }),
  /** Reads the disk again for the files added by path: changed files read again, deleted ones removed, new files of added folders added. */
  'documents.refresh': z.strictObject({ jobId: jobIdSchema, collectionId: idSchema }),
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
  /** The passages' vectors for the chosen embedding model (the `documentsEmbeddingModel` setting); `documents.embedding` follows it. */
  'documents.embeddingStatus': z.strictObject({}),
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
  'documents.pause': { paused: number };
  'documents.resume': { resumed: number };
  'documents.refresh': DocumentsRefreshed;
  'documents.search': Passage[];
  'documents.passages': DocumentWindow;
  'documents.attachment': DocumentAttachment;
  'documents.embeddingStatus': EmbeddingStatus;
}

/** What `documents.refresh` found: files read again, removed, added. */
export interface DocumentsRefreshed {
  changed: number;
  removed: number;
  added: number;
}

export interface DocumentsEventPayloads {
  /** A file's row changed (state, pages read, error), at most once per page read; `ingestion`: the `documents.add` job. Sent to every window of the app (not a participant's). */
  'documents.progress': { ingestion: string; file: DocumentFile };
  /** The passages' vectors changed: after each batch embedded, and when the model or the state changes. */
  'documents.embedding': EmbeddingStatus;
}
