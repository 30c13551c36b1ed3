/**
 * The open conversation: its shown path of messages, the composer's draft and the answer being
 * written (chat-turns.ts), and which conversation is open (chat-open-conversation.ts).
 */
import { sliceSetter, type Slice, type SliceContext } from '../slice.ts';
import { createConversationCreation } from './chat-creation.ts';
import { createOpenConversation } from './chat-open-conversation.ts';
import { createTurns } from './chat-turns.ts';
import type { ChatActions, ChatState } from './chat-state.ts';
import { isUsable, selectSelectedModel } from './models.ts';
import type { AppState } from '../slice.ts';

export const selectIsGenerating = (s: AppState): boolean => s.chat.job !== null;
export const selectCanSend = (s: AppState): boolean => s.chat.job === null && s.chat.draft.trim() !== '' && isUsable(selectSelectedModel(s));

export function createChatSlice(ctx: SliceContext): Slice<ChatActions> {
  const set = sliceSetter(ctx, 'chat');
  const creation = createConversationCreation();
  const turns = createTurns(ctx, creation);
  const open = createOpenConversation(ctx, creation);
  return {
    actions: { setDraft: (draft) => set({ draft }), ...turns.actions, ...open.actions },
    follow: turns.follow,
    started: open.started,
    disconnected: turns.disconnected,
  };
}

declare module '../slice.ts' {
  interface AppState {
    chat: ChatState;
  }
  interface SliceActions {
    chat: ChatActions;
  }
}
