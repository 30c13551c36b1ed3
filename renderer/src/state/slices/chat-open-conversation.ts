/** Which conversation is open: a new one, one from the list, and what is done to it as a whole or to a message on its path. */
import type { Conversation, ConversationSettings } from '#shared/conversations.ts';
import { attempt, sliceSetter, type Slice, type SliceContext } from '../slice.ts';
import type { ChatActions } from './chat-state.ts';
import { toConversationMessage } from './chat-messages.ts';
import { isUsable } from './models.ts';

/** Remembers the open conversation between sessions. */
export const OPEN_CONVERSATION_KEY = 'enclave.openConversation';

export type OpenConversationActions = Pick<ChatActions, 'newConversation' | 'openConversation' | 'updateSettings' | 'showAlternative' | 'deleteMessage' | 'exportConversation'>;

export function createOpenConversation(ctx: SliceContext): Slice<OpenConversationActions> {
  const { api, storage, getState, setState } = ctx;
  const set = sliceSetter(ctx, 'chat');
  const showError = (error: unknown): void => ctx.actions().error.showError(error);
  const refreshConversations = (): Promise<void> => ctx.actions().conversations.refreshConversations();

  /** Shows a conversation the host sent, replacing the open one; its model becomes the selected one when usable. */
  function applyConversation(conversation: Conversation): void {
    storage?.set(OPEN_CONVERSATION_KEY, conversation.id);
    const modelId = conversation.settings.modelId;
    setState((s) => ({
      ...s,
      chat: {
        ...s.chat,
        conversation: { id: conversation.id, title: conversation.title, source: conversation.source, settings: conversation.settings },
        messages: conversation.messages.map(toConversationMessage),
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
    storage?.set(OPEN_CONVERSATION_KEY, null);
    set({ conversation: null, messages: [], job: null, draft: '' });
  }

  async function openConversation(id: string): Promise<void> {
    if (getState().chat.conversation?.id === id && getState().chat.job === null) return;
    leaveConversation();
    set({ job: null });
    try {
      applyConversation(await api.call('conversations.get', { id }));
    } catch (error) {
      if (storage?.get(OPEN_CONVERSATION_KEY) === id) storage.set(OPEN_CONVERSATION_KEY, null);
      showError(error);
    }
  }

  async function updateSettings(settings: ConversationSettings): Promise<void> {
    const id = getState().chat.conversation?.id;
    try {
      if (id === undefined) {
        applyConversation(await api.call('conversations.create', { settings }));
        await refreshConversations();
        return;
      }
      applyConversation(await api.call('conversations.updateSettings', { id, settings }));
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
