/**
 * Importing a file of conversations (a ChatGPT export): sent to the web host first (the desktop
 * app names its path), then read by the host as a job with progress, which the user can cancel.
 */
import { newJobId } from '#shared/chat.ts';
import type { ReportLocale } from '#shared/compare.ts';
import type { ImportSource, ImportSummary } from '#shared/conversations.ts';
import { EnclaveError } from '#shared/errors.ts';
import { sliceSetter, type Slice, type SliceContext } from '../slice.ts';

export interface ConversationImportState {
  /** null: no import shown. */
  phase: 'uploading' | 'importing' | 'done' | null;
  fileName: string;
  /** Of the file, sent to the web host. */
  sentBytes: number;
  fileBytes: number;
  /** Of the export's JSON, read by the host. */
  readBytes: number;
  totalBytes: number;
  conversations: number;
  summary: ImportSummary | null;
}

export const initialConversationImportState: ConversationImportState = {
  phase: null,
  fileName: '',
  sentBytes: 0,
  fileBytes: 0,
  readBytes: 0,
  totalBytes: 0,
  conversations: 0,
  summary: null,
};

export interface ConversationImportActions {
  importFile(file: File, locale: ReportLocale): Promise<void>;
  cancelImport(): void;
  dismissImport(): void;
}

/** The share done, 0 to 1: the upload first, then the host's reading. */
export function importProgress(state: ConversationImportState): number {
  if (state.phase === 'uploading') return state.fileBytes === 0 ? 0 : state.sentBytes / state.fileBytes;
  if (state.phase === 'importing') return state.totalBytes === 0 ? 0 : state.readBytes / state.totalBytes;
  return state.phase === 'done' ? 1 : 0;
}

export function createConversationImportSlice(ctx: SliceContext): Slice<ConversationImportActions> {
  const { api } = ctx;
  const set = sliceSetter(ctx, 'conversationImport');
  let current: { jobId: string; abort: AbortController } | null = null;

  async function sourceOf(file: File, signal: AbortSignal): Promise<ImportSource> {
    const path = api.pathForFile?.(file) ?? '';
    if (path !== '') return { path };
    if (api.upload === undefined) throw new EnclaveError('INTERNAL', 'this transport can neither name nor upload a file');
    return { uploadId: await api.upload(file, (sentBytes) => set({ sentBytes }), signal) };
  }

  return {
    actions: {
      async importFile(file, locale) {
        if (current !== null) return;
        const job = { jobId: newJobId(), abort: new AbortController() };
        current = job;
        set({ ...initialConversationImportState, phase: 'uploading', fileName: file.name, fileBytes: file.size });
        try {
          const source = await sourceOf(file, job.abort.signal);
          set({ phase: 'importing', sentBytes: file.size });
          const summary = await api.call('conversations.import', { jobId: job.jobId, source, locale });
          set({ phase: 'done', summary });
        } catch (error) {
          set(initialConversationImportState);
          // Cancelled while uploading: nothing to say. Cancelled while importing, the host answers with what it kept.
          if (!job.abort.signal.aborted) ctx.actions().error.showError(error);
        } finally {
          current = null;
          await ctx.actions().conversations.refreshConversations();
        }
      },
      cancelImport() {
        if (current === null) return;
        current.abort.abort();
        if (ctx.getState().conversationImport.phase === 'importing') void api.call('conversations.cancelImport', { jobId: current.jobId }).catch(() => undefined);
      },
      dismissImport: () => set(initialConversationImportState),
    },
    follow: () => [
      api.on('conversations.importProgress', (progress) => {
        if (progress.jobId === current?.jobId) set({ readBytes: progress.bytesRead, totalBytes: progress.totalBytes, conversations: progress.conversations });
      }),
    ],
  };
}

declare module '../slice.ts' {
  interface AppState {
    conversationImport: ConversationImportState;
  }
  interface SliceActions {
    conversationImport: ConversationImportActions;
  }
}
