/** The chat slice's state and actions, apart from the slice so its parts can share them without a cycle. */
import type { ReportLocale } from '#shared/compare.ts';
import type { ConversationMessage } from './chat-messages.ts';
import type { Conversation, ConversationSettings, ExportedFile } from '#shared/conversations.ts';

export interface ActiveJob {
  /** Distinguishes one send from the next. */
  seq: number;
  /** Chosen here before `chat.generate` is sent, so the job's first events are recognised. */
  id: string;
  modelId: string;
  /** The answer so far. */
  text: string;
  /** The reasoning so far (it streams before the answer). */
  reasoning: string;
  loadMs: number | null;
  stopRequested: boolean;
  /** The question this answer is for, once saved. */
  questionId: string | null;
  /** The answer's row in the database, once the host accepted the job. */
  answerId: string | null;
  /** Earlier answers to the same question (regenerate keeps them as alternatives). */
  answerSiblings: readonly string[];
}

/** The open conversation, without its messages (they are `ChatState.messages`). */
export interface OpenConversation {
  id: string;
  title: string;
  source: Conversation['source'];
  settings: ConversationSettings;
}

export interface ChatState {
  /** null: a new conversation, saved with its first question. */
  conversation: OpenConversation | null;
  /** The shown path of the open conversation. */
  messages: readonly ConversationMessage[];
  /** The composer's text. */
  draft: string;
  job: ActiveJob | null;
}

export const initialChatState: ChatState = { conversation: null, messages: [], draft: '', job: null };

export interface ChatActions {
  setDraft(text: string): void;
  /** Sends `text` (default: the draft) with the whole conversation. False when nothing started. */
  send(text?: string): Promise<boolean>;
  stop(): Promise<void>;
  /** A new answer to the question before `answerId`; the old one stays as an alternative. */
  regenerate(answerId: string): Promise<boolean>;
  /** Sends `text` in place of the question `messageId`, as a new branch. */
  editAndResend(messageId: string, text: string): Promise<boolean>;
  /** Starts a new conversation (saved with its first question), stopping a running answer. */
  newConversation(): void;
  openConversation(id: string): Promise<void>;
  updateSettings(settings: ConversationSettings): Promise<void>;
  /** Shows the alternative `siblingId` of a message on the path, and the branch below it. */
  showAlternative(siblingId: string): Promise<void>;
  deleteMessage(messageId: string): Promise<void>;
  /** The open conversation as a file to save; null when there is none (errors go to the banner). */
  exportConversation(format: 'markdown' | 'json', locale: ReportLocale): Promise<ExportedFile | null>;
}
