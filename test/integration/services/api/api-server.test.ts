/**
 * The local OpenAI-compatible API, driven by the official `openai` package against a
 * real Host (real engine process, fixture GGUF models) on 127.0.0.1.
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import OpenAI, { type ClientOptions } from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ENDLESS_CYCLE_TOKENS, endlessText, ensureFixtureModels, SCRIPTED_REPLY, SCRIPTED_REPLY_TOKENS, writeBigramModel } from '../../../fixtures/gguf/index.ts';
import { MAX_API_JOBS } from '../../../../electron/services/api/api-server.ts';
import { directDispatcher, directFetch, freePort } from '../../../support/loopback.ts';
import { createTestHost, type TestHost } from '../../../support/test-host.ts';
import { newJobId } from '#shared/chat.ts';
import { waitUntil } from '../../../support/wait-until.ts';

const JSON_SCRIPT = ['{"', 'city', '":', ' "', 'Paris', '"}'];
const CITY_SCHEMA = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };

let testHost: TestHost;
let baseURL: string;
let client: OpenAI;
// The clients here are another program talking to the API: they connect around the host's egress gate.
const fetchOptions = { dispatcher: directDispatcher } as ClientOptions['fetchOptions'];
const SCRIPTED = 'enclave-scripted.gguf';
const ENDLESS = 'enclave-endless.gguf';
const JSON_MODEL = 'enclave-json.gguf';

/** Jobs in the chat queue, running or waiting, whoever they are for. */
function jobsInQueue(): number {
  const { running, waiting } = testHost.host.services.workshop.status();
  return running.length + waiting;
}

const post = (path: string, body: string, contentType = 'application/json') => directFetch(`${baseURL}${path}`, { method: 'POST', headers: { 'Content-Type': contentType }, body });

beforeAll(async () => {
  const models = await ensureFixtureModels();
  testHost = await createTestHost([models.scripted, models.endless], { ENCLAVE_THREADS: '1' });
  await writeBigramModel(join(testHost.modelsDir, JSON_MODEL), { name: 'Enclave JSON', script: JSON_SCRIPT, loop: false });
  await testHost.host.services.library.rescan();
  expect(testHost.host.services.api.status().state).toBe('off');
  const port = await freePort();
  // Switched on the way the settings panel does it.
  const outcome = await testHost.host.call('settings.update', { apiEnabled: true, apiPort: port });
  expect(outcome.ok).toBe(true);
  await testHost.host.services.api.apply();
  const status = testHost.host.services.api.status();
  expect(status).toMatchObject({ state: 'listening', url: `http://127.0.0.1:${port}/v1`, keyRequired: false });
  baseURL = status.url ?? '';
  client = new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0, fetchOptions });
}, 60_000);

afterAll(async () => {
  await testHost?.dispose();
  await directDispatcher.close();
});

describe('local OpenAI-compatible API', () => {
  test('lists the usable models', async () => {
    const ids = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids.sort()).toEqual([ENDLESS, JSON_MODEL, SCRIPTED].sort());
    expect((await client.models.retrieve(SCRIPTED)).id).toBe(SCRIPTED);
  });

  test('answers a chat completion in full', async () => {
    const completion = await client.chat.completions.create({ model: SCRIPTED, messages: [{ role: 'user', content: 'Bonjour ?' }], temperature: 0, seed: 7 });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]?.message).toMatchObject({ role: 'assistant', content: SCRIPTED_REPLY });
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
  });

  test('streams a chat completion as server-sent events', async () => {
    const stream = await client.chat.completions.create({
      model: SCRIPTED,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello' },
      ],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage?.completion_tokens ?? usage;
    }
    expect(text).toBe(SCRIPTED_REPLY);
    expect(finish).toBe('stop');
    expect(usage).toBeGreaterThan(0);
  });

  test('follows a JSON schema through a grammar', async () => {
    const completion = await client.chat.completions.create({
      model: JSON_MODEL,
      messages: [{ role: 'user', content: 'Where?' }],
      temperature: 0,
      response_format: { type: 'json_schema', json_schema: { name: 'place', schema: CITY_SCHEMA, strict: true } },
    });
    expect(JSON.parse(completion.choices[0]?.message.content ?? '')).toEqual({ city: 'Paris' });
    // The model's own script says Paris; only the grammar can make it answer Lyon.
    const forced = await client.chat.completions.create({
      model: JSON_MODEL,
      messages: [{ role: 'user', content: 'Where?' }],
      temperature: 0,
      response_format: { type: 'json_schema', json_schema: { name: 'place', schema: { ...CITY_SCHEMA, properties: { city: { enum: ['Lyon'] } } } } },
    });
    expect(JSON.parse(forced.choices[0]?.message.content ?? '')).toEqual({ city: 'Lyon' });
  });

  test('ends the answer before a stop sequence, streamed or not', async () => {
    const before = endlessText(4);
    expect(before).toBe(' one two three four');
    const completion = await client.chat.completions.create({ model: ENDLESS, messages: [{ role: 'user', content: 'Count' }], stop: [' five'], max_tokens: 40 });
    expect(completion.choices[0]?.message.content).toBe(before);
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    const stream = await client.chat.completions.create({ model: ENDLESS, messages: [{ role: 'user', content: 'Count' }], stop: ' three', stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(endlessText(2));
  });

  test('says "length" when max_tokens cuts the answer', async () => {
    const completion = await client.chat.completions.create({ model: ENDLESS, messages: [{ role: 'user', content: 'Count' }], max_tokens: 3 });
    expect(completion.choices[0]?.message.content).toBe(endlessText(3));
    expect(completion.choices[0]?.finish_reason).toBe('length');
  });

  test('serves /v1/completions as a raw completion: the model continues the prompt, no chat template', async () => {
    // The scripted model's own reply, cut after "Bonjour!": only a raw continuation picks it up there.
    const completion = await client.completions.create({ model: SCRIPTED, prompt: SCRIPTED_REPLY_TOKENS.slice(0, 2).join(''), max_tokens: 50 });
    expect(completion.choices[0]?.text).toBe(SCRIPTED_REPLY_TOKENS.slice(2).join(''));
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    const stream = await client.completions.create({ model: ENDLESS, prompt: endlessText(2), max_tokens: 2, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    expect(text).toBe(ENDLESS_CYCLE_TOKENS.slice(2, 4).join(''));
  });

  test('answers errors in OpenAI shape with the right status', async () => {
    const unknown = await client.chat.completions.create({ model: 'no-such-model.gguf', messages: [{ role: 'user', content: 'Hi' }] }).catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect((unknown as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');

    const badBody = await client.chat.completions.create({ model: SCRIPTED, messages: [] }).catch((error: unknown) => error);
    expect(badBody).toBeInstanceOf(OpenAI.BadRequestError);
    expect((badBody as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('messages');

    const badTemperature = await client.chat.completions
      .create({ model: SCRIPTED, messages: [{ role: 'user', content: 'Hi' }], temperature: 'hot' as unknown as number })
      .catch((error: unknown) => error);
    expect(badTemperature).toBeInstanceOf(OpenAI.BadRequestError);

    const notJson = await directFetch(`${baseURL}/chat/completions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"model":' });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { code: 'invalid_json', type: 'invalid_request_error' } });

    const jsonObject = await client.chat.completions
      .create({ model: JSON_MODEL, messages: [{ role: 'user', content: 'Hi' }], response_format: { type: 'json_object' } })
      .catch((error: unknown) => error);
    expect(jsonObject).toBeInstanceOf(OpenAI.BadRequestError);
    expect((jsonObject as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('response_format');

    const unknownPath = await directFetch(`${baseURL}/embeddings`, { method: 'POST' });
    expect(unknownPath.status).toBe(404);

    const notJsonType = await post('/chat/completions', 'model=x', 'application/x-www-form-urlencoded');
    expect(notJsonType.status).toBe(415);
    expect(await notJsonType.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });

    const huge = await post('/chat/completions', JSON.stringify({ model: SCRIPTED, messages: [{ role: 'user', content: 'x'.repeat(5 * 1024 * 1024) }] }));
    expect(huge.status).toBe(413);
    expect(huge.headers.get('connection')).toBe('close');
  });

  test.each([
    ['tools', { tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }] }],
    ['tool_choice', { tool_choice: 'required' }],
    ['n', { n: 2 }],
    ['logprobs', { logprobs: true }],
    ['top_logprobs', { top_logprobs: 3 }],
    ['logit_bias', { logit_bias: { '42': 100 } }],
    ['audio', { audio: { voice: 'alloy', format: 'wav' } }],
    ['modalities', { modalities: ['text', 'audio'] }],
  ])('refuses %s, which it cannot honour, with a 400 naming it', async (param, extra) => {
    const refused = await client.chat.completions
      .create({ model: SCRIPTED, messages: [{ role: 'user', content: 'Hi' }], ...(extra as object) } as Parameters<typeof client.chat.completions.create>[0])
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect((refused as InstanceType<typeof OpenAI.BadRequestError>).param).toBe(param);
    expect((refused as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(/not supported/);
  });

  test('ignores fields that change nothing it answers (user, penalties, n: 1, empty tools)', async () => {
    const completion = await client.chat.completions.create({
      model: SCRIPTED,
      messages: [{ role: 'user', content: 'Hi' }],
      user: 'script-7',
      presence_penalty: 0.5,
      frequency_penalty: 0.5,
      n: 1,
      tools: [],
      store: false,
      metadata: { team: 'ops' },
    });
    expect(completion.choices[0]?.message.content).toBe(SCRIPTED_REPLY);
    const text = await client.completions.create({ model: SCRIPTED, prompt: SCRIPTED_REPLY_TOKENS.slice(0, 2).join(''), max_tokens: 50, echo: false, best_of: 1 });
    expect(text.choices[0]?.text).toBe(SCRIPTED_REPLY_TOKENS.slice(2).join(''));
    const echo = await client.completions.create({ model: SCRIPTED, prompt: 'Hi', echo: true }).catch((error: unknown) => error);
    expect((echo as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('echo');
  });

  test('asks for the API key once one is set', async () => {
    await testHost.host.call('settings.update', { apiKey: 'sk-local-secret' });
    expect(testHost.host.services.api.status().keyRequired).toBe(true);
    try {
      const wrong = await client.models.list().catch((error: unknown) => error);
      expect(wrong).toBeInstanceOf(OpenAI.AuthenticationError);
      expect((wrong as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('invalid_api_key');
      const right = new OpenAI({ baseURL, apiKey: 'sk-local-secret', maxRetries: 0, fetchOptions });
      const completion = await right.chat.completions.create({ model: SCRIPTED, messages: [{ role: 'user', content: 'Hi' }] });
      expect(completion.choices[0]?.message.content).toBe(SCRIPTED_REPLY);
    } finally {
      await testHost.host.call('settings.update', { apiKey: '' });
    }
  });

  test('queues concurrent requests behind each other and the app', async () => {
    const asks = ['a', 'b', 'c'].map(async (name) => {
      const completion = await client.chat.completions.create({ model: ENDLESS, messages: [{ role: 'user', content: name }], max_tokens: 5 });
      return completion.choices[0]?.message.content;
    });
    const app = await testHost.host.call('chat.generate', { jobId: newJobId(), modelId: SCRIPTED, messages: [{ role: 'user', content: 'app' }] });
    expect(app.ok).toBe(true);
    // The app's own second answer while its first waits: BUSY, as before the queue.
    const second = await testHost.host.call('chat.generate', { jobId: newJobId(), modelId: SCRIPTED, messages: [{ role: 'user', content: 'again' }] });
    expect(second).toMatchObject({ ok: false, error: { code: 'BUSY' } });
    expect(await Promise.all(asks)).toEqual([endlessText(5), endlessText(5), endlessText(5)]);
    const jobId = app.ok ? (app.result as { jobId: string }).jobId : '';
    expect((await testHost.waitFor('chat.done', (payload) => payload.jobId === jobId)).text).toBe(SCRIPTED_REPLY);
    expect(testHost.events.some((event) => event.event === 'chat.queued')).toBe(true);
    expect(testHost.host.services.api.status().counts.chatCompletions).toBeGreaterThanOrEqual(3);
  });

  test(`all API clients together hold ${MAX_API_JOBS} places in the queue; one more gets 429, the app still gets its turn`, async () => {
    const aborts = Array.from({ length: MAX_API_JOBS }, () => new AbortController());
    const held = aborts.map((abort, i) =>
      client.chat.completions.create({ model: ENDLESS, messages: [{ role: 'user', content: `hold ${i}` }], max_tokens: 4000, stream: true }, { signal: abort.signal }).then(
        async (stream) => {
          for await (const chunk of stream) void chunk;
        },
        () => undefined,
      ),
    );
    await waitUntil(() => jobsInQueue() === MAX_API_JOBS, `${MAX_API_JOBS} API jobs in the queue`);
    const refused = await client.chat.completions.create({ model: SCRIPTED, messages: [{ role: 'user', content: 'one more' }] }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    expect((refused as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('rate_limit_exceeded');
    expect((refused as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after')).toBe('1');
    // The app (or a workshop participant) is not held back by the script: its answer takes a place.
    const app = await testHost.host.call('chat.generate', { jobId: newJobId(), modelId: SCRIPTED, messages: [{ role: 'user', content: 'app' }] });
    expect(app.ok).toBe(true);
    for (const abort of aborts) abort.abort();
    await Promise.all(held);
    const jobId = app.ok ? (app.result as { jobId: string }).jobId : '';
    expect((await testHost.waitFor('chat.done', (payload) => payload.jobId === jobId)).text).toBe(SCRIPTED_REPLY);
    await waitUntil(() => jobsInQueue() === 0, 'an empty queue');
    const after = await client.chat.completions.create({ model: SCRIPTED, messages: [{ role: 'user', content: 'Hi' }] });
    expect(after.choices[0]?.message.content).toBe(SCRIPTED_REPLY);
  }, 60_000);

  test('the engine stopping under a request answers 503', async () => {
    const earlier = testHost.events.length;
    const asked = client.chat.completions.create({ model: ENDLESS, messages: [{ role: 'user', content: 'Count' }], max_tokens: 4000 }).catch((error: unknown) => error);
    // This request's own first token (earlier tests' events do not count): the model is loaded and generating.
    await waitUntil(() => testHost.events.slice(earlier).some((event) => event.event === 'chat.delta') && jobsInQueue() === 1, 'the API job generating');
    // The engine process that holds the model (another may hold an earlier test's model).
    const pid = testHost.host.services.engine.clientOf(ENDLESS)?.pid;
    if (pid === undefined) throw new Error('no engine process holds the model');
    process.kill(pid, 'SIGKILL');
    const crashed = await asked;
    expect(crashed).toBeInstanceOf(OpenAI.InternalServerError);
    expect((crashed as InstanceType<typeof OpenAI.InternalServerError>).status).toBe(503);
    expect((crashed as InstanceType<typeof OpenAI.InternalServerError>).code).toBe('engine_crashed');
    // A fresh engine answers the next request.
    const after = await client.chat.completions.create({ model: SCRIPTED, messages: [{ role: 'user', content: 'Hi' }] });
    expect(after.choices[0]?.message.content).toBe(SCRIPTED_REPLY);
  }, 60_000);

  test('a client that goes away frees the engine', async () => {
    const abort = new AbortController();
    const stream = await client.chat.completions.create({ model: ENDLESS, messages: [{ role: 'user', content: 'Count' }], stream: true }, { signal: abort.signal });
    let jobId = '';
    let chunks = 0;
    for await (const chunk of stream) {
      jobId = chunk.id.replace(/^chatcmpl-/, '');
      if (++chunks === 3) abort.abort();
    }
    const done = await testHost.waitFor('chat.done', (payload) => payload.jobId === jobId);
    expect(done.stats.stopReason).toBe('abort');
    const after = await client.chat.completions.create({ model: SCRIPTED, messages: [{ role: 'user', content: 'Hi' }] });
    expect(after.choices[0]?.message.content).toBe(SCRIPTED_REPLY);
  });

  // Restarts the server: the clients' kept-alive connections to it are gone, so it runs last but one.
  test('a port taken by another program is reported as PORT_IN_USE, and the server comes back on a free one', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    const before = testHost.host.services.api.status().port;
    try {
      await testHost.host.call('settings.update', { apiPort: port });
      await testHost.host.services.api.apply();
      expect(testHost.host.services.api.status()).toMatchObject({ state: 'failed', url: null, error: { code: 'PORT_IN_USE', details: { port } } });
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
      await testHost.host.call('settings.update', { apiPort: before });
      await testHost.host.services.api.apply();
    }
    expect(testHost.host.services.api.status().state).toBe('listening');
  });

  test('switching it off closes the port', async () => {
    await testHost.host.call('settings.update', { apiEnabled: false });
    await testHost.host.services.api.apply();
    expect(testHost.host.services.api.status()).toMatchObject({ state: 'off', url: null });
    await expect(directFetch(`${baseURL}/models`)).rejects.toThrow();
  });
});
