/**
 * The local OpenAI-compatible API (issue #7), driven by the official `openai` package against a
 * real Host (real engine process, fixture GGUF models) on 127.0.0.1.
 */
import { join } from 'node:path';
import OpenAI, { type ClientOptions } from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { endlessText, ensureFixtureModels, SCRIPTED_REPLY, writeBigramModel } from '../fixtures/gguf/index.ts';
import { directDispatcher, directFetch, freePort } from '../support/loopback.ts';
import { createTestHost, type TestHost } from '../support/test-host.ts';

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


beforeAll(async () => {
  const models = await ensureFixtureModels();
  testHost = await createTestHost([models.scripted, models.endless], { ENCLAVE_THREADS: '1' });
  await writeBigramModel(join(testHost.modelsDir, JSON_MODEL), { name: 'Enclave JSON', script: JSON_SCRIPT, loop: false });
  await testHost.host.library.rescan();
  expect(testHost.host.api.status().state).toBe('off');
  const port = await freePort();
  // Switched on the way the settings panel does it.
  const outcome = await testHost.host.call('settings.update', { apiEnabled: true, apiPort: port });
  expect(outcome.ok).toBe(true);
  await testHost.host.api.apply();
  const status = testHost.host.api.status();
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
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello' }],
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

  test('serves /v1/completions through the same chat path', async () => {
    const completion = await client.completions.create({ model: SCRIPTED, prompt: 'Say hello', max_tokens: 50 });
    expect(completion.choices[0]?.text).toBe(SCRIPTED_REPLY);
    const stream = await client.completions.create({ model: ENDLESS, prompt: 'Count', max_tokens: 2, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    expect(text).toBe(endlessText(2));
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
  });

  test('asks for the API key once one is set', async () => {
    await testHost.host.call('settings.update', { apiKey: 'sk-local-secret' });
    expect(testHost.host.api.status().keyRequired).toBe(true);
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
    const app = await testHost.host.call('chat.generate', { modelId: SCRIPTED, messages: [{ role: 'user', content: 'app' }] });
    expect(app.ok).toBe(true);
    // The app's own second answer while its first waits: BUSY, as before the queue.
    const second = await testHost.host.call('chat.generate', { modelId: SCRIPTED, messages: [{ role: 'user', content: 'again' }] });
    expect(second).toMatchObject({ ok: false, error: { code: 'BUSY' } });
    expect(await Promise.all(asks)).toEqual([endlessText(5), endlessText(5), endlessText(5)]);
    const jobId = app.ok ? (app.result as { jobId: string }).jobId : '';
    expect((await testHost.waitFor('chat.done', (payload) => payload.jobId === jobId)).text).toBe(SCRIPTED_REPLY);
    expect(testHost.events.some((event) => event.event === 'chat.queued')).toBe(true);
    expect(testHost.host.api.status().counts.chatCompletions).toBeGreaterThanOrEqual(3);
  });

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

  test('switching it off closes the port', async () => {
    await testHost.host.call('settings.update', { apiEnabled: false });
    await testHost.host.api.apply();
    expect(testHost.host.api.status()).toMatchObject({ state: 'off', url: null });
    await expect(directFetch(`${baseURL}/models`)).rejects.toThrow();
  });
});
