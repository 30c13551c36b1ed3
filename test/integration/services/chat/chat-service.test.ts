/**
 * The chat service on real engine processes: answers that share one model's context at once,
 * answers for two models in two processes side by side, the fair queue around them, reasoning
 * kept apart from the answer, raw completions and the per-conversation sampling settings (min-p,
 * repeat penalty, context size).
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnginePool } from '../../../../electron/engine/client/engine-pool.ts';
import { nodeEngineSpawner } from '../../../../electron/engine/client/spawn-node.ts';
import { ChatService, type Caller, type ChatEvent } from '../../../../electron/services/chat/chat-service.ts';
import { Library } from '../../../../electron/services/models/library.ts';
import { endlessText, ensureFixtureModels, REASONING_ANSWER, REASONING_ANSWER_TOKENS, REASONING_THOUGHT, REASONING_THOUGHT_TOKENS, SCRIPTED_REPLY } from '../../../fixtures/gguf/index.ts';
import { ENGINE_ENTRY } from '../../../support/test-host.ts';

const ENDLESS = 'enclave-endless.gguf';
const SCRIPTED = 'enclave-scripted.gguf';
const REASONING = 'enclave-reasoning.gguf';

let dir: string;
let library: Library;
/** One engine process at most: a job for another model waits. */
let engines: EnginePool;
let chat: ChatService;
const events: ChatEvent[] = [];
let mostRunning = 0;

function chatOn(pool: EnginePool, into: ChatEvent[]): ChatService {
  const service: ChatService = new ChatService(pool, library, (event) => {
    into.push(event);
    mostRunning = Math.max(mostRunning, service.queue().running.length);
  });
  return service;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'enclave-chat-'));
  const models = await ensureFixtureModels();
  for (const file of [models.endless, models.scripted, models.reasoning]) await copyFile(file, join(dir, basename(file)));
  library = new Library(dir);
  await library.rescan();
  engines = new EnginePool({ spawn: nodeEngineSpawner(ENGINE_ENTRY), cores: 2, maxEngines: 1 });
  chat = chatOn(engines, events);
});

afterAll(async () => {
  await engines.dispose();
  await rm(dir, { recursive: true, force: true });
});

function done(jobId: string, seen: readonly ChatEvent[] = events): Promise<Extract<ChatEvent, { event: 'chat.done' }>['payload']> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const found = seen.find((event) => (event.event === 'chat.done' || event.event === 'chat.error') && event.payload.jobId === jobId);
      if (found?.event === 'chat.error') reject(new Error(`${found.payload.error.code}: ${found.payload.error.message}`));
      else if (found?.event === 'chat.done') resolve(found.payload);
      return found !== undefined;
    };
    if (check()) return;
    const timer = setInterval(() => check() && clearInterval(timer), 10);
  });
}

function textOf(kind: 'chat.delta' | 'chat.thought', jobId: string): string {
  return events.flatMap((event) => (event.event === kind && event.payload.jobId === jobId ? [event.payload.text] : [])).join('');
}

/** A caller of its own for each name: the fair queue holds one job per caller. */
const who = (name: string): Caller => ({ kind: 'api', requestId: name });

const ask = (caller: string, modelId: string, maxTokens?: number) =>
  chat.generate({ modelId, messages: [{ role: 'user', content: `Count, ${caller}` }], sampling: maxTokens === undefined ? {} : { maxTokens } }, undefined, who(caller));

describe('answers sharing one model', () => {
  it('runs three answers at once on one context, each with its own text', async () => {
    chat.setParallel(3);
    mostRunning = 0;
    const jobs = await Promise.all(['ana', 'ben', 'chloé'].map((caller) => ask(caller, ENDLESS, 120)));
    const answers = await Promise.all(jobs.map(({ jobId }) => done(jobId)));
    expect(mostRunning).toBe(3);
    expect(engines.status.loaded).toEqual([expect.objectContaining({ modelId: ENDLESS, parallel: 3 })]);
    for (const [index, answer] of answers.entries()) {
      expect(answer.text).toBe(endlessText(120));
      expect(textOf('chat.delta', jobs[index]?.jobId ?? '')).toBe(endlessText(120));
    }
  });

  it('keeps the queue fair: a job for another model waits, and so does everyone behind it', async () => {
    const first = await ask('ana', ENDLESS, 400);
    const other = await ask('ben', SCRIPTED);
    const behind = await ask('chloé', ENDLESS, 10);
    // The model is shared, yet chloé's job stays behind ben's, which needs the other model.
    expect(chat.queue().running.map((job) => job.jobId)).toEqual([first.jobId]);
    expect(chat.queue().waiting.map((job) => job.jobId)).toEqual([other.jobId, behind.jobId]);
    expect(events).toContainEqual({ event: 'chat.queued', payload: { jobId: behind.jobId, position: 2 } });
    // A place is told once: ben's did not change when chloé joined the queue behind him.
    expect(events.filter((event) => event.event === 'chat.queued' && event.payload.jobId === other.jobId)).toHaveLength(1);
    const order: string[] = [];
    await Promise.all([first, other, behind].map(async ({ jobId }) => order.push((await done(jobId)).jobId)));
    expect(order).toEqual([first.jobId, other.jobId, behind.jobId]);
    expect((await done(other.jobId)).text).toBe(SCRIPTED_REPLY);
  });

  it('gives a caller with a running job BUSY', async () => {
    const running = await ask('dan', ENDLESS, 200);
    await expect(ask('dan', ENDLESS)).rejects.toMatchObject({ code: 'BUSY' });
    chat.stop(running.jobId);
    expect((await done(running.jobId)).stats.stopReason).toBe('abort');
  });
});

describe('reasoning', () => {
  it('streams the thought segment apart from the answer, and times it', async () => {
    chat.setParallel(1);
    const { jobId } = await ask('eve', REASONING);
    const answer = await done(jobId);
    expect(answer.reasoning).toBe(REASONING_THOUGHT);
    expect(answer.text).toBe(REASONING_ANSWER);
    expect(textOf('chat.thought', jobId)).toBe(REASONING_THOUGHT);
    expect(textOf('chat.delta', jobId)).toBe(REASONING_ANSWER);
    expect(answer.stats.reasoningMs).toBeGreaterThanOrEqual(0);
    // The reasoning's tokens count too (node-llama-cpp does not report the <think> markers themselves).
    expect(answer.stats.tokens).toBe(REASONING_THOUGHT_TOKENS.length + REASONING_ANSWER_TOKENS.length);
    // Every thought batch comes before the first answer batch.
    const kinds = events.filter((event) => (event.event === 'chat.delta' || event.event === 'chat.thought') && event.payload.jobId === jobId).map((event) => event.event);
    expect(kinds.lastIndexOf('chat.thought')).toBeLessThan(kinds.indexOf('chat.delta'));
  });

  it('leaves a model without reasoning with none', async () => {
    const { jobId } = await ask('eve', SCRIPTED);
    const answer = await done(jobId);
    expect(answer.reasoning).toBe('');
    expect(answer.stats.reasoningMs).toBeUndefined();
  });
});

describe('raw completions and sampling settings', () => {
  it('continues a raw prompt without the chat template', async () => {
    // The scripted model starts its reply after a newline, chat template or not.
    const { jobId } = await chat.generate({ modelId: SCRIPTED, messages: [], prompt: 'Dear customer,\n' }, undefined, who('script'));
    expect((await done(jobId)).text).toBe(SCRIPTED_REPLY);
  });

  it('makes the context as large as the conversation asks, with min-p and a repeat penalty', async () => {
    const { jobId } = await chat.generate(
      { modelId: ENDLESS, messages: [{ role: 'user', content: 'Count' }], sampling: { maxTokens: 30, minP: 0.1, repeatPenalty: 1.3, contextSize: 1024 } },
      undefined,
      who('fay'),
    );
    expect((await done(jobId)).text).toBe(endlessText(30));
    expect(engines.status.loaded).toEqual([expect.objectContaining({ modelId: ENDLESS, contextSize: 1024 })]);
  });
});

describe('answers for two models', () => {
  it('run side by side in two engine processes, the cores split between them, then one is retired', async () => {
    const pool = new EnginePool({ spawn: nodeEngineSpawner(ENGINE_ENTRY), cores: 2, maxEngines: 2 });
    const seen: ChatEvent[] = [];
    const service = chatOn(pool, seen);
    try {
      mostRunning = 0;
      const endless = await service.generate({ modelId: ENDLESS, messages: [{ role: 'user', content: 'Count' }], sampling: { maxTokens: 300 } }, undefined, who('ana'));
      const scripted = await service.generate({ modelId: SCRIPTED, messages: [{ role: 'user', content: 'Hello' }] }, undefined, who('ben'));
      // Neither waits for the other: both run at once, each in its own process.
      expect(service.queue().waiting).toEqual([]);
      expect(mostRunning).toBe(2);
      expect((await done(scripted.jobId, seen)).text).toBe(SCRIPTED_REPLY);
      expect((await done(endless.jobId, seen)).text).toBe(endlessText(300));
      expect(pool.size).toBe(2);
      expect(pool.status.loaded.map((model) => model.modelId).sort()).toEqual([ENDLESS, SCRIPTED]);
      expect(pool.clientOf(ENDLESS)?.pid).not.toBe(pool.clientOf(SCRIPTED)?.pid);
      // A third model waits: two processes at most, both with a job... until one is free.
      const again = await service.generate({ modelId: ENDLESS, messages: [{ role: 'user', content: 'Again' }], sampling: { maxTokens: 200 } }, undefined, who('ana'));
      const other = await service.generate({ modelId: SCRIPTED, messages: [{ role: 'user', content: 'Again' }] }, undefined, who('ben'));
      const third = await service.generate({ modelId: REASONING, messages: [{ role: 'user', content: 'Plan' }] }, undefined, who('chloé'));
      expect(service.queue().waiting.map((job) => job.jobId)).toContain(third.jobId);
      expect((await done(third.jobId, seen)).text).toBe(REASONING_ANSWER);
      await Promise.all([done(again.jobId, seen), done(other.jobId, seen)]);
    } finally {
      await pool.dispose();
    }
  });
});
