/** The fixture models on real node-llama-cpp: known answers, endless generation, rejected broken files. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getLlama, LlamaChatSession, LlamaLogLevel } from 'node-llama-cpp';
import type { Llama, LlamaContext, LlamaModel, Token } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENDLESS_CYCLE_TOKENS, endlessText, ensureFixtureModels, MALFORMED_CASES, SCRIPTED_REPLY, SCRIPTED_REPLY_TOKENS, writeTinyModel } from '../../fixtures/gguf/index.ts';
import type { FixtureModels } from '../../fixtures/gguf/index.ts';

let llama: Llama;
let fixtures: FixtureModels;
let dir: string;
const llamaLogs: string[] = [];
const opened: Array<LlamaModel | LlamaContext> = [];

beforeAll(async () => {
  [fixtures, dir] = await Promise.all([ensureFixtureModels(), mkdtemp(join(tmpdir(), 'enclave-scripted-'))]);
  llama = await getLlama({
    gpu: false,
    build: 'never',
    progressLogs: false,
    logLevel: LlamaLogLevel.warn,
    logger: (level, message) => llamaLogs.push(`${level}: ${message}`),
    maxThreads: 1,
  });
});

afterAll(async () => {
  for (const resource of opened.reverse()) await resource.dispose();
  // node-llama-cpp 3.22.1 never disposes a LlamaModel whose native load failed, so its hold on the
  // Llama lasts until garbage collection and llama.dispose() can hang after the malformed cases.
  await Promise.race([llama?.dispose(), new Promise((resolve) => setTimeout(resolve, 2000))]);
  await rm(dir, { recursive: true, force: true });
});

async function openSession(modelPath: string): Promise<{ model: LlamaModel; session: LlamaChatSession }> {
  const model = await llama.loadModel({ modelPath });
  // The default thread count is catastrophically slow on a small shared box.
  const context = await model.createContext({ contextSize: 1024, threads: 1 });
  opened.push(model, context);
  return { model, session: new LlamaChatSession({ contextSequence: context.getSequence() }) };
}

describe('scripted model', () => {
  let model: LlamaModel;
  let session: LlamaChatSession;

  beforeAll(async () => {
    llamaLogs.length = 0;
    ({ model, session } = await openSession(fixtures.scripted));
  });

  it('loads without a warning from llama.cpp or node-llama-cpp and uses the ChatML wrapper', () => {
    expect(llamaLogs).toEqual([]);
    expect(model.getWarnings()).toEqual([]);
    expect(session.chatWrapper.wrapperName).toBe('ChatML');
  });

  it('answers SCRIPTED_REPLY greedily, one token per script word, ending on the end-of-turn token', async () => {
    const tokens: Token[] = [];
    const result = await session.promptWithMeta('Hello, who are you?', { temperature: 0, onToken: (chunk) => tokens.push(...chunk) });
    expect(result.responseText).toBe(SCRIPTED_REPLY);
    expect(result.stopReason).toBe('eogToken');
    expect(tokens).toEqual(SCRIPTED_REPLY_TOKENS.map((word) => model.tokenize(word)).flat());
  });

  it('answers the same to a different follow-up prompt with ordinary sampling', async () => {
    const result = await session.promptWithMeta('Quelle heure est-il ? Réponds en français, s’il te plaît.', { temperature: 0.8, topK: 40, topP: 0.9, seed: 123 });
    expect(result.responseText).toBe(SCRIPTED_REPLY);
    expect(result.stopReason).toBe('eogToken');
  });

  it('tokenizes its reply back into the tokens it generates', () => {
    expect(model.tokenize(SCRIPTED_REPLY)).toEqual(SCRIPTED_REPLY_TOKENS.map((word) => model.tokenize(word)).flat());
    expect(model.tokenize(SCRIPTED_REPLY)).toHaveLength(SCRIPTED_REPLY_TOKENS.length);
    expect(model.detokenize(model.tokenize('some test text here, est-il ?'))).toBe('some test text here, est-il ?');
  });
});

describe('endless model', () => {
  let session: LlamaChatSession;

  beforeAll(async () => {
    ({ session } = await openSession(fixtures.endless));
  });

  it('generates exactly maxTokens tokens of the cycle', async () => {
    let tokenCount = 0;
    const result = await session.promptWithMeta('Count for me.', { maxTokens: 25, onToken: (chunk) => (tokenCount += chunk.length) });
    expect(result.stopReason).toBe('maxTokens');
    expect(tokenCount).toBe(25);
    expect(result.responseText).toBe(endlessText(25));
    expect(endlessText(ENDLESS_CYCLE_TOKENS.length * 2)).toBe(ENDLESS_CYCLE_TOKENS.join('').repeat(2));
  });

  it('keeps to the cycle in a follow-up prompt with ordinary sampling', async () => {
    const result = await session.promptWithMeta('Again, please.', { maxTokens: 12, temperature: 0.8 });
    expect(result.responseText).toBe(endlessText(12));
  });

  it('stops when its abort signal fires', async () => {
    const controller = new AbortController();
    let tokenCount = 0;
    const result = await session.promptWithMeta('Count forever.', {
      maxTokens: 10_000,
      signal: controller.signal,
      stopOnAbortSignal: true,
      onToken: (chunk) => {
        tokenCount += chunk.length;
        if (tokenCount >= 7) controller.abort();
      },
    });
    expect(result.stopReason).toBe('abort');
    expect(tokenCount).toBeGreaterThanOrEqual(7);
    expect(tokenCount).toBeLessThan(20);
    expect(endlessText(tokenCount).startsWith(result.responseText)).toBe(true);
    expect(result.responseText.length).toBeGreaterThan(0);
  });
});

describe('other fixture files', () => {
  it('loads the tiny random model and generates from it', async () => {
    const path = join(dir, 'tiny.gguf');
    await writeTinyModel(path);
    const { session } = await openSession(path);
    expect(session.chatWrapper.wrapperName).toBe('ChatML');
    const result = await session.promptWithMeta('Hi', { maxTokens: 8 });
    expect(result.stopReason === 'maxTokens' || result.stopReason === 'eogToken').toBe(true);
  });

  it.each(MALFORMED_CASES.map((malformed) => [malformed.name, malformed] as const))('llama.cpp refuses to load: %s', async (name, malformed) => {
    const path = join(dir, `${name.replace(/\W+/g, '-')}.gguf`);
    await malformed.write(path);
    await expect(llama.loadModel({ modelPath: path })).rejects.toThrow();
  });
});
