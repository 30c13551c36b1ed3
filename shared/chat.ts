import { z } from 'zod';
import type { ErrorPayload } from './errors.ts';

/** Limits that keep one request from exhausting the host; far above any real conversation turn. */
export const LIMITS = {
  maxMessageChars: 200_000,
  maxMessages: 10_000,
  maxIdChars: 512,
  maxTokens: 32_768,
} as const;

/**
 * A generation's id, chosen by the client that starts it so it can follow the job's events from
 * the first one: random and long enough that nobody else can guess it (the WebSocket sends a job's
 * events only to the connection that named it).
 */
export const jobIdSchema = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'a job id is 16 to 64 letters, digits, _ or -');

/** A new job id from the platform's random source (also in pages without a secure context, such as a workshop on the LAN). */
export function newJobId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export const chatRoleSchema = z.enum(['system', 'user', 'assistant']);
export type ChatRole = z.infer<typeof chatRoleSchema>;

export const chatMessageSchema = z.strictObject({
  role: chatRoleSchema,
  content: z.string().max(LIMITS.maxMessageChars),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

/**
 * The context window the engine creates when a conversation asks for none: the model's trained
 * context, at most this (larger windows cost a lot of memory for little benefit in a desktop chat).
 */
export const MAX_CONTEXT_SIZE = 16_384;

/**
 * Every sampling setting with its range and input step: the schema below and the settings form
 * both come from here. The context window is capped further by the model's own.
 */
export const SAMPLING_FIELDS = {
  temperature: { min: 0, max: 2, step: 0.05, integer: false },
  topP: { min: 0, max: 1, step: 0.05, integer: false },
  topK: { min: 0, max: 1000, step: 1, integer: true },
  /** Tokens less likely than this fraction of the most likely one are dropped. */
  minP: { min: 0, max: 1, step: 0.01, integer: false },
  /** 1 disables it; applied to the last 64 tokens. */
  repeatPenalty: { min: 1, max: 2, step: 0.05, integer: false },
  maxTokens: { min: 1, max: LIMITS.maxTokens, step: 1, integer: true },
  seed: { min: 0, max: 2 ** 32 - 1, step: 1, integer: true },
  /** The context window for this conversation; by default the engine's (the model's, at most 16,384). */
  contextSize: { min: 512, max: 131_072, step: 512, integer: true },
} as const;
export type SamplingField = keyof typeof SAMPLING_FIELDS;

function fieldSchema({ min, max, integer }: (typeof SAMPLING_FIELDS)[SamplingField]) {
  return (integer ? z.number().int() : z.number()).min(min).max(max).optional();
}

export const samplingSchema = z.strictObject({
  temperature: fieldSchema(SAMPLING_FIELDS.temperature),
  topP: fieldSchema(SAMPLING_FIELDS.topP),
  topK: fieldSchema(SAMPLING_FIELDS.topK),
  minP: fieldSchema(SAMPLING_FIELDS.minP),
  repeatPenalty: fieldSchema(SAMPLING_FIELDS.repeatPenalty),
  maxTokens: fieldSchema(SAMPLING_FIELDS.maxTokens),
  seed: fieldSchema(SAMPLING_FIELDS.seed),
  contextSize: fieldSchema(SAMPLING_FIELDS.contextSize),
});
export type Sampling = z.infer<typeof samplingSchema>;

export type StopReason = 'eogToken' | 'maxTokens' | 'abort' | 'stopGenerationTrigger' | 'customStopTrigger' | 'functionCalls';

export interface GenerationStats {
  modelId: string;
  /** Tokens generated in the answer. */
  tokens: number;
  /** Prompt tokens evaluated for this answer (after reuse of the cache). */
  promptTokens: number;
  /** Milliseconds from the start of prompt evaluation (model already loaded) to the first answer token. */
  timeToFirstTokenMs: number | null;
  /** Answer tokens per second, measured from the first token to the last. */
  tokensPerSecond: number | null;
  durationMs: number;
  stopReason: StopReason;
  /** How long the model reasoned before answering (its thought segment), when it did. */
  reasoningMs?: number;
  /** Speculative decoding, when it was on: tokens drafted (by input lookup or the draft model), and those the model confirmed. */
  draftTokens?: { drafted: number; accepted: number };
  /** Why the draft model the answer named was left out (another vocabulary, or it could not be loaded): the answer went on without it. */
  draftRefused?: ErrorPayload;
}

/** The "balanced" preset, used when a request names no sampling. */
export const DEFAULT_SAMPLING = {
  temperature: 0.7,
  topP: 0.9,
  topK: 40,
  minP: 0.05,
  repeatPenalty: 1,
  maxTokens: 4096,
} as const satisfies Sampling;

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
  /** An answer grounded in documents: the numbered passages it cites (only those it cites). */
  sources?: AnswerSource[];
}

/** A passage of a document an answer cites as `[n]`. */
export interface AnswerSource {
  n: number;
  fileId: string;
  fileName: string;
  /** 1-based; null for formats without pages (DOCX, ODT, text). */
  page: number | null;
  /** The headings above the passage, joined by " › "; '' when none. */
  heading: string;
  passage: string;
}

/** What `chat.generate` saved in a conversation: the question (null when regenerating) and the answer row. */
export interface SavedTurn {
  conversationId: string;
  question: StoredMessage | null;
  answer: StoredMessage;
}

/** Every id a command names (a model file, a conversation, a message...). */
export const idSchema = z.string().min(1).max(LIMITS.maxIdChars);

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
  /**
   * Document collections to answer from, kept with the conversation (absent: keep what it has);
   * `only`: answer from them alone; `locale`: the interface language of the "not found" answer.
   */
  documents: z.strictObject({ collectionIds: z.array(idSchema).max(20), only: z.boolean(), locale: z.enum(['en', 'fr']).default('en') }).optional(),
});

/** The chat's slice of the contract. */
export const chatCommandSchemas = {
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
} as const;

export interface ChatCommandResults {
  /** `jobId`: the one the client chose. With `conversation`: the saved question (null when regenerating) and the answer row being written. */
  'chat.generate': { jobId: string; saved?: SavedTurn };
  'chat.stop': { stopped: boolean };
}

/** A generation's events, each keyed by the job id it belongs to. */
export interface ChatEventPayloads {
  /** A batch of answer text, about one per animation frame. */
  'chat.delta': { jobId: string; text: string };
  /** A batch of the model's reasoning (its thought segment), which comes before the answer. */
  'chat.thought': { jobId: string; text: string };
  /** The model finished loading for this job; reported once per load. */
  'chat.loaded': { jobId: string; modelId: string; loadMs: number };
  /** `reasoning`: the whole thought segment, '' when the model wrote none. */
  'chat.done': { jobId: string; text: string; reasoning: string; stats: GenerationStats };
  'chat.error': { jobId: string; error: ErrorPayload };
  /** A job waiting for the engine behind others (position 1: next to run). */
  'chat.queued': { jobId: string; position: number };
}
