import { describe, expect, test } from 'vitest';
import { chatBody, retryAfterMs } from '../../../../electron/services/servers/server-chat.ts';
import { sseData } from '../../../../electron/services/servers/sse.ts';

async function collect(chunks: string[]): Promise<string[]> {
  async function* body(): AsyncGenerator<Uint8Array> {
    for (const chunk of chunks) yield new TextEncoder().encode(chunk);
  }
  const out: string[] = [];
  for await (const data of sseData(body())) out.push(data);
  return out;
}

describe('server-sent events', () => {
  test('events split across chunks, CRLF, comments and multi-line data', async () => {
    expect(await collect(['data: {"a"', ':1}\n\n: keep-alive\n\ndata: x\r\n\r\ndata: one\ndata: two\n\n', 'data: [DONE]'])).toEqual(['{"a":1}', 'x', 'one\ntwo', '[DONE]']);
  });

  test('a character cut between two chunks is decoded whole', async () => {
    const bytes = new TextEncoder().encode('data: é\n\n');
    async function* body(): AsyncGenerator<Uint8Array> {
      yield bytes.slice(0, 7);
      yield bytes.slice(7);
    }
    const out: string[] = [];
    for await (const data of sseData(body())) out.push(data);
    expect(out).toEqual(['é']);
  });
});

describe('the request', () => {
  test('streams with usage, and maps the sampling settings to the names servers know', () => {
    expect(
      chatBody({
        jobId: 'j',
        modelId: 'm',
        serverModel: 'qwen',
        messages: [{ role: 'user', content: 'hi' }],
        sampling: { temperature: 0.2, topP: 0.9, topK: 40, minP: 0.05, repeatPenalty: 1.1, maxTokens: 64, seed: 7 },
      }),
    ).toEqual({
      model: 'qwen',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.2,
      top_p: 0.9,
      top_k: 40,
      min_p: 0.05,
      repeat_penalty: 1.1,
      max_tokens: 64,
      seed: 7,
    });
  });

  test('Retry-After in seconds or as a date, capped, 1 s when absent', () => {
    expect(retryAfterMs('2', 30_000)).toBe(2000);
    expect(retryAfterMs('120', 30_000)).toBe(30_000);
    expect(retryAfterMs(null, 30_000)).toBe(1000);
    expect(retryAfterMs('nonsense', 30_000)).toBe(1000);
    expect(retryAfterMs(new Date(Date.now() - 5000).toUTCString(), 30_000)).toBe(0);
  });
});
