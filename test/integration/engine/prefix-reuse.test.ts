/**
 * A long system prompt (a document) shared by two questions: the second evaluates only what follows
 * the shared prefix, from the KV cache the engine keeps per sequence, on real node-llama-cpp, in
 * the same conversation and in a new one about the same document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage, GenerationStats } from '#shared/chat.ts';
import { Engine } from '../../../electron/engine/process/engine.ts';
import type { EngineToHost } from '../../../electron/engine/protocol.ts';
import { ensureFixtureModels, type FixtureModels } from '../../fixtures/gguf/index.ts';

let fixtures: FixtureModels;
let engine: Engine;
const pending = new Map<string, (outcome: { text: string; stats: GenerationStats }) => void>();
let jobs = 0;
const DOCUMENT = Array.from({ length: 40 }, (_, i) => `Clause ${i + 1}: the supplier delivers on time.`).join(' ');

beforeAll(async () => {
  fixtures = await ensureFixtureModels();
  engine = new Engine(
    (message: EngineToHost) => {
      if (message.type === 'done') pending.get(message.jobId)?.({ text: message.text, stats: message.stats });
      if (message.type === 'error') throw new Error(`${message.error.code}: ${message.error.message}`);
    },
    { cores: 1, threadOverride: 1, gpu: false },
  );
  await engine.start();
});

afterAll(async () => {
  await engine?.dispose();
});

function answer(messages: ChatMessage[]): Promise<{ text: string; stats: GenerationStats }> {
  const jobId = `prefix-${jobs++}`;
  const done = new Promise<{ text: string; stats: GenerationStats }>((resolve) => pending.set(jobId, resolve));
  void engine.generate({ jobId, modelId: 'tiny', modelPath: fixtures.tiny, messages, sampling: { temperature: 0, maxTokens: 8 } });
  return done;
}

describe('a shared document prefix', () => {
  it('is evaluated once: a next question in the same conversation, or in a new one, evaluates only its own tokens', async () => {
    const system: ChatMessage = { role: 'system', content: DOCUMENT };
    const first = await answer([system, { role: 'user', content: 'Who delivers?' }]);
    expect(first.stats.promptTokens).toBeGreaterThan(1000);

    const sameConversation = await answer([system, { role: 'user', content: 'Who delivers?' }, { role: 'assistant', content: first.text }, { role: 'user', content: 'When?' }]);
    expect(sameConversation.stats.promptTokens).toBeLessThan(first.stats.promptTokens / 10);

    const newConversation = await answer([system, { role: 'user', content: 'Which clause is last?' }]);
    expect(newConversation.stats.promptTokens).toBeLessThan(first.stats.promptTokens / 10);
  });
});
