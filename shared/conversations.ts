/** Conversations as stored by the host and shown by the renderer. */
import { z } from 'zod';
import { idSchema, jobIdSchema, LIMITS, samplingSchema, type StoredMessage } from './chat.ts';
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
  maxPathChars: 4096,
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
  /** Binary files (a backup's zip) travel as base64; text as it is. */
  encoding?: 'base64';
}

const titleSchema = z.string().max(LIMITS_CONVERSATIONS.maxTitleChars);

/** A file received by the web host's upload endpoint (POST /uploads), named by the id it answered. */
export const uploadIdSchema = z.string().regex(/^[0-9a-f-]{36}$/, 'an upload id is the UUID the upload answered');

/**
 * The file to import: a path on the host's disk (the desktop app's file picker) or a file uploaded
 * to the web host. Either a ChatGPT data export (the .zip as delivered, or the conversations.json
 * inside) or an Enclave backup.
 */
export const importSourceSchema = z.union([z.strictObject({ path: z.string().min(1).max(LIMITS_CONVERSATIONS.maxPathChars) }), z.strictObject({ uploadId: uploadIdSchema })]);
export type ImportSource = z.infer<typeof importSourceSchema>;

/** What restoring an Enclave backup added besides conversations; all merged by id, nothing replaced. */
export interface BackupRestored {
  comparisons: number;
  promptSets: number;
  samplingPresets: number;
  /** Settings taken from the backup (those that differed). */
  settings: number;
  /** Settings the backup had but this app's environment fixes (ENCLAVE_OFFLINE, ENCLAVE_API_*, ENCLAVE_HF_ENDPOINT): left as they are. */
  settingsLocked: number;
}

/** What an import found and kept. Importing the same export again adds nothing. */
export interface ImportSummary {
  /** A ChatGPT export, or a backup made by `conversations.backup`. */
  format: 'chatgpt' | 'enclave.backup';
  /** Only for a backup. */
  restored?: BackupRestored;
  /** True when stopped by `conversations.cancelImport`; what was imported before stays. */
  cancelled: boolean;
  conversations: { added: number; updated: number; unchanged: number };
  /** Messages added (in new conversations and in ones imported before). */
  messagesAdded: number;
  /** Images and files of a message, left out (the message keeps its text and says so). */
  imagesOmitted: number;
  /** Tool calls and their outputs (code interpreter, browsing) kept as readable blocks. */
  toolBlocks: number;
  /** Parts with nothing readable to keep (hidden context, empty or unknown parts), left out on purpose. */
  partsDropped: number;
}

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
  /** Everything to move to another computer, as a zip that `conversations.import` restores: conversations with every branch, comparisons, prompt sets, saved presets, settings. */
  'conversations.backup': z.strictObject({}),
  /** Imports a file as a job: `conversations.importProgress` events while it runs; answered when it ends. */
  /** `locale`: the interface language, for the words an import writes (an image left out, a tool's output). */
  'conversations.import': z.strictObject({ jobId: jobIdSchema, source: importSourceSchema, locale: z.enum(REPORT_LOCALES).default('en') }),
  'conversations.cancelImport': z.strictObject({ jobId: jobIdSchema }),
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
  'conversations.backup': ExportedFile;
  'conversations.import': ImportSummary;
  'conversations.cancelImport': { cancelled: boolean };
  'conversations.presets': SavedPreset[];
  'conversations.savePreset': SavedPreset[];
  'conversations.deletePreset': SavedPreset[];
}

export interface ConversationsEventPayloads {
  /** `bytesRead` of `totalBytes` (of conversations.json, inside the zip or not), and conversations imported so far. */
  'conversations.importProgress': { jobId: string; bytesRead: number; totalBytes: number; conversations: number };
}
