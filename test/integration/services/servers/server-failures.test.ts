/**
 * A server that cannot answer yet or at all, with the error a person reads: a real llama-server
 * still loading its model (503 "Loading model"), and, through a small proxy on 127.0.0.1 in front
 * of a real llama-server, the answers llama-server itself never gives: 429 with Retry-After (it
 * queues a request rather than refusing it) and 404 for a model it does not have (a llama-server
 * serving one model answers to any model name; vLLM and Ollama answer 404).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { newJobId } from '#shared/chat.ts';
import type { CallOutcome } from '#shared/endpoint.ts';
import { serverModelId } from '#shared/servers.ts';
import { ensureFixtureModels, SCRIPTED_REPLY } from '../../../fixtures/gguf/index.ts';
import { llamaServerMissing, startLlamaServer, type LlamaServer } from '../../../support/llama-server.ts';
import { createTestHost, type TestHost } from '../../../support/test-host.ts';

const missing = llamaServerMissing();
if (missing !== null) console.warn(`server-failures.test.ts: skipped: ${missing}`);

function ok<T>(outcome: CallOutcome): T {
  if (!outcome.ok) throw new Error(`${outcome.error.code}: ${outcome.error.message}`);
  return outcome.result as T;
}

describe.skipIf(missing !== null)('a llama-server still loading its model', () => {
  let dir: string;
  let loading: LlamaServer;
  let t: TestHost;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'enclave-loading-'));
    // A model file that is a named pipe nobody writes to: llama-server's open() of it waits, so the
    // server stays in its loading state for as long as the test needs, without any timing.
    const model = join(dir, 'loading.gguf');
    execFileSync('mkfifo', [model]);
    loading = await startLlamaServer({ model, waitForModel: false });
    t = await createTestHost([], { ENCLAVE_SERVERS: loading.url });
  }, 60_000);

  afterAll(async () => {
    await t?.dispose();
    await loading?.kill();
    await rm(dir, { recursive: true, force: true });
  });

  test('the connection test says the server is busy or loading (SERVER_BUSY, with its own message)', async () => {
    const outcome = await t.host.call('servers.test', { id: loading.url });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.code).toBe('SERVER_BUSY');
    expect(outcome.error.details).toMatchObject({ status: 503, detail: 'Loading model' });
  });

  test('an answer is tried again, then fails as SERVER_BUSY; each try is in the egress log', async () => {
    const before = (await t.host.services.egress.entries()).length;
    const jobId = newJobId();
    ok(await t.host.call('chat.generate', { jobId, modelId: serverModelId(loading.url, 'loading.gguf'), messages: [{ role: 'user', content: 'Bonjour' }] }));
    const failed = await t.waitFor('chat.error', (payload) => payload.jobId === jobId, 30_000);
    expect(failed.error.code).toBe('SERVER_BUSY');
    const entries = (await t.host.services.egress.entries()).slice(before);
    // One request, three tries on connections of its own (llama-server closes each 503), failed at the end.
    expect(entries.filter((entry) => entry.level === 'connection').length).toBe(3);
    expect(entries.at(-1)).toMatchObject({ purpose: 'server', outcome: 'failed', model: 'loading.gguf' });
  }, 30_000);
});

/** Forwards everything to the llama-server, except what `answer` answers itself. */
async function startProxy(
  target: LlamaServer,
  answer: (body: { model?: string }, path: string) => { status: number; headers?: Record<string, string>; body: string } | null,
): Promise<{ url: string; requests: { path: string; at: number }[]; server: Server }> {
  const requests: { path: string; at: number }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      requests.push({ path: req.url ?? '', at: performance.now() });
      const parsed = raw.length === 0 ? {} : (JSON.parse(raw.toString()) as { model?: string });
      const own = answer(parsed, req.url ?? '');
      if (own !== null) {
        res.writeHead(own.status, { 'content-type': 'application/json', ...own.headers });
        res.end(own.body);
        return;
      }
      const forwarded = request({ host: '127.0.0.1', port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: `127.0.0.1:${target.port}` } }, (upstream) => {
        res.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(res);
      });
      forwarded.end(raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server };
}

describe.skipIf(missing !== null)('answers llama-server does not give, from a proxy in front of a real one', () => {
  let scripted: LlamaServer;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let t: TestHost;
  let refusedOnce = false;

  beforeAll(async () => {
    scripted = await startLlamaServer({ model: (await ensureFixtureModels()).scripted });
    proxy = await startProxy(scripted, (body, path) => {
      if (!path.startsWith('/v1/chat/completions')) return null;
      if (body.model === 'gone.gguf') return { status: 404, body: JSON.stringify({ error: { message: 'The model `gone.gguf` does not exist.', type: 'NotFoundError', code: 404 } }) };
      if (body.model === 'crowded' && !refusedOnce) {
        refusedOnce = true;
        return { status: 429, headers: { 'retry-after': '1' }, body: JSON.stringify({ error: { message: 'Too many requests', code: 429 } }) };
      }
      return null;
    });
    t = await createTestHost([], { ENCLAVE_SERVERS: proxy.url });
  }, 60_000);

  afterAll(async () => {
    await t?.dispose();
    await new Promise((resolve) => proxy?.server.close(resolve));
    await scripted?.stop();
  });

  test('429 with Retry-After: tried again after the wait, then the exact answer', async () => {
    const jobId = newJobId();
    ok(await t.host.call('chat.generate', { jobId, modelId: serverModelId(proxy.url, 'crowded'), messages: [{ role: 'user', content: 'Bonjour' }], sampling: { temperature: 0 } }));
    const done = await t.waitFor('chat.done', (payload) => payload.jobId === jobId, 30_000);
    expect(done.text).toBe(SCRIPTED_REPLY);
    const tries = proxy.requests.filter((entry) => entry.path === '/v1/chat/completions');
    expect(tries).toHaveLength(2);
    // Retry-After: 1 was waited (a lower bound, not a speed).
    expect((tries[1]?.at ?? 0) - (tries[0]?.at ?? 0)).toBeGreaterThanOrEqual(990);
  }, 30_000);

  test('404: the server has no such model (SERVER_MODEL_MISSING, with the server’s message)', async () => {
    const jobId = newJobId();
    ok(await t.host.call('chat.generate', { jobId, modelId: serverModelId(proxy.url, 'gone.gguf'), messages: [{ role: 'user', content: 'Bonjour' }] }));
    const failed = await t.waitFor('chat.error', (payload) => payload.jobId === jobId);
    expect(failed.error.code).toBe('SERVER_MODEL_MISSING');
    expect(failed.error.details).toMatchObject({ status: 404, model: 'gone.gguf', detail: 'The model `gone.gguf` does not exist.' });
  });
});
