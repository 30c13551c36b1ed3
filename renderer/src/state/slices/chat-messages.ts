/** The messages of the open conversation's shown path, as the chat shows them. */
import type { AnswerSource, GenerationStats } from '#shared/chat.ts';
import type { StoredMessageState } from '#shared/chat.ts';
import type { PathMessage } from '#shared/conversations.ts';

/** How an assistant message ended. User messages are always `done`. */
export type MessageState = StoredMessageState;

export interface ConversationMessage {
  id: string;
  /**
   * The id it was first shown with, when the host gave it another on saving (a question written
   * here): the list keeps drawing it as the same row instead of replacing it.
   */
  shownAs?: string;
  /** The message this one follows; its alternatives share it. */
  parentId: string | null;
  /** This message and its alternatives, oldest first (branch navigation). */
  siblingIds: readonly string[];
  role: 'user' | 'assistant';
  content: string;
  /** The model that wrote an assistant message; null for user messages. */
  modelId: string | null;
  /** Set when the answer finished through `chat.done`. */
  stats: GenerationStats | null;
  /** What the model reasoned before answering (shown apart, collapsed); null when it did not. */
  reasoning: string | null;
  /** Model load time when this answer had to load the model first. */
  loadMs: number | null;
  state: MessageState;
  /** When it was written (ms since the epoch); shown in the user's locale (i18n/format.ts, formatMessageTime). */
  createdAt: number;
  /** An answer grounded in documents: the passages it cites. */
  sources?: readonly AnswerSource[];
}

/** Ids of messages shown before the host saved them. */
export const LOCAL_ID_PREFIX = 'local-';

export function toConversationMessage(message: PathMessage): ConversationMessage {
  return {
    id: message.id,
    parentId: message.parentId,
    siblingIds: message.siblingIds,
    role: message.role,
    content: message.content,
    modelId: message.modelId,
    stats: message.stats,
    reasoning: message.reasoning,
    loadMs: null,
    state: message.state,
    createdAt: message.createdAt,
    ...(message.sources !== undefined && { sources: message.sources }),
  };
}
