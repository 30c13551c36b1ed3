/**
 * Request bodies of the OpenAI endpoints Enclave serves, validated with zod. A field that would
 * change what the client gets back and that Enclave cannot honour (tools, n > 1, logprobs,
 * logit_bias, audio...) is refused with a 400 naming it. Other fields are ignored: documented ones
 * clients commonly send (user, store, metadata, presence_penalty, frequency_penalty,
 * parallel_tool_calls, service_tier...) and any unknown one.
 */
import { z } from 'zod';
import { LIMITS } from '#shared/chat.ts';

/** A field Enclave refuses unless it is absent, null, or a value that asks for nothing (`harmless`). */
function refused(harmless: (value: unknown) => boolean, what: string) {
  return z
    .unknown()
    .refine((value) => value === undefined || value === null || harmless(value), `${what} is not supported by Enclave's local API`)
    .optional();
}

const is = (expected: unknown) => (value: unknown) => value === expected;
const isEmpty = (value: unknown) => typeof value === 'object' && value !== null && Object.keys(value).length === 0;
const never = () => false;

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
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .nullable()
    .optional(),
  stop: stopSchema.optional(),
  stream: z.boolean().nullable().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
  n: refused(is(1), 'n other than 1'),
  logit_bias: refused(isEmpty, 'logit_bias'),
};

export const chatCompletionBodySchema = z.object({
  ...samplingFields,
  messages: z.array(messageSchema).min(1).max(LIMITS.maxMessages),
  max_tokens: z.number().int().min(1).max(LIMITS.maxTokens).nullable().optional(),
  max_completion_tokens: z.number().int().min(1).max(LIMITS.maxTokens).nullable().optional(),
  response_format: z.union([z.object({ type: z.literal('text') }), jsonSchemaFormat]).optional(),
  logprobs: refused(is(false), 'logprobs'),
  top_logprobs: refused(is(0), 'top_logprobs'),
  tools: refused(isEmpty, 'tools'),
  tool_choice: refused(is('none'), 'tool_choice'),
  functions: refused(isEmpty, 'functions'),
  function_call: refused(is('none'), 'function_call'),
  audio: refused(never, 'audio'),
  modalities: refused((value) => Array.isArray(value) && value.every(is('text')), 'an output other than text'),
  prediction: refused(never, 'prediction'),
});
export type ChatCompletionBody = z.infer<typeof chatCompletionBodySchema>;

export const completionBodySchema = z.object({
  ...samplingFields,
  prompt: z.union([z.string().max(LIMITS.maxMessageChars), z.array(z.string().max(LIMITS.maxMessageChars)).length(1)]),
  /** OpenAI's default for this endpoint. */
  max_tokens: z.number().int().min(1).max(LIMITS.maxTokens).nullable().default(16),
  echo: refused(is(false), 'echo'),
  best_of: refused(is(1), 'best_of'),
  logprobs: refused(is(0), 'logprobs'),
  suffix: refused(is(''), 'suffix'),
});
export type CompletionBody = z.infer<typeof completionBodySchema>;

export function messageText(content: z.infer<typeof messageSchema>['content']): string {
  if (content === null) return '';
  return typeof content === 'string' ? content : content.map((part) => part.text).join('');
}
