/** Conversations as stored by the host and shown by the renderer. */
import { z } from 'zod';
import { idSchema, LIMITS, samplingSchema, type StoredMessage } from './chat.ts';
import { REPORT_LOCALES } from './compare.ts';

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

/** A conversation that matches a search: its best-matching message, and how many of its messages match. */
export interface SearchHit {
  conversationId: string;
  conversationTitle: string;
  messageId: string;
  matches: number;
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

/** A file for the user to save (an export). */
export interface ExportedFile {
  fileName: string;
  mimeType: string;
  content: string;
}

const titleSchema = z.string().max(LIMITS_CONVERSATIONS.maxTitleChars);

/** Durable history in SQLite: branches, search, exports and imports. */
export const conversationsCommandSchemas = {
  'conversations.status': z.strictObject({}),
  'conversations.list': z.strictObject({}),
  'conversations.create': z.strictObject({ title: titleSchema.optional(), settings: conversationSettingsSchema.partial().optional() }),
  'conversations.get': z.strictObject({ id: idSchema }),
  'conversations.rename': z.strictObject({ id: idSchema, title: titleSchema }),
  'conversations.pin': z.strictObject({ id: idSchema, pinned: z.boolean() }),
  'conversations.delete': z.strictObject({ id: idSchema }),
  'conversations.restore': z.strictObject({ id: idSchema }),
  'conversations.search': z.strictObject({ query: z.string().max(LIMITS_CONVERSATIONS.maxSearchChars) }),
  'conversations.updateSettings': z.strictObject({ id: idSchema, settings: conversationSettingsSchema }),
  'conversations.selectBranch': z.strictObject({ id: idSchema, messageId: idSchema }),
  'conversations.deleteMessage': z.strictObject({ id: idSchema, messageId: idSchema }),
  /** `locale`: the interface language, for the Markdown headings. */
  'conversations.export': z.strictObject({ id: idSchema, format: z.enum(['markdown', 'json']), locale: z.enum(REPORT_LOCALES).default('en') }),
  'conversations.exportAll': z.strictObject({}),
  /** The text of ChatGPT's conversations.json (from its data export). */
  'conversations.importChatGpt': z.strictObject({ content: z.string().max(LIMITS_CONVERSATIONS.maxImportChars) }),
  'conversations.presets': z.strictObject({}),
  'conversations.savePreset': savedPresetSchema,
  'conversations.deletePreset': z.strictObject({ name: z.string().max(80) }),
} as const;

export interface ConversationsCommandResults {
  'conversations.status': ConversationsStatus;
  'conversations.list': ConversationSummary[];
  'conversations.create': Conversation;
  'conversations.get': Conversation;
  'conversations.rename': ConversationSummary;
  'conversations.pin': ConversationSummary;
  'conversations.delete': { deleted: true };
  'conversations.restore': ConversationSummary;
  'conversations.search': SearchHit[];
  'conversations.updateSettings': Conversation;
  'conversations.selectBranch': Conversation;
  'conversations.deleteMessage': Conversation;
  'conversations.export': ExportedFile;
  'conversations.exportAll': ExportedFile;
  'conversations.importChatGpt': { imported: number; messages: number };
  'conversations.presets': SavedPreset[];
  'conversations.savePreset': SavedPreset[];
  'conversations.deletePreset': SavedPreset[];
}
