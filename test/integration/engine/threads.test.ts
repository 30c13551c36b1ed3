/**
 * The engine's two thread counts on real node-llama-cpp (in this process): a prompt is evaluated
 * with every core it is given, and a small model then generates on one thread with the prebuilt
 * binaries, on every core with the engine built here (OpenMP, `npm run engine:build`); the host's
 * share of the cores (EnginePool) caps both.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Engine } from '../../../electron/engine/process/engine.ts';
import { readLocalEngineBuild } from '../../../electron/engine/local-build/manifest.ts';
import type { EngineToHost } from '../../../electron/engine/protocol.ts';
import { endlessText, ensureFixtureModels } from '../../fixtures/gguf/index.ts';

let engine: Engine;
let modelPath: string;
const sent: { at: number; message: EngineToHost }[] = [];

beforeAll(async () => {
  modelPath = (await ensureFixtureModels()).endless;
  engine = new Engine((message) => sent.push({ at: performance.now(), message }), { cores: 2, threadOverride: null, gpu: false, engineBuild: 'prebuilt' });
  await engine.start();
});

afterAll(() => engine.dispose());

/** Generates once, sampling llama.maxThreads every millisecond; returns the samples before and after the first token. */
async function sampledAnswer(jobId: string, subject: Engine): Promise<{ beforeFirstToken: Set<number>; afterFirstToken: Set<number>; text: string }> {
  const samples: { at: number; threads: number }[] = [];
  const timer = setInterval(() => samples.push({ at: performance.now(), threads: subject.currentLlama?.maxThreads ?? -1 }), 1);
  // A long prompt (about 2,000 tokens), so its evaluation lasts long enough to be sampled.
  const prompt = endlessText(2_000);
  try {
    await subject.generate({ jobId, modelId: 'endless', modelPath, messages: [{ role: 'user', content: prompt }], sampling: { maxTokens: 300 } });
  } finally {
    clearInterval(timer);
  }
  const started = sent.find((entry) => entry.message.type === 'generating' && entry.message.jobId === jobId)?.at ?? 0;
  const first = sent.find((entry) => entry.message.type === 'delta' && entry.message.jobId === jobId)?.at ?? Infinity;
  const done = sent.find((entry) => entry.message.type === 'done' && entry.message.jobId === jobId);
  const text = done?.message.type === 'done' ? done.message.text : '';
  return {
    beforeFirstToken: new Set(samples.filter((sample) => sample.at > started && sample.at < first).map((sample) => sample.threads)),
    afterFirstToken: new Set(samples.filter((sample) => sample.at > first).map((sample) => sample.threads)),
    text,
  };
}

test('a small model: the prompt on every core, the tokens on one', async () => {
  const { beforeFirstToken, afterFirstToken, text } = await sampledAnswer('first', engine);
  expect(text).toBe(endlessText(300));
  expect(beforeFirstToken.has(2)).toBe(true);
  expect([...afterFirstToken]).toEqual([1]);
});

test("the host's share of the cores caps the prompt's count too", async () => {
  engine.setMaxThreads(1);
  const { beforeFirstToken, afterFirstToken } = await sampledAnswer('shared', engine);
  expect([...beforeFirstToken]).toEqual([1]);
  expect([...afterFirstToken]).toEqual([1]);
  engine.setMaxThreads(2);
});

const localBuild = await readLocalEngineBuild();

test('with a thread pool (the engine built here), a small model generates on every core too', async ({ skip }) => {
  if (localBuild === null) {
    const why = 'no engine built on this machine (npm run engine:build), so there is no thread pool to test';
    // The reporter shows a skip without its reason: print it too.
    console.log(`skipped: ${why}`);
    skip(why);
  }
  const local = new Engine((message) => sent.push({ at: performance.now(), message }), { cores: 2, threadOverride: null, gpu: false, engineBuild: 'auto' });
  try {
    await local.start();
    const { beforeFirstToken, afterFirstToken, text } = await sampledAnswer('pooled', local);
    expect(text).toBe(endlessText(300));
    expect(beforeFirstToken.has(2)).toBe(true);
    expect([...afterFirstToken]).toEqual([2]);
  } finally {
    await local.dispose();
  }
});
