/** One streamed chat completion through the official `openai` client, as another program asks it, timed as it arrives. */
import type OpenAI from 'openai';

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
