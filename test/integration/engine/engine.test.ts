/** The whole host path on real node-llama-cpp: engine process, contract, batched events. */
import { copyFile, truncate, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFixtureModels, endlessText, SCRIPTED_REPLY } from '../../fixtures/gguf/scripted.ts';
import { FRAME_MS } from '../../../electron/engine/process/text-batcher.ts';
import { createTestHost, type TestHost } from '../../support/test-host.ts';
import { newJobId } from '#shared/chat.ts';

let t: TestHost;
const SCRIPTED = 'enclave-scripted.gguf';
const ENDLESS = 'enclave-endless.gguf';
const user = (content: string) => [{ role: 'user' as const, content }];

beforeAll(async () => {
  const models = await ensureFixtureModels();
  t = await createTestHost([models.scripted, models.endless]);
  await writeFile(join(t.modelsDir, 'notes.gguf'), 'these are my notes, not a model');
  await copyFile(models.scripted, join(t.modelsDir, 'cut.gguf'));
  await truncate(join(t.modelsDir, 'cut.gguf'), 100_000);
  await t.host.call('models.rescan', {});
});

afterAll(async () => {
  await t.dispose();
});

async function generate(modelId: string, content: string, sampling?: Record<string, number>): Promise<string> {
  const outcome = await t.host.call('chat.generate', { jobId: newJobId(), modelId, messages: user(content), ...(sampling ? { sampling } : {}) });
  if (!outcome.ok) throw new Error(`generate failed: ${outcome.error.code} ${outcome.error.message}`);
  return (outcome.result as { jobId: string }).jobId;
}

function deltasOf(jobId: string): string[] {
  return t.events.flatMap((event) => (event.event === 'chat.delta' && event.payload.jobId === jobId ? [event.payload.text] : []));
}

describe('engine through the host', () => {
  it('streams the scripted model exact answer, in batches that add up to it', async () => {
    const jobId = await generate(SCRIPTED, 'Hello?');
    const done = await t.waitFor('chat.done', (p) => p.jobId === jobId);
    expect(done.text).toBe(SCRIPTED_REPLY);
    expect(deltasOf(jobId).join('')).toBe(SCRIPTED_REPLY);
    expect(done.stats).toMatchObject({ modelId: SCRIPTED, tokens: 9, stopReason: 'eogToken' });
    expect(done.stats.promptTokens).toBeGreaterThan(0);
    const status = t.host.services.engine.status;
    expect(status).toMatchObject({ state: 'ready', backend: 'cpu', loaded: [{ modelId: SCRIPTED, parallel: 1 }] });
    // A tiny model generates on one thread with the prebuilt binaries, on every core with the engine built here (OpenMP).
    if (status.build === 'local' && availableParallelism() > 1) expect(status.loaded[0]?.threads).toBeGreaterThan(1);
    else expect(status).toMatchObject({ build: 'prebuilt', loaded: [{ threads: 1 }] });
  });

  it('answers the same with ordinary sampling and another prompt', async () => {
    const jobId = await generate(SCRIPTED, 'Écris un poème sur la mer.', { temperature: 1.2, topK: 100, topP: 1 });
    expect((await t.waitFor('chat.done', (p) => p.jobId === jobId)).text).toBe(SCRIPTED_REPLY);
  });

  it('switches models and stops at maxTokens', async () => {
    const jobId = await generate(ENDLESS, 'Count', { maxTokens: 25 });
    const loaded = await t.waitFor('chat.loaded', (p) => p.jobId === jobId);
    expect(loaded.modelId).toBe(ENDLESS);
    const done = await t.waitFor('chat.done', (p) => p.jobId === jobId);
    expect(done.text).toBe(endlessText(25));
    expect(done.stats).toMatchObject({ tokens: 25, stopReason: 'maxTokens' });
    // Batches of about one frame: the first text at once, then at most one message per frame, and
    // the rest at the end. (Fewer messages than tokens only where tokens come faster than frames,
    // which a loaded machine does not promise.)
    expect(deltasOf(jobId).length).toBeLessThanOrEqual(Math.ceil(done.stats.durationMs / FRAME_MS) + 2);
  });

  it('stops a long answer mid-stream and refuses a second generation meanwhile', async () => {
    const jobId = await generate(ENDLESS, 'Count forever', { maxTokens: 30_000 });
    await t.waitFor('chat.delta', (p) => p.jobId === jobId);
    const second = await t.host.call('chat.generate', { jobId: newJobId(), modelId: SCRIPTED, messages: user('me too') });
    expect(second).toMatchObject({ ok: false, error: { code: 'BUSY' } });
    expect(await t.host.call('chat.stop', { jobId })).toEqual({ ok: true, result: { stopped: true } });
    const done = await t.waitFor('chat.done', (p) => p.jobId === jobId);
    expect(done.stats.stopReason).toBe('abort');
    expect(done.stats.tokens).toBeGreaterThan(0);
    expect(done.stats.tokens).toBeLessThan(30_000);
    expect(endlessText(done.stats.tokens).startsWith(done.text.slice(0, 40))).toBe(true);
    expect(await t.host.call('chat.stop', { jobId })).toEqual({ ok: true, result: { stopped: false } });
  });

  it('ends a job stopped before its first token as stopped, not failed', async () => {
    await t.waitFor('engine.status', (s) => s.loaded.some((model) => model.modelId === ENDLESS) && s.state === 'ready');
    for (let attempt = 0; attempt < 5; attempt++) {
      const jobId = await generate(ENDLESS, `Count ${attempt}`, { maxTokens: 30_000 });
      expect(await t.host.call('chat.stop', { jobId })).toEqual({ ok: true, result: { stopped: true } });
      const done = await t.waitFor('chat.done', (p) => p.jobId === jobId);
      expect(done.stats.stopReason).toBe('abort');
      expect(done.stats.tokens).toBeLessThan(30_000);
      expect(t.events.some((event) => event.event === 'chat.error' && event.payload.jobId === jobId)).toBe(false);
    }
  });

  it('reports an engine crash to the running job, then serves from a fresh engine', async () => {
    const jobId = await generate(ENDLESS, 'Count until I crash', { maxTokens: 30_000 });
    await t.waitFor('chat.delta', (p) => p.jobId === jobId);
    const crashedPid = t.host.services.engine.pid;
    expect(crashedPid).toBeTypeOf('number');
    process.kill(crashedPid as number, 'SIGKILL');
    const failure = await t.waitFor('chat.error', (p) => p.jobId === jobId);
    expect(failure.error.code).toBe('ENGINE_CRASHED');
    await t.waitFor('engine.status', (s) => s.state === 'crashed');

    const next = await generate(SCRIPTED, 'Are you back?');
    expect((await t.waitFor('chat.done', (p) => p.jobId === next)).text).toBe(SCRIPTED_REPLY);
    expect(t.host.services.engine.pid).not.toBe(crashedPid);
  });

  it('lists broken files with the reason and refuses to load them', async () => {
    const models = (await t.host.call('models.list', {})) as { ok: true; result: { id: string; problem: { code: string; message: string } | null }[] };
    const byId = new Map(models.result.map((model) => [model.id, model]));
    expect(byId.get(SCRIPTED)?.problem).toBeNull();
    expect(byId.get('notes.gguf')?.problem).toMatchObject({ code: 'NOT_GGUF', message: expect.stringMatching(/not a readable GGUF/) });
    expect(byId.get('cut.gguf')?.problem).toMatchObject({ code: 'TRUNCATED' });
    for (const modelId of ['notes.gguf', 'cut.gguf']) {
      expect(await t.host.call('chat.generate', { jobId: newJobId(), modelId, messages: user('hi') })).toMatchObject({ ok: false, error: { code: 'INVALID_MODEL' } });
    }
    expect(await t.host.call('chat.generate', { jobId: newJobId(), modelId: 'missing.gguf', messages: user('hi') })).toMatchObject({
      ok: false,
      error: { code: 'MODEL_NOT_FOUND' },
    });
  });
});
