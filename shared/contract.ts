/**
 * The one contract between the renderer and a host (Electron IPC or the web host's WebSocket).
 *
 * Commands are request/response; their input is validated at the host with the schema below.
 * Long jobs (a generation) answer with a job id at once, then stream events keyed by that id.
 */
import { z } from 'zod';
import { chatMessageSchema, jobIdSchema, LIMITS, samplingSchema } from './chat.ts';
import type { GenerationStats } from './chat.ts';
import {
  conversationSettingsSchema,
  LIMITS_CONVERSATIONS,
  savedPresetSchema,
  type Conversation,
  type ConversationsStatus,
  type ConversationSummary,
  type ExportedFile,
  type SavedPreset,
  type SavedTurn,
  type SearchHit,
} from './conversations.ts';
import type { ApiStatus } from './api.ts';
import { workshopOpenSchema, workshopPushSchema, type LanInterface, type WorkshopExerciseSet, type WorkshopMe, type WorkshopPush, type WorkshopStatus } from './workshop.ts';
import type { ErrorPayload } from './errors.ts';
import type { EngineStatus, ModelInfo } from './models.ts';
import type { CatalogEntry } from './catalog.ts';
import { compareCommandSchemas, REPORT_LOCALES, type CompareCommandResults, type CompareEventPayloads } from './compare.ts';
import type { DownloadJob } from './downloads.ts';
import type { CatalogFit, HardwareInfo } from './hardware.ts';
import type { PackJob } from './packs.ts';
import type { ImportResult } from './imports.ts';
import { openLinkSchema } from './links.ts';
import type { EgressLogEntry } from './privacy.ts';
import { settingsPatchSchema, type SettingsView } from './settings.ts';

const idSchema = z.string().min(1).max(LIMITS.maxIdChars);
const titleSchema = z.string().max(LIMITS_CONVERSATIONS.maxTitleChars);

/**
 * Answer in a saved conversation (`id` null: a new one, created with this first question). With
 * `content`: a new question under `parentId` (null: the first message; an earlier message's parent:
 * edit and resend, a new branch). Without: a new answer to the question `parentId` (regenerate; the
 * earlier answers are kept as alternatives).
 */
const generateInConversationSchema = z.strictObject({
  id: idSchema.nullable(),
  parentId: idSchema.nullable(),
  content: z.string().min(1).max(LIMITS.maxMessageChars).optional(),
});

export interface AppInfo {
  version: string;
  host: 'electron' | 'web';
  modelsDir: string;
  dataDir: string;
  /** Set when this window is a workshop participant's (issue #7): the app shows only the chat. */
  participant?: { name: string };
}

export const commandSchemas = {
  'app.info': z.strictObject({}),
  'models.list': z.strictObject({}),
  'models.rescan': z.strictObject({}),
  'engine.status': z.strictObject({}),
  'models.unload': z.strictObject({}),
  'chat.generate': z
    .strictObject({
      /** Chosen by the client (`newJobId`): its events can arrive before this call is answered. */
      jobId: jobIdSchema,
      modelId: idSchema,
      /** The whole history, for a conversation the host does not keep. */
      messages: z.array(chatMessageSchema).min(1).max(LIMITS.maxMessages).optional(),
      sampling: samplingSchema.optional(),
      /** Conversations: the host saves the question and the answer, and builds the history itself. */
      conversation: generateInConversationSchema.optional(),
    })
    .refine((input) => (input.messages === undefined) !== (input.conversation === undefined), {
      message: 'give either messages or conversation',
    }),
  'chat.stop': z.strictObject({ jobId: idSchema }),
  'settings.get': z.strictObject({}),
  'settings.update': settingsPatchSchema,
  // Conversations (issue #4): durable history in SQLite, branches, search.
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
  // Model library (issue #3): curated catalog, verified resumable downloads.
  'catalog.list': z.strictObject({}),
  'downloads.list': z.strictObject({}),
  'downloads.start': z.strictObject({ catalogId: idSchema, quant: z.string().min(1).max(32) }),
  'downloads.pause': z.strictObject({ id: idSchema }),
  'downloads.resume': z.strictObject({ id: idSchema }),
  'downloads.cancel': z.strictObject({ id: idSchema }),
  /** Copies .gguf files, or every .gguf file under folders, on the host's disk into the models folder. */
  'models.import': z.strictObject({
    paths: z.array(z.string().min(1).max(4096)).min(1).max(100),
    /** 'reference' uses the files where they are (a link in the models folder) instead of copying them (issue #3). */
    mode: z.enum(['copy', 'reference']).optional(),
  }),
  // Model library, hardware fit (issue #3): this machine's memory; what catalog models need (reads their GGUF headers over the network).
  'hardware.info': z.strictObject({}),
  'catalog.fit': z.strictObject({ catalogIds: z.array(idSchema).min(1).max(100) }),
  // Model library, packs and library actions (issue #3): folders on the computer running Enclave.
  'packs.export': z.strictObject({ modelIds: z.array(idSchema).min(1).max(200), folder: z.string().min(1).max(4096) }),
  'packs.import': z.strictObject({ folder: z.string().min(1).max(4096) }),
  'models.delete': z.strictObject({ id: idSchema }),
  /** Shows the model's file in the system's file manager (desktop); the web host answers its path to copy. */
  'models.reveal': z.strictObject({ id: idSchema }),
  /** The desktop app's open dialog; the web host answers `available: false`. */
  'models.pickImport': z.strictObject({ kind: z.enum(['files', 'folder']) }),
  // Privacy and security (issue #6): every network connection ever attempted.
  'privacy.egressLog': z.strictObject({}),
  /** Re-checks the link; the desktop app opens it in the system browser, the web host answers opened: false (the browser opens it). */
  'links.open': openLinkSchema,
  // Local OpenAI-compatible API (issue #7): switched on and configured through settings.update.
  'api.status': z.strictObject({}),
  // Workshop mode (issue #7): the trainer's console; workshop.me is a participant's own (the trainer gets FORBIDDEN).
  'workshop.status': z.strictObject({}),
  'workshop.interfaces': z.strictObject({}),
  'workshop.start': workshopOpenSchema,
  'workshop.stop': z.strictObject({}),
  'workshop.remove': z.strictObject({ participantId: idSchema }),
  'workshop.reset': z.strictObject({}),
  'workshop.push': workshopPushSchema,
  'workshop.me': z.strictObject({}),
  'workshop.exercises': z.strictObject({}),
  // Comparison workbench (issue #5): side by side, blind votes, prompt sets, ChatGPT replay, reports.
  ...compareCommandSchemas,
} as const;

/** What each command answers with (the comparison workbench's, issue #5, in shared/compare.ts). */
export interface CommandResults extends CompareCommandResults {
  'app.info': AppInfo;
  'models.list': ModelInfo[];
  'models.rescan': ModelInfo[];
  'engine.status': EngineStatus;
  'models.unload': EngineStatus;
  /** With `conversation`: the saved question (null when regenerating) and the answer row being written. */
  /** `jobId`: the one the client chose. */
  'chat.generate': { jobId: string; saved?: SavedTurn };
  'chat.stop': { stopped: boolean };
  'settings.get': SettingsView;
  'settings.update': SettingsView;
  // Conversations (issue #4)
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
  // Model library (issue #3)
  'catalog.list': CatalogEntry[];
  'downloads.list': DownloadJob[];
  'downloads.start': DownloadJob;
  'downloads.pause': DownloadJob;
  'downloads.resume': DownloadJob;
  'downloads.cancel': DownloadJob;
  'models.import': ImportResult;
  'hardware.info': HardwareInfo;
  'catalog.fit': CatalogFit[];
  'packs.export': PackJob;
  'packs.import': PackJob;
  'models.delete': ModelInfo[];
  'models.reveal': { path: string; revealed: boolean };
  'models.pickImport': { available: boolean; paths: string[] };
  // Privacy and security (issue #6)
  'privacy.egressLog': EgressLogEntry[];
  'links.open': { opened: boolean };
  // Local API (issue #7)
  'api.status': ApiStatus;
  // Workshop mode (issue #7)
  'workshop.status': WorkshopStatus;
  'workshop.interfaces': LanInterface[];
  'workshop.start': WorkshopStatus;
  'workshop.stop': WorkshopStatus;
  'workshop.remove': WorkshopStatus;
  'workshop.reset': WorkshopStatus;
  'workshop.push': WorkshopStatus;
  'workshop.me': WorkshopMe;
  'workshop.exercises': WorkshopExerciseSet[];
}

export type CommandName = keyof typeof commandSchemas;
export type CommandInput<C extends CommandName> = z.infer<(typeof commandSchemas)[C]>;
export type CommandResult<C extends CommandName> = CommandResults[C];

export const COMMAND_NAMES = Object.keys(commandSchemas) as CommandName[];

export function isCommandName(value: unknown): value is CommandName {
  return typeof value === 'string' && Object.hasOwn(commandSchemas, value);
}

/** Events pushed from the host. Generation events carry the job id they belong to. */
export interface EventPayloads extends CompareEventPayloads {
  /** A batch of answer text, about one per animation frame. */
  'chat.delta': { jobId: string; text: string };
  /** A batch of the model's reasoning (its thought segment), which comes before the answer. */
  'chat.thought': { jobId: string; text: string };
  /** The model finished loading for this job; reported once per load. */
  'chat.loaded': { jobId: string; modelId: string; loadMs: number };
  /** `reasoning`: the whole thought segment, '' when the model wrote none. */
  'chat.done': { jobId: string; text: string; reasoning: string; stats: GenerationStats };
  'chat.error': { jobId: string; error: ErrorPayload };
  'engine.status': EngineStatus;
  'settings.changed': SettingsView;
  // Model library (issue #3): a job's state and progress, at most about four per second per job.
  'downloads.progress': DownloadJob;
  /** Model packs (issue #3): export or import progress, keyed by the job's id. */
  'packs.progress': PackJob;
  // Privacy (issue #6): each egress log entry as it is written, so the Privacy page never reads the whole log again.
  'privacy.egress': EgressLogEntry;
  // Local API (issue #7): a job waiting for the engine behind others (position 1: next to run).
  'chat.queued': { jobId: string; position: number };
  /** The API server's state and live request counts, at most about twice a second. */
  'api.status': ApiStatus;
  // Workshop mode (issue #7): the room for the trainer's console (about twice a second at most), and a pushed prompt for everyone.
  'workshop.status': WorkshopStatus;
  'workshop.pushed': WorkshopPush;
}

export type EventName = keyof EventPayloads;

export type HostEvent = { [E in EventName]: { event: E; payload: EventPayloads[E] } }[EventName];

/** The API the renderer sees, identical over both transports. */
export interface EnclaveApi {
  call<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandResult<C>>;
  /** Returns a function that removes the listener. */
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
  /**
   * Desktop app only: the path of a file dropped from the file manager (Electron's
   * `webUtils.getPathForFile`; '' when it has none). A browser never reveals it.
   */
  pathForFile?(file: File): string;
}

/** WebSocket frames. Requests carry an id chosen by the client; responses echo it. */
export type ClientFrame = { type: 'call'; id: number; command: string; input: unknown };
export type ServerFrame =
  | { type: 'result'; id: number; ok: true; result: unknown }
  | { type: 'result'; id: number; ok: false; error: ErrorPayload }
  | { type: 'event'; event: EventName; payload: unknown };
