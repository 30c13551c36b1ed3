/**
 * Documents: the collections (read when a page first needs them, kept current by
 * `documents.progress`), the files of the collection shown, files being sent to the web host, and
 * which collections the open conversation answers from.
 */
import { newJobId } from '#shared/chat.ts';
import type { CollectionSummary, DocumentAttachment, DocumentFile, DocumentSource } from '#shared/documents.ts';
import { EnclaveError } from '#shared/errors.ts';
import { attempt, sliceSetter, type Slice, type SliceContext } from '../slice.ts';

export type AnswerLocale = 'en' | 'fr';

/** A file being sent to the web host, before the host has its row. */
export interface SendingFile {
  key: string;
  name: string;
  sentBytes: number;
  size: number;
}

export interface DocumentsState {
  /** null until read. */
  collections: CollectionSummary[] | null;
  selectedId: string | null;
  /** The selected collection's files; null until read. */
  files: DocumentFile[] | null;
  sending: SendingFile[];
  /** Ingestion jobs started from this window and not known to be over, by collection. */
  jobs: { jobId: string; collectionId: string }[];
  /** What the open conversation (or the next new one) answers from. */
  attachment: DocumentAttachment;
  /** The attachment was set or read for this conversation: it is sent with each question. */
  attachmentKnown: boolean;
  /** The interface language, for the "not found" answer. */
  locale: AnswerLocale;
  /** A workshop participant's: what the trainer shares with the room, which every conversation answers from. */
  room: DocumentAttachment | null;
}

export const initialDocumentsState: DocumentsState = {
  collections: null,
  selectedId: null,
  files: null,
  sending: [],
  jobs: [],
  attachment: { collectionIds: [], only: false },
  attachmentKnown: false,
  locale: 'en',
  room: null,
};

export interface DocumentsActions {
  load(): Promise<void>;
  select(id: string | null): Promise<void>;
  create(name: string): Promise<void>;
  rename(id: string, name: string): Promise<void>;
  remove(id: string): Promise<void>;
  /** Sends the files to the host (uploads in the web host, paths in the desktop app) and starts reading them. */
  addFiles(collectionId: string, files: readonly File[]): Promise<void>;
  removeFile(fileId: string): Promise<void>;
  /** Stops reading the files added to this collection from this window. */
  cancelReading(collectionId: string): Promise<void>;
  setAttachment(attachment: DocumentAttachment): void;
  /** A workshop participant's window: every conversation answers from what the room shares (null: nothing). */
  setRoom(room: DocumentAttachment | null): void;
  setLocale(locale: AnswerLocale): void;
  /** The open conversation changed: its attachment is read (null: a new conversation, none). */
  followConversation(conversationId: string | null): Promise<void>;
}

/** What `chat.generate` sends for the open conversation, if anything. */
export function documentsForQuestion(state: DocumentsState): (DocumentAttachment & { locale: AnswerLocale }) | undefined {
  if (!state.attachmentKnown && state.attachment.collectionIds.length === 0) return undefined;
  return { ...state.attachment, locale: state.locale };
}

export function createDocumentsSlice(ctx: SliceContext): Slice<DocumentsActions> {
  const { api } = ctx;
  const set = sliceSetter(ctx, 'documents');
  let sendSeq = 0;

  const readList = async (): Promise<void> => {
    const collections = await api.call('documents.list', {});
    set((documents) => ({
      ...documents,
      collections,
      selectedId: documents.selectedId !== null && collections.some((c) => c.id === documents.selectedId) ? documents.selectedId : (collections[0]?.id ?? null),
      attachment: { ...documents.attachment, collectionIds: documents.attachment.collectionIds.filter((id) => collections.some((c) => c.id === id)) },
      // A job is over once its collection has nothing left to read (the list is read again as files settle).
      jobs: documents.jobs.filter((job) => (collections.find((c) => c.id === job.collectionId)?.pending ?? 0) > 0),
    }));
  };
  const readFiles = async (): Promise<void> => {
    const { selectedId } = ctx.getState().documents;
    if (selectedId === null) return set({ files: null });
    const files = await api.call('documents.files', { collectionId: selectedId });
    if (ctx.getState().documents.selectedId === selectedId) set({ files });
  };
  const reload = async (): Promise<void> => {
    await readList();
    await readFiles();
  };

  /** Counts in the list follow the files; read again when a file settles. */
  let listTimer: ReturnType<typeof setTimeout> | null = null;
  const readListSoon = (): void => {
    if (listTimer !== null) return;
    listTimer = setTimeout(() => {
      listTimer = null;
      void attempt(ctx, readList);
    }, 150);
  };

  function onProgress(file: DocumentFile): void {
    set((documents) => {
      if (documents.selectedId !== file.collectionId || documents.files === null) return documents;
      const known = documents.files.some((row) => row.id === file.id);
      return { ...documents, files: known ? documents.files.map((row) => (row.id === file.id ? file : row)) : [...documents.files, file] };
    });
    if (file.state !== 'ingesting') readListSoon();
  }

  async function sourceOf(file: File, key: string): Promise<DocumentSource> {
    const path = api.pathForFile?.(file) ?? '';
    if (path !== '') return { path };
    if (api.upload === undefined) throw new EnclaveError('INTERNAL', 'this transport can neither name nor upload a file');
    const progress = (sentBytes: number): void => set((documents) => ({ ...documents, sending: documents.sending.map((s) => (s.key === key ? { ...s, sentBytes } : s)) }));
    return { uploadId: await api.upload(file, progress, new AbortController().signal), name: file.name };
  }

  return {
    actions: {
      load: () => (ctx.getState().documents.collections === null ? attempt(ctx, reload).then(() => undefined) : Promise.resolve()),
      async select(id) {
        set({ selectedId: id, files: null });
        await attempt(ctx, readFiles);
      },
      async create(name) {
        const created = await attempt(ctx, () => api.call('documents.create', { name }));
        if (created === null) return;
        set({ selectedId: created.id, files: [] });
        await attempt(ctx, reload);
      },
      async rename(id, name) {
        await attempt(ctx, () => api.call('documents.rename', { id, name }));
        await attempt(ctx, readList);
      },
      async remove(id) {
        await attempt(ctx, () => api.call('documents.delete', { id }));
        set((documents) => ({ ...documents, selectedId: documents.selectedId === id ? null : documents.selectedId, files: documents.selectedId === id ? null : documents.files }));
        await attempt(ctx, reload);
      },
      async addFiles(collectionId, files) {
        const batch = files.map((file) => ({ file, key: `send-${++sendSeq}` }));
        set((documents) => ({ ...documents, sending: [...documents.sending, ...batch.map(({ file, key }) => ({ key, name: file.name, sentBytes: 0, size: file.size }))] }));
        const sources: DocumentSource[] = [];
        try {
          // Sent one at a time, then read by the host as one job.
          for (const { file, key } of batch) sources.push(await sourceOf(file, key));
          const jobId = newJobId();
          set((documents) => ({ ...documents, jobs: [...documents.jobs, { jobId, collectionId }] }));
          await attempt(ctx, () => api.call('documents.add', { jobId, collectionId, sources }));
        } catch (error) {
          ctx.actions().error.showError(error);
        } finally {
          const keys = new Set(batch.map(({ key }) => key));
          set((documents) => ({ ...documents, sending: documents.sending.filter((s) => !keys.has(s.key)) }));
          await attempt(ctx, reload);
        }
      },
      async cancelReading(collectionId) {
        const jobs = ctx.getState().documents.jobs.filter((job) => job.collectionId === collectionId);
        for (const job of jobs) await attempt(ctx, () => api.call('documents.cancel', { jobId: job.jobId }));
        set((documents) => ({ ...documents, jobs: documents.jobs.filter((job) => job.collectionId !== collectionId) }));
        await attempt(ctx, reload);
      },
      async removeFile(fileId) {
        await attempt(ctx, () => api.call('documents.removeFile', { fileId }));
        await attempt(ctx, reload);
      },
      setAttachment(attachment) {
        set({ attachment, attachmentKnown: true });
      },
      setLocale(locale) {
        set({ locale });
      },
      setRoom(room) {
        set(room === null ? { room, attachment: { collectionIds: [], only: false }, attachmentKnown: false } : { room, attachment: room, attachmentKnown: true });
      },
      async followConversation(conversationId) {
        const { room } = ctx.getState().documents;
        if (room !== null) return set({ attachment: room, attachmentKnown: true });
        if (conversationId === null) return set({ attachment: { collectionIds: [], only: false }, attachmentKnown: false });
        const attachment = await attempt(ctx, () => api.call('documents.attachment', { conversationId }));
        if (attachment !== null) set({ attachment, attachmentKnown: attachment.collectionIds.length > 0 });
      },
    },
    follow: () => [api.on('documents.progress', ({ file }) => onProgress(file))],
    reconnected() {
      if (ctx.getState().documents.collections !== null) void attempt(ctx, reload);
    },
  };
}

declare module '../slice.ts' {
  interface AppState {
    documents: DocumentsState;
  }
  interface SliceActions {
    documents: DocumentsActions;
  }
}
