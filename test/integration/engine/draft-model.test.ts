/**
 * Speculative decoding with a draft model, on real node-llama-cpp through the engine's own class:
 * with greedy sampling the answer is the same token for token with and without the draft model,
 * whether it agrees with the model (drafts accepted) or not (drafts refuted); a draft model of
 * another vocabulary, or one that cannot be loaded, is refused and the answer goes on without it.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerationStats } from '#shared/chat.ts';
import { Engine } from '../../../electron/engine/process/engine.ts';
import type { EngineToHost, SpeculativeMode } from '../../../electron/engine/protocol.ts';
import { COPY_TEXT, COPY_TEXT_TOKENS, ensureFixtureModels, ensureReversedCopyingModel, type FixtureModels } from '../../fixtures/gguf/index.ts';

let fixtures: FixtureModels;
let reversed: string;
let engine: Engine;
const pending = new Map<string, { resolve: (outcome: Outcome) => void; reject: (error: Error) => void }>();
let jobs = 0;

interface Outcome {
  text: string;
  stats: GenerationStats;
}

beforeAll(async () => {
  fixtures = await ensureFixtureModels();
  reversed = await ensureReversedCopyingModel();
  engine = new Engine(
    (message: EngineToHost) => {
      if (!('jobId' in message)) return;
      const job = pending.get(message.jobId);
      if (job === undefined) return;
      if (message.type === 'done') job.resolve({ text: message.text, stats: message.stats });
      if (message.type === 'error') job.reject(new Error(`${message.error.code}: ${message.error.message}`));
    },
    { cores: 1, threadOverride: 1, gpu: false },
  );
  await engine.start();
});

afterAll(async () => {
  await engine?.dispose();
});

const PROMPT = 'Write the email to Anna about the contract.';

function answer(speculative: SpeculativeMode, draftModelPath?: string): Promise<Outcome> {
  const jobId = `draft-${jobs++}`;
  const outcome = new Promise<Outcome>((resolve, reject) => pending.set(jobId, { resolve, reject }));
  void engine.generate({
    jobId,
    modelId: 'fixture',
    modelPath: fixtures.copying,
    messages: [{ role: 'user', content: PROMPT }],
    sampling: { temperature: 0, maxTokens: 200 },
    speculative,
    ...(draftModelPath === undefined ? {} : { draftModelPath }),
  });
  return outcome;
}

describe('speculative decoding with a draft model', () => {
  it('answers the same token for token with a draft model that agrees, its drafts accepted', async () => {
    const off = await answer('off');
    const on = await answer('on', fixtures.copying);
    expect(off.text).toBe(COPY_TEXT);
    expect(on.text).toBe(off.text);
    expect(on.stats.tokens).toBe(COPY_TEXT_TOKENS.length);
    expect(on.stats.draftRefused).toBeUndefined();
    // The prompt copies nothing of the answer: these drafts come from the draft model, not input
    // lookup. A draft accepted every step, each step yielding it and the model's next token (a further
    // draft ready in the same step would be refuted: node-llama-cpp 3.21.1 accepts only the first).
    expect(on.stats.draftTokens?.accepted).toBeGreaterThanOrEqual(Math.floor(COPY_TEXT_TOKENS.length / 2));
  });

  it('answers the same token for token with a draft model that disagrees, its drafts refuted', async () => {
    const off = await answer('off');
    const on = await answer('on', reversed);
    expect(on.text).toBe(off.text);
    expect(on.stats.tokens).toBe(off.stats.tokens);
    expect(on.stats.draftRefused).toBeUndefined();
    // A wrong token drafted every other step (after a refuted draft the draft model catches up a step), none kept.
    expect(on.stats.draftTokens?.drafted).toBeGreaterThanOrEqual(Math.floor(COPY_TEXT_TOKENS.length / 2));
    expect(on.stats.draftTokens?.accepted).toBe(0);
  });

  it('refuses a draft model of another vocabulary and answers without it, every time', async () => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const on = await answer('on', fixtures.scripted);
      expect(on.text).toBe(COPY_TEXT);
      expect(on.stats.draftRefused?.code).toBe('INVALID_MODEL');
      expect(on.stats.draftRefused?.message).toMatch(/draft model's vocabulary differs/);
      // Input lookup instead: nothing of the answer is in the prompt's last words, so no draft is kept.
      expect(on.stats.draftTokens?.accepted ?? 0).toBeLessThan(COPY_TEXT_TOKENS.length / 2);
    }
  });

  it('refuses a draft model that cannot be loaded and answers without it', async () => {
    const on = await answer('on', join(fixtures.copying, '..', 'no-such-draft.gguf'));
    expect(on.text).toBe(COPY_TEXT);
    expect(on.stats.draftRefused?.code).toBe('MODEL_LOAD_FAILED');
  });

  it("drafts with it again after a refused one, and not at all in 'auto' on this CPU", async () => {
    const on = await answer('on', fixtures.copying);
    expect(on.text).toBe(COPY_TEXT);
    expect(on.stats.draftTokens?.accepted).toBeGreaterThanOrEqual(Math.floor(COPY_TEXT_TOKENS.length / 2));
    const auto = await answer('auto', fixtures.copying);
    expect(auto.text).toBe(COPY_TEXT);
    expect(auto.stats.draftTokens).toBeUndefined();
    expect(auto.stats.draftRefused).toBeUndefined();
  });
});
