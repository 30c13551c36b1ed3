import { z } from 'zod';

/** Limits that keep one request from exhausting the host; far above any real conversation turn. */
export const LIMITS = {
  maxMessageChars: 200_000,
  maxMessages: 10_000,
  maxIdChars: 512,
  maxTokens: 32_768,
} as const;

export const chatRoleSchema = z.enum(['system', 'user', 'assistant']);
export type ChatRole = z.infer<typeof chatRoleSchema>;

export const chatMessageSchema = z.strictObject({
  role: chatRoleSchema,
  content: z.string().max(LIMITS.maxMessageChars),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const samplingSchema = z.strictObject({
  temperature: z.number().min(0).max(2).optional(),
  topP: z.number().min(0).max(1).optional(),
  topK: z.number().int().min(0).max(1000).optional(),
  maxTokens: z.number().int().min(1).max(LIMITS.maxTokens).optional(),
  seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
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
}

/** The "balanced" preset, used when a request names no sampling. */
export const DEFAULT_SAMPLING = {
  temperature: 0.7,
  topP: 0.9,
  topK: 40,
  maxTokens: 4096,
} as const satisfies Sampling;
