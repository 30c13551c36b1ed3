/**
 * Speculative decoding by input lookup, on real node-llama-cpp through the engine's own class:
 * with greedy sampling the answer is the same token for token with and without it, on an answer
 * that copies its prompt (where drafts are accepted) and on answers that copy nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerationStats } from '#shared/chat.ts';
import { Engine } from '../../../electron/engine/process/engine.ts';
import type { EngineToHost, SpeculativeMode } from '../../../electron/engine/protocol.ts';
import { COPY_TEXT, COPY_TEXT_TOKENS, ensureFixtureModels, type FixtureModels } from '../../fixtures/gguf/index.ts';

let fixtures: FixtureModels;
let engine: Engine;
const pending = new Map<string, { deltas: string[]; resolve: (outcome: Outcome) => void; reject: (error: Error) => void }>();
let jobs = 0;

interface Outcome {
  text: string;
  /** The streamed text, batch by batch. */
  deltas: string[];
  stats: GenerationStats;
}

beforeAll(async () => {
  fixtures = await ensureFixtureModels();
  engine = new Engine(
    (message: EngineToHost) => {
      if (!('jobId' in message)) return;
      const job = pending.get(message.jobId);
      if (job === undefined) return;
      if (message.type === 'delta') job.deltas.push(message.text);
      if (message.type === 'done') job.resolve({ text: message.text, deltas: job.deltas, stats: message.stats });
      if (message.type === 'error') job.reject(new Error(`${message.error.code}: ${message.error.message}`));
    },
    { cores: 1, threadOverride: 1, gpu: false },
  );
  await engine.start();
});

afterAll(async () => {
  await engine?.dispose();
});

function answer(modelPath: string, prompt: string, speculative: SpeculativeMode, maxTokens = 200): Promise<Outcome> {
  const jobId = `speculative-${jobs++}`;
  const outcome = new Promise<Outcome>((resolve, reject) => pending.set(jobId, { deltas: [], resolve, reject }));
  void engine.generate({ jobId, modelId: 'fixture', modelPath, messages: [{ role: 'user', content: prompt }], sampling: { temperature: 0, maxTokens }, speculative });
  return outcome;
}

/** The answer with and without input lookup, one after the other on the same engine. */
async function both(modelPath: string, prompt: string, maxTokens?: number): Promise<{ off: Outcome; on: Outcome }> {
  const off = await answer(modelPath, prompt, 'off', maxTokens);
  const on = await answer(modelPath, prompt, 'on', maxTokens);
  return { off, on };
}

describe('speculative decoding by input lookup', () => {
  it('copies a prompt the same token for token, with drafts accepted', async () => {
    const { off, on } = await both(fixtures.copying, `Please fix the typos in this email:\n${COPY_TEXT}`);
    expect(off.text).toBe(COPY_TEXT);
    expect(on.text).toBe(off.text);
    expect(on.stats.tokens).toBe(COPY_TEXT_TOKENS.length);
    expect(on.stats.tokens).toBe(off.stats.tokens);
    expect(on.deltas.join('')).toBe(COPY_TEXT);
    expect(off.stats.draftTokens).toBeUndefined();
    // One token drafted at a time, each one right: every token after the first comes from a draft or follows one.
    expect(on.stats.draftTokens?.accepted).toBeGreaterThan(0);
    expect(on.stats.draftTokens?.accepted).toBe(on.stats.draftTokens?.drafted);
  });

  it('answers the same where the answer copies nothing, drafts refuted', async () => {
    const shuffled = [...COPY_TEXT_TOKENS.slice(1, -1)].sort().join('');
    const { off, on } = await both(fixtures.copying, `Sort these words: ${shuffled}`);
    expect(on.text).toBe(off.text);
    expect(on.stats.tokens).toBe(off.stats.tokens);
    expect(on.stats.draftTokens?.drafted).toBeGreaterThan(0);
    expect(on.stats.draftTokens?.accepted).toBe(0);
  });

  it('gives a model whose every token depends on the context the same answer token for token', async () => {
    // Random weights over a byte vocabulary: the answer's bytes appear in the prompt, so drafts are
    // tried, and each next token depends on everything before it.
    const prompt = 'Summarize: the quick brown fox jumps over the lazy dog, then the dog sleeps.';
    const { off, on } = await both(fixtures.tiny, prompt, 64);
    expect(off.stats.tokens).toBe(64);
    expect(on.stats.tokens).toBe(64);
    expect(on.text).toBe(off.text);
    expect(on.stats.draftTokens?.drafted).toBeGreaterThan(0);
  });

  it("turns input lookup on only on a GPU in 'auto' (this CPU: no drafts)", async () => {
    const outcome = await answer(fixtures.copying, `Please fix the typos in this email:\n${COPY_TEXT}`, 'auto');
    expect(outcome.text).toBe(COPY_TEXT);
    expect(outcome.stats.draftTokens).toBeUndefined();
  });
});
