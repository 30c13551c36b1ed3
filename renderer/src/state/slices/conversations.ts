/**
 * The saved conversations as the sidebar lists them: search across every message, the one just
 * deleted (to undo), the database's start-up notice, and the user's sampling presets.
 */
import type { ConversationsStatus, ConversationSummary, ExportedFile, SavedPreset, SearchHit } from '#shared/conversations.ts';
import { attempt, sliceSetter, type Slice, type SliceContext } from '../slice.ts';

export interface ConversationSearch {
  query: string;
  /** null while the first answer for this query is on its way. */
  hits: readonly SearchHit[] | null;
}

export interface ConversationsState {
  list: readonly ConversationSummary[];
  loaded: boolean;
  /** The conversation just deleted, which the user can still bring back. */
  undoDelete: ConversationSummary | null;
  search: ConversationSearch | null;
  /** What happened to the database at start-up (a corrupt file moved aside, say). */
  database: ConversationsStatus | null;
  /** Sampling presets the user saved. */
  presets: readonly SavedPreset[];
}

export const initialConversationsState: ConversationsState = { list: [], loaded: false, undoDelete: null, search: null, database: null, presets: [] };

export interface ConversationsActions {
  refreshConversations(): Promise<void>;
  renameConversation(id: string, title: string): Promise<void>;
  pinConversation(id: string, pinned: boolean): Promise<void>;
  deleteConversation(id: string): Promise<void>;
  /** Brings back the conversation deleted last. */
  undoDelete(): Promise<void>;
  dismissUndo(): void;
  /** Searches every message; an empty query closes the search. */
  search(query: string): Promise<void>;
  dismissDatabaseNotice(): void;
  exportAll(): Promise<ExportedFile | null>;
  backup(): Promise<ExportedFile | null>;
  savePreset(preset: SavedPreset): Promise<void>;
  deletePreset(name: string): Promise<void>;
}

export function createConversationsSlice(ctx: SliceContext): Slice<ConversationsActions> {
  const { api } = ctx;
  const set = sliceSetter(ctx, 'conversations');
  const showError = (error: unknown): void => ctx.actions().error.showError(error);

  async function refreshConversations(): Promise<void> {
    try {
      const list = await api.call('conversations.list', {});
      ctx.setState((s) => {
        // The host titles a conversation from its first question: show that title in the header too.
        const open = s.chat.conversation === null ? undefined : list.find((c) => c.id === s.chat.conversation?.id);
        const conversation = s.chat.conversation !== null && open !== undefined && open.title !== s.chat.conversation.title ? { ...s.chat.conversation, title: open.title } : s.chat.conversation;
        return { ...s, conversations: { ...s.conversations, list, loaded: true }, chat: conversation === s.chat.conversation ? s.chat : { ...s.chat, conversation } };
      });
    } catch (error) {
      showError(error);
    }
  }

  /** Runs a command that changes conversations, then shows the new list (errors go to the banner). */
  async function change<T>(call: () => Promise<T>, apply?: (value: T) => void): Promise<void> {
    try {
      const value = await call();
      apply?.(value);
    } catch (error) {
      showError(error);
    }
    await refreshConversations();
  }

  let searchSeq = 0;
  async function search(query: string): Promise<void> {
    const seq = ++searchSeq;
    if (query.trim() === '') {
      set({ search: null });
      return;
    }
    set((c) => ({ ...c, search: { query, hits: c.search?.query === query ? c.search.hits : null } }));
    try {
      const hits = await api.call('conversations.search', { query });
      if (seq === searchSeq) set({ search: { query, hits } });
    } catch (error) {
      showError(error);
    }
  }

  async function applyPresets(call: () => Promise<readonly SavedPreset[]>): Promise<void> {
    const presets = await attempt(ctx, call);
    if (presets !== null) set({ presets });
  }

  return {
    actions: {
      refreshConversations,
      renameConversation: (id, title) =>
        change(
          () => api.call('conversations.rename', { id, title }),
          (summary) => ctx.setState((s) => (s.chat.conversation?.id === id ? { ...s, chat: { ...s.chat, conversation: { ...s.chat.conversation, title: summary.title } } } : s)),
        ),
      pinConversation: (id, pinned) => change(() => api.call('conversations.pin', { id, pinned })),
      async deleteConversation(id) {
        const summary = ctx.getState().conversations.list.find((c) => c.id === id) ?? null;
        await change(
          () => api.call('conversations.delete', { id }),
          () => {
            if (ctx.getState().chat.conversation?.id === id) ctx.actions().chat.newConversation();
            set({ undoDelete: summary });
          },
        );
      },
      async undoDelete() {
        const deleted = ctx.getState().conversations.undoDelete;
        if (deleted === null) return;
        set({ undoDelete: null });
        await change(() => api.call('conversations.restore', { id: deleted.id }));
      },
      dismissUndo: () => set({ undoDelete: null }),
      search,
      dismissDatabaseNotice: () => set({ database: null }),
      exportAll: () => attempt(ctx, () => api.call('conversations.exportAll', {})),
      backup: () => attempt(ctx, () => api.call('conversations.backup', {})),
      savePreset: (preset) => applyPresets(() => api.call('conversations.savePreset', preset)),
      deletePreset: (name) => applyPresets(() => api.call('conversations.deletePreset', { name })),
    },
    load: () => [
      api.call('conversations.list', {}).then((list) => set({ list, loaded: true })),
      api.call('conversations.status', {}).then((database) => set({ database })),
      api.call('conversations.presets', {}).then((presets) => set({ presets })),
    ],
  };
}

declare module '../slice.ts' {
  interface AppState {
    conversations: ConversationsState;
  }
  interface SliceActions {
    conversations: ConversationsActions;
  }
}
