/**
 * Documents: the collections (read when a page first needs them, kept current by
 * `documents.progress`), the files of the collection shown, files being sent to the web host, and
 * which collections the open conversation answers from, and the passages' vectors (`documents.embedding`).
 */
import { newJobId } from '#shared/chat.ts';
import { DOCUMENT_EXTENSIONS, type CollectionSummary, type DocumentAttachment, type DocumentFile, type DocumentSource, type DocumentsRefreshed, type EmbeddingStatus } from '#shared/documents.ts';
import { EnclaveError } from '#shared/errors.ts';
import { attempt, sliceSetter, type Slice, type SliceContext } from '../slice.ts';

export type AnswerLocale = 'en' | 'fr';

/** A file picked or dropped, with its path inside the folder it came from (its name when alone). */
export interface DocumentEntry {
  file: File;
  path: string;
}

/** Files added at once to the web host are named to it in batches, so reading starts while the rest are sent. */
export const UPLOAD_BATCH = 50;

/** What the last addition or refresh of a collection did that its rows do not show. */
export type DocumentsNotice = { collectionId: string; kind: 'skipped'; count: number } | ({ collectionId: string; kind: 'refreshed' } & DocumentsRefreshed);

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
  notice: DocumentsNotice | null;
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
  /** The passages' vectors for the chosen embedding model; null until read. */
  embedding: EmbeddingStatus | null;
}

export const initialDocumentsState: DocumentsState = {
  collections: null,
  selectedId: null,
  files: null,
  sending: [],
  notice: null,
  jobs: [],
  attachment: { collectionIds: [], only: false },
  attachmentKnown: false,
  locale: 'en',
  room: null,
  embedding: null,
};

export interface DocumentsActions {
  load(): Promise<void>;
  select(id: string | null): Promise<void>;
  create(name: string): Promise<void>;
  rename(id: string, name: string): Promise<void>;
  remove(id: string): Promise<void>;
  /**
   * Sends the files to the host (uploads in the web host, named by their path in their folder;
   * paths in the desktop app, a folder's path for a folder) and starts reading them. Files of
   * formats without a reader are left out and counted.
   */
  addFiles(collectionId: string, entries: readonly DocumentEntry[]): Promise<void>;
  pause(collectionId: string): Promise<void>;
  resume(collectionId: string): Promise<void>;
  /** Reads the disk again for the collection's files added by path. */
  refresh(collectionId: string): Promise<void>;
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
    const embedding = await api.call('documents.embeddingStatus', {});
    set({ embedding });
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

  /** Jobs started elsewhere (another window, or resumed at start) can be stopped from here too. */
  function learnJob(jobId: string, collectionId: string): void {
    if (ctx.getState().documents.jobs.some((job) => job.jobId === jobId)) return;
    set((documents) => ({ ...documents, jobs: [...documents.jobs, { jobId, collectionId }] }));
  }

  /** The sources to name to the host: a folder's path in the desktop app (its host walks it), else each file. */
  function desktopSources(entries: readonly DocumentEntry[]): DocumentSource[] | null {
    const sources: DocumentSource[] = [];
    const folders = new Set<string>();
    for (const { file, path: relative } of entries) {
      const path = api.pathForFile?.(file) ?? '';
      if (path === '') return null;
      const inFolder = relative.includes('/') && path.replace(/\\/g, '/').endsWith(relative);
      if (!inFolder) {
        sources.push({ path });
        continue;
      }
      const folder = path.slice(0, path.length - relative.length) + relative.split('/')[0];
      if (!folders.has(folder)) sources.push({ path: folder });
      folders.add(folder);
    }
    return sources;
  }

  async function start(collectionId: string, sources: DocumentSource[]): Promise<void> {
    const jobId = newJobId();
    set((documents) => ({ ...documents, jobs: [...documents.jobs, { jobId, collectionId }] }));
    await attempt(ctx, () => api.call('documents.add', { jobId, collectionId, sources }));
  }

  async function uploaded(file: File, key: string, name: string): Promise<DocumentSource> {
    if (api.upload === undefined) throw new EnclaveError('INTERNAL', 'this transport can neither name nor upload a file');
    const progress = (sentBytes: number): void => set((documents) => ({ ...documents, sending: documents.sending.map((s) => (s.key === key ? { ...s, sentBytes } : s)) }));
    return { uploadId: await api.upload(file, progress, new AbortController().signal), name };
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
      async addFiles(collectionId, entries) {
        const supported = [...entries]
          .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
          .filter(({ path }) => DOCUMENT_EXTENSIONS[/\.([^./]+)$/.exec(path)?.[1]?.toLowerCase() ?? ''] !== undefined);
        const skipped = entries.length - supported.length;
        set({ notice: skipped > 0 ? { collectionId, kind: 'skipped', count: skipped } : null });
        if (supported.length === 0) return;
        const desktop = desktopSources(supported);
        if (desktop !== null) {
          for (let at = 0; at < desktop.length; at += UPLOAD_BATCH) await start(collectionId, desktop.slice(at, at + UPLOAD_BATCH));
          await attempt(ctx, reload);
          return;
        }
        const batch = supported.map((entry) => ({ ...entry, key: `send-${++sendSeq}` }));
        set((documents) => ({ ...documents, sending: [...documents.sending, ...batch.map(({ file, path, key }) => ({ key, name: path, sentBytes: 0, size: file.size }))] }));
        const done = new Set<string>();
        try {
          // Sent one at a time, named to the host a batch at a time: the first are read while the rest are sent.
          for (let at = 0; at < batch.length; at += UPLOAD_BATCH) {
            const sources: DocumentSource[] = [];
            for (const { file, path, key } of batch.slice(at, at + UPLOAD_BATCH)) {
              sources.push(await uploaded(file, key, path));
              done.add(key);
            }
            await start(collectionId, sources);
            set((documents) => ({ ...documents, sending: documents.sending.filter((s) => !done.has(s.key)) }));
            await attempt(ctx, readFiles);
          }
        } catch (error) {
          ctx.actions().error.showError(error);
        } finally {
          const keys = new Set(batch.map(({ key }) => key));
          set((documents) => ({ ...documents, sending: documents.sending.filter((s) => !keys.has(s.key)) }));
          await attempt(ctx, reload);
        }
      },
      async pause(collectionId) {
        await attempt(ctx, () => api.call('documents.pause', { collectionId }));
        await attempt(ctx, reload);
      },
      async resume(collectionId) {
        await attempt(ctx, () => api.call('documents.resume', { collectionId }));
        await attempt(ctx, reload);
      },
      async refresh(collectionId) {
        const jobId = newJobId();
        const refreshed = await attempt(ctx, () => api.call('documents.refresh', { jobId, collectionId }));
        if (refreshed !== null) set((documents) => ({ ...documents, notice: { collectionId, kind: 'refreshed', ...refreshed }, jobs: [...documents.jobs, { jobId, collectionId }] }));
        await attempt(ctx, reload);
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
    follow: () => [
      api.on('documents.progress', ({ ingestion, file }) => {
        if (file.state === 'ingesting') learnJob(ingestion, file.collectionId);
        onProgress(file);
      }),
      api.on('documents.embedding', (embedding) => set({ embedding })),
    ],
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
