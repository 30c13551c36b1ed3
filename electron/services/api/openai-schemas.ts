/**
 * Request bodies of the OpenAI endpoints Enclave serves, validated with zod. Unknown fields that
 * clients commonly send (user, presence_penalty...) are ignored; values Enclave cannot honour
 * (n > 1, logprobs) are refused with a 400 rather than silently dropped.
 */
import { z } from 'zod';
import { LIMITS } from '../../../shared/chat.ts';

const textPartSchema = z.object({ type: z.literal('text'), text: z.string().max(LIMITS.maxMessageChars) });

const messageSchema = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant']),
  content: z.union([z.string().max(LIMITS.maxMessageChars), z.array(textPartSchema).max(100)]).nullable(),
});

const stopSchema = z.union([z.string().min(1).max(200), z.array(z.string().min(1).max(200)).max(4)]).nullable();

const jsonSchemaFormat = z.object({
  type: z.literal('json_schema'),
  json_schema: z.object({
    name: z.string().max(64).optional(),
    schema: z.record(z.string(), z.unknown()),
    strict: z.boolean().nullable().optional(),
  }),
});

const samplingFields = {
  model: z.string().min(1).max(LIMITS.maxIdChars),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  seed: z.number().int().min(0).max(2 ** 32 - 1).nullable().optional(),
  stop: stopSchema.optional(),
  stream: z.boolean().nullable().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
  n: z.literal(1).nullable().optional(),
  logprobs: z.literal(false).nullable().optional(),
};

export const chatCompletionBodySchema = z.object({
  ...samplingFields,
  messages: z.array(messageSchema).min(1).max(LIMITS.maxMessages),
  max_tokens: z.number().int().min(1).max(LIMITS.maxTokens).nullable().optional(),
  max_completion_tokens: z.number().int().min(1).max(LIMITS.maxTokens).nullable().optional(),
  response_format: z.union([z.object({ type: z.literal('text') }), jsonSchemaFormat]).optional(),
});
export type ChatCompletionBody = z.infer<typeof chatCompletionBodySchema>;

export const completionBodySchema = z.object({
  ...samplingFields,
  prompt: z.union([z.string().max(LIMITS.maxMessageChars), z.array(z.string().max(LIMITS.maxMessageChars)).length(1)]),
  /** OpenAI's default for this endpoint. */
  max_tokens: z.number().int().min(1).max(LIMITS.maxTokens).nullable().default(16),
  echo: z.literal(false).nullable().optional(),
});
export type CompletionBody = z.infer<typeof completionBodySchema>;

export function messageText(content: z.infer<typeof messageSchema>['content']): string {
  if (content === null) return '';
  return typeof content === 'string' ? content : content.map((part) => part.text).join('');
}
