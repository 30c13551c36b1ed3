/** Conversations as stored by the host and shown by the renderer. */
import { z } from 'zod';
import { LIMITS, samplingSchema, type GenerationStats } from './chat.ts';

/**
 * How a message stands. `generating` only while its answer streams; a row still `generating` when
 * the app starts was cut off by a crash or a kill and becomes `interrupted`.
 */
export type StoredMessageState = 'done' | 'generating' | 'stopped' | 'error' | 'interrupted';

export interface StoredMessage {
  id: string;
  conversationId: string;
  /** The message this one answers or follows; null for the first message of a branch root. */
  parentId: string | null;
  role: 'user' | 'assistant';
  content: string;
  state: StoredMessageState;
  modelId: string | null;
  stats: GenerationStats | null;
  /** The model's reasoning before this answer (a thought segment), null when it wrote none. */
  reasoning: string | null;
  createdAt: number;
}

/** A message on the shown path, with its alternatives (same parent) for branch navigation. */
export interface PathMessage extends StoredMessage {
  /** Ids of this message and its alternatives, oldest first. */
  siblingIds: string[];
}

export type ConversationSource = 'local' | 'chatgpt';

export const conversationSettingsSchema = z.strictObject({
  modelId: z.string().max(LIMITS.maxIdChars).nullable(),
  systemPrompt: z.string().max(LIMITS.maxMessageChars),
  sampling: samplingSchema,
});
export type ConversationSettings = z.infer<typeof conversationSettingsSchema>;

export interface ConversationSummary {
  id: string;
  title: string;
  pinned: boolean;
  source: ConversationSource;
  createdAt: number;
  updatedAt: number;
  messageCount: number;
}

export interface Conversation extends ConversationSummary {
  settings: ConversationSettings;
  /** The last message of the shown path; null for an empty conversation. */
  leafId: string | null;
  /** From the first message to the leaf. */
  messages: PathMessage[];
}

export interface SearchHit {
  conversationId: string;
  conversationTitle: string;
  messageId: string;
  role: 'user' | 'assistant';
  /** The matched passage, with the matches between \u0002 and \u0003 (the renderer highlights them). */
  snippet: string;
}

export const SNIPPET_MATCH_START = '\u0002';
export const SNIPPET_MATCH_END = '\u0003';

export const LIMITS_CONVERSATIONS = {
  maxTitleChars: 200,
  maxSearchChars: 200,
  /** Under the web host's 16 MiB WebSocket frame; a heavy user's ChatGPT export can be larger (split it). */
  maxImportChars: 15 * 1024 * 1024,
} as const;

/** Sampling presets offered for every conversation. */
export const SAMPLING_PRESETS = {
  precise: { temperature: 0.2, topP: 0.8, topK: 20, minP: 0.1, repeatPenalty: 1.05 },
  balanced: { temperature: 0.7, topP: 0.9, topK: 40, minP: 0.05, repeatPenalty: 1 },
  creative: { temperature: 1.1, topP: 0.95, topK: 80, minP: 0.02, repeatPenalty: 1 },
} as const;
export type SamplingPresetName = keyof typeof SAMPLING_PRESETS;

export const savedPresetSchema = z.strictObject({
  name: z.string().trim().min(1).max(80),
  sampling: samplingSchema,
});
export type SavedPreset = z.infer<typeof savedPresetSchema>;

/** A database file the app could not use, moved aside (never deleted, its -wal and -shm with it) for a fresh one. */
export interface DatabaseQuarantine {
  path: string;
  /** corrupt: damaged, or not a database; newerSchema: written by a newer Enclave (it opens again in that version). */
  reason: 'corrupt' | 'newerSchema';
}

/** What happened to the database at start-up, for the renderer to tell the user. */
export interface ConversationsStatus {
  quarantined: DatabaseQuarantine | null;
  /** The copy taken before the schema was migrated. */
  backupPath: string | null;
  /** Answers cut off by the previous run's end, now marked interrupted. */
  interrupted: number;
}

/** What `chat.generate` saved in a conversation: the question (null when regenerating) and the answer row. */
export interface SavedTurn {
  conversationId: string;
  question: StoredMessage | null;
  answer: StoredMessage;
}

/** A file for the user to save (an export). */
export interface ExportedFile {
  fileName: string;
  mimeType: string;
  content: string;
}
