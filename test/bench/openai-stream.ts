/** One streamed chat completion through the official `openai` client, as another program asks it, timed as it arrives. */
import OpenAI, { type ClientOptions } from 'openai';
import { directDispatcher } from '../support/loopback.ts';
import type { AnswerRun } from './raw-generate.ts';

/** The `openai` client of Enclave's local API on this port; it stands for another program, so it connects around the host's egress gate. */
export function localApiClient(port: number): OpenAI {
  return new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'bench', maxRetries: 0, fetchOptions: { dispatcher: directDispatcher } as ClientOptions['fetchOptions'] });
}

export interface TimedCompletion {
  /** performance.now() when the request was made, when the first and the last text arrived (null: no text), and when the stream ended. */
  startedAt: number;
  firstAt: number | null;
  lastAt: number | null;
  endedAt: number;
  /** Completion tokens, from the stream's usage. */
  tokens: number;
}

export async function streamCompletion(client: OpenAI, model: string, messages: OpenAI.Chat.ChatCompletionMessageParam[], maxTokens: number): Promise<TimedCompletion> {
  const startedAt = performance.now();
  let firstAt: number | null = null;
  let lastAt: number | null = null;
  let tokens = 0;
  const stream = await client.chat.completions.create({ model, messages, max_tokens: maxTokens, temperature: 0, stream: true, stream_options: { include_usage: true } });
  for await (const chunk of stream) {
    if ((chunk.choices[0]?.delta.content ?? '') !== '') {
      lastAt = performance.now();
      firstAt ??= lastAt;
    }
    tokens = chunk.usage?.completion_tokens ?? tokens;
  }
  return { startedAt, firstAt, lastAt, endedAt: performance.now(), tokens };
}

/** One streamed answer as the raw runs report theirs (its prompt tokens are not counted). */
export async function streamedAnswer(client: OpenAI, model: string, messages: OpenAI.Chat.ChatCompletionMessageParam[], maxTokens: number): Promise<AnswerRun> {
  const { startedAt, firstAt, lastAt, endedAt, tokens } = await streamCompletion(client, model, messages, maxTokens);
  return { tokens, ms: endedAt - startedAt, ttftMs: firstAt === null ? null : firstAt - startedAt, decodeMs: firstAt === null || lastAt === null ? 0 : lastAt - firstAt, promptTokens: 0 };
}
