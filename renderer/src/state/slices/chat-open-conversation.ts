/** Which conversation is open: a new one, one from the list, and what is done to it as a whole or to a message on its path. */
import type { Conversation, ConversationSettings } from '#shared/conversations.ts';
import { attempt, sliceSetter, type Slice, type SliceContext } from '../slice.ts';
import type { ChatActions } from './chat-state.ts';
import type { ConversationCreation } from './chat-creation.ts';
import { toConversationMessage } from './chat-messages.ts';
import { isUsable } from './models.ts';

/** Remembers the open conversation between sessions. */
export const OPEN_CONVERSATION_KEY = 'enclave.openConversation';

export type OpenConversationActions = Pick<ChatActions, 'newConversation' | 'openConversation' | 'updateSettings' | 'showAlternative' | 'deleteMessage' | 'exportConversation'>;

export function createOpenConversation(ctx: SliceContext, creation: ConversationCreation): Slice<OpenConversationActions> {
  const { api, storage, getState, setState } = ctx;
  const set = sliceSetter(ctx, 'chat');
  const showError = (error: unknown): void => ctx.actions().error.showError(error);
  const refreshConversations = (): Promise<void> => ctx.actions().conversations.refreshConversations();

  /**
   * Shows a conversation the host sent, replacing the open one; its model becomes the selected one
   * when usable. Without `withMessages` only its title and settings are taken, so an answer being
   * written in it stays as it is shown.
   */
  function applyConversation(conversation: Conversation, withMessages = true): void {
    storage?.set(OPEN_CONVERSATION_KEY, conversation.id);
    const modelId = conversation.settings.modelId;
    setState((s) => ({
      ...s,
      chat: {
        ...s.chat,
        conversation: { id: conversation.id, title: conversation.title, source: conversation.source, settings: conversation.settings },
        messages: withMessages ? conversation.messages.map(toConversationMessage) : s.chat.messages,
      },
      models: { ...s.models, selectedId: modelId !== null && isUsable(s.models.list.find((m) => m.id === modelId)) ? modelId : s.models.selectedId },
    }));
  }

  /** Leaves the open conversation; a running answer is stopped (the host keeps what it wrote). */
  function leaveConversation(): void {
    const job = getState().chat.job;
    if (job !== null) api.call('chat.stop', { jobId: job.id }).catch(() => {});
  }

  function newConversation(): void {
    leaveConversation();
    creation.forget();
    storage?.set(OPEN_CONVERSATION_KEY, null);
    set({ conversation: null, messages: [], job: null, draft: '' });
    void ctx.actions().documents.followConversation(null);
  }

  async function openConversation(id: string): Promise<void> {
    if (getState().chat.conversation?.id === id && getState().chat.job === null) return;
    leaveConversation();
    creation.forget();
    set({ job: null });
    try {
      applyConversation(await api.call('conversations.get', { id }));
      void ctx.actions().documents.followConversation(id);
    } catch (error) {
      if (storage?.get(OPEN_CONVERSATION_KEY) === id) storage.set(OPEN_CONVERSATION_KEY, null);
      showError(error);
    }
  }

  /** Saves the open conversation's settings; a new one is created with them, or they go to the one its first question is creating. */
  async function updateSettings(settings: ConversationSettings): Promise<void> {
    const open = getState().chat.conversation;
    const pending = open === null ? creation.pending() : null;
    try {
      // Without a creation to wait for, none is awaited: a send in the same instant must find this one.
      const id = open?.id ?? (pending === null ? null : await pending);
      if (id === null) {
        const work = creation.track(api.call('conversations.create', { settings }), (created) => created.id);
        const waited = creation.pending();
        const created = await work;
        if (getState().chat.conversation === null && creation.pending() === waited) applyConversation(created, false);
        await refreshConversations();
        return;
      }
      const updated = await api.call('conversations.updateSettings', { id, settings });
      const shown = getState().chat.conversation;
      if (shown?.id === id || (shown === null && pending !== null && creation.pending() === pending)) applyConversation(updated, false);
    } catch (error) {
      showError(error);
    }
  }

  /** Runs a command on a message of the open conversation and shows the path it answers. */
  async function onPath(call: (conversationId: string) => Promise<Conversation>): Promise<void> {
    const { conversation, job } = getState().chat;
    if (conversation === null || job !== null) return;
    try {
      applyConversation(await call(conversation.id));
    } catch (error) {
      showError(error);
    }
  }

  return {
    actions: {
      newConversation,
      openConversation,
      updateSettings,
      showAlternative: (siblingId) => onPath((id) => api.call('conversations.selectBranch', { id, messageId: siblingId })),
      deleteMessage: (messageId) => onPath((id) => api.call('conversations.deleteMessage', { id, messageId })),
      async exportConversation(format, locale) {
        const id = getState().chat.conversation?.id;
        return id === undefined ? null : attempt(ctx, () => api.call('conversations.export', { id, format, locale }));
      },
    },
    started() {
      const remembered = storage?.get(OPEN_CONVERSATION_KEY) ?? null;
      if (remembered !== null) void openConversation(remembered);
    },
  };
}
