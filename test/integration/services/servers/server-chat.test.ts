/**
 * A server's model answering through the fair queue, against real llama-servers on 127.0.0.1
 * serving the fixture models: the exact text streamed, statistics from the stream and its usage,
 * stop, the server killed mid-answer, a stalled stream,
 * a wrong key, and the egress log's entries.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CallOutcome } from '#shared/endpoint.ts';
import type { EventPayloads } from '#shared/contract.ts';
import { answerOrigin, serverModelId } from '#shared/servers.ts';
import { newJobId } from '#shared/chat.ts';
import type { JobMessage } from '../../../../electron/engine/client/engine-client.ts';
import { EgressGate } from '../../../../electron/services/privacy/egress.ts';
import { ServerChat } from '../../../../electron/services/servers/server-chat.ts';
import { serverAgent } from '../../../../electron/services/servers/server-connection.ts';
import { ensureFixtureModels, endlessText, REASONING_ANSWER, REASONING_THOUGHT, SCRIPTED_REPLY } from '../../../fixtures/gguf/index.ts';
import { llamaServerMissing, startLlamaServer, type LlamaServer } from '../../../support/llama-server.ts';
import { createTestHost, type TestHost } from '../../../support/test-host.ts';

const missing = llamaServerMissing();
if (missing !== null) console.warn(`server-chat.test.ts: skipped: ${missing}`);

function ok<T>(outcome: CallOutcome): T {
  if (!outcome.ok) throw new Error(`${outcome.error.code}: ${outcome.error.message}`);
  return outcome.result as T;
}

describe.skipIf(missing !== null)('a server model through the fair queue', () => {
  let scripted: LlamaServer;
  let endless: LlamaServer;
  let t: TestHost;

  beforeAll(async () => {
    const models = await ensureFixtureModels();
    [scripted, endless] = await Promise.all([startLlamaServer({ model: models.scripted }), startLlamaServer({ model: models.endless })]);
    t = await createTestHost([], { ENCLAVE_SERVERS: [scripted.url, endless.url].join(',') });
    await t.waitFor('servers.changed', () => t.host.services.servers.modelInfos().length === 2);
  }, 120_000);

  afterAll(async () => {
    await t?.dispose();
    await Promise.all([scripted?.stop(), endless?.stop()]);
  });

  const modelOf = (server: LlamaServer): string => {
    const id = t.host.services.servers.modelInfos().find((model) => model.server?.id === server.url)?.id;
    if (id === undefined) throw new Error(`no model listed for ${server.url}`);
    return id;
  };
  const deltasOf = (jobId: string): string =>
    t.events
      .filter((e) => e.event === 'chat.delta' && e.payload.jobId === jobId)
      .map((e) => (e.payload as EventPayloads['chat.delta']).text)
      .join('');

  test('models.list names each server model with its server; the answer streams with the exact text and its statistics', async () => {
    const listed = ok<{ id: string; server?: { name: string } }[]>(await t.host.call('models.list', {}));
    const listedScripted = listed.find((model) => model.id === modelOf(scripted)) as { name: string; server?: { name: string } } | undefined;
    expect(listedScripted?.server?.name).toBe(`127.0.0.1:${scripted.port}`);
    // llama-server names a model by the path it was given; the list shows the file's name.
    expect(listedScripted?.name).toBe('enclave-scripted.gguf');
    const jobId = newJobId();
    ok(await t.host.call('chat.generate', { jobId, modelId: modelOf(scripted), messages: [{ role: 'user', content: 'Bonjour' }], sampling: { temperature: 0 } }));
    const done = await t.waitFor('chat.done', (payload) => payload.jobId === jobId);
    expect(done.text).toBe(SCRIPTED_REPLY);
    expect(deltasOf(jobId)).toBe(SCRIPTED_REPLY);
    expect(done.stats).toMatchObject({ modelId: modelOf(scripted), stopReason: 'eogToken' });
    expect(done.stats.tokens).toBeGreaterThanOrEqual(9);
    expect(done.stats.promptTokens).toBeGreaterThan(0);
    expect(done.stats.timeToFirstTokenMs).not.toBeNull();
    const entries = (await t.host.services.egress.entries()).filter((entry) => entry.url.endsWith('/v1/chat/completions') && entry.host === `127.0.0.1:${scripted.port}`);
    expect(entries.map((entry) => entry.outcome)).toEqual(['allowed', 'completed']);
    expect(entries[1]).toMatchObject({ purpose: 'server', model: modelOf(scripted).split('#')[1] });
    expect(entries[1]?.bytesSent).toBeGreaterThan(0);
    expect(entries[1]?.bytesReceived).toBeGreaterThan(SCRIPTED_REPLY.length);
    expect(JSON.stringify(entries)).not.toContain('Bonjour');
  });

  test('stop aborts the request: the answer ends as stopped with the text so far', async () => {
    const jobId = newJobId();
    ok(await t.host.call('chat.generate', { jobId, modelId: modelOf(endless), messages: [{ role: 'user', content: 'Count' }] }));
    await t.waitFor('chat.delta', (payload) => payload.jobId === jobId);
    ok(await t.host.call('chat.stop', { jobId }));
    const done = await t.waitFor('chat.done', (payload) => payload.jobId === jobId);
    expect(done.stats.stopReason).toBe('abort');
    expect(done.text.length).toBeGreaterThan(0);
    expect(endlessText(200).startsWith(done.text)).toBe(true);
    const last = (await t.host.services.egress.entries()).filter((entry) => entry.host === `127.0.0.1:${endless.port}`).at(-1);
    expect(last?.outcome).toBe('cancelled');
  });

  test('the server killed mid-answer: SERVER_UNREACHABLE, the answer saved as cut by an error with its text, and a local model answers right after', async () => {
    const models = await ensureFixtureModels();
    const doomed = await startLlamaServer({ model: models.endless });
    const other = await createTestHost([models.scripted], { ENCLAVE_SERVERS: doomed.url });
    try {
      await other.waitFor('servers.changed', () => other.host.services.servers.modelInfos().length === 1);
      const modelId = other.host.services.servers.modelInfos()[0]?.id ?? '';
      const jobId = newJobId();
      const saved = ok<{ saved: { conversationId: string } }>(await other.host.call('chat.generate', { jobId, modelId, conversation: { id: null, parentId: null, content: 'Count' } }));
      await other.waitFor('chat.delta', (payload) => payload.jobId === jobId);
      await doomed.kill();
      const failed = await other.waitFor('chat.error', (payload) => payload.jobId === jobId);
      expect(failed.error.code).toBe('SERVER_UNREACHABLE');
      type Messages = { messages: { id: string; role: string; content: string; state: string; modelId: string | null }[] };
      const conversationId = saved.saved.conversationId;
      const answer = ok<Messages>(await other.host.call('conversations.get', { id: conversationId })).messages.find((message) => message.role === 'assistant');
      // The state a local engine crash leaves ('interrupted' means cut by the app's own exit); its note names the server.
      expect(answer?.state).toBe('error');
      expect(answer?.modelId).toBe(modelId);
      expect(answer?.content.length).toBeGreaterThan(0);
      expect(endlessText(500).startsWith(answer?.content ?? '')).toBe(true);

      // The app keeps working: a local model answers in the same conversation.
      const local = other.host.services.library.list()[0]?.id ?? '';
      const question = ok<Messages>(await other.host.call('conversations.get', { id: conversationId })).messages.find((message) => message.role === 'user');
      const localJob = newJobId();
      ok(await other.host.call('chat.generate', { jobId: localJob, modelId: local, conversation: { id: conversationId, parentId: question?.id ?? null } }));
      const done = await other.waitFor('chat.done', (payload) => payload.jobId === localJob, 60_000);
      expect(done.text).toBe(SCRIPTED_REPLY);
      const answers = ok<Messages>(await other.host.call('conversations.get', { id: conversationId })).messages.filter((message) => message.role === 'assistant');
      expect(answers.map((message) => [message.modelId, message.state])).toContainEqual([local, 'done']);
    } finally {
      await other.dispose();
      await doomed.stop();
    }
  }, 90_000);

  test('a stream that stalls (the server paused) ends as SERVER_TIMEOUT', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'enclave-stall-'));
    const paused = await startLlamaServer({ model: (await ensureFixtureModels()).endless });
    const gate = new EgressGate({ logFile: join(dir, 'egress.jsonl'), allowedHosts: () => [], serverHosts: () => [`127.0.0.1:${paused.port}`], offline: () => false });
    const connection = { baseUrl: paused.url, name: `127.0.0.1:${paused.port}`, apiKey: null, dispatcher: serverAgent(gate, null), openDispatcher: () => serverAgent(gate, null) };
    const chat = new ServerChat(connection, gate, { stallMs: 500, tries: 1, maxRetryWaitMs: 0 });
    const messages: JobMessage[] = [];
    try {
      const ended = new Promise<JobMessage>((resolve) => {
        void chat.generate({ jobId: 'stall', modelId: 'stall', serverModel: 'any', messages: [{ role: 'user', content: 'Count' }], sampling: {} }, (message) => {
          messages.push(message);
          if (message.type === 'delta' && messages.length === 1) paused.child.kill('SIGSTOP');
          if (message.type === 'error' || message.type === 'done') resolve(message);
        });
      });
      const end = await ended;
      expect(end).toMatchObject({ type: 'error', error: { code: 'SERVER_TIMEOUT' } });
      expect((await gate.entries()).at(-1)?.outcome).toBe('failed');
    } finally {
      paused.child.kill('SIGCONT');
      await paused.stop();
      await connection.dispatcher.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(missing !== null)('a server that asks for a key', () => {
  let keyed: LlamaServer;
  let t: TestHost;

  beforeAll(async () => {
    keyed = await startLlamaServer({ model: (await ensureFixtureModels()).scripted, apiKey: 'sk-right' });
    t = await createTestHost();
  }, 60_000);

  afterAll(async () => {
    await t?.dispose();
    await keyed?.stop();
  });

  test('a wrong key fails the answer with SERVER_UNAUTHORIZED', async () => {
    ok(await t.host.call('servers.add', { baseUrl: keyed.url, apiKey: 'sk-wrong' }));
    const jobId = newJobId();
    ok(await t.host.call('chat.generate', { jobId, modelId: serverModelId(keyed.url, 'enclave-scripted.gguf'), messages: [{ role: 'user', content: 'Bonjour' }] }));
    const failed = await t.waitFor('chat.error', (payload) => payload.jobId === jobId);
    expect(failed.error.code).toBe('SERVER_UNAUTHORIZED');
  });

  test('where an answer was computed stays known once its server is removed', async () => {
    for (const server of t.host.services.servers.list()) ok(await t.host.call('servers.remove', { id: server.id }));
    ok(await t.host.call('servers.add', { baseUrl: keyed.url, apiKey: 'sk-right' }));
    const modelId = serverModelId(keyed.url, 'enclave-scripted.gguf');
    const jobId = newJobId();
    const saved = ok<{ saved: { conversationId: string } }>(await t.host.call('chat.generate', { jobId, modelId, conversation: { id: null, parentId: null, content: 'Bonjour' } }));
    await t.waitFor('chat.done', (payload) => payload.jobId === jobId);
    ok(await t.host.call('servers.remove', { id: keyed.url }));

    const conversation = ok<{ messages: { role: string; modelId: string | null }[] }>(await t.host.call('conversations.get', { id: saved.saved.conversationId }));
    const answerModel = conversation.messages.find((message) => message.role === 'assistant')?.modelId ?? '';
    expect(answerOrigin(answerModel)).toEqual({ where: 'server', server: `127.0.0.1:${keyed.port}`, baseUrl: keyed.url });
    expect(ok(await t.host.call('privacy.answerOrigins', {}))).toEqual([{ where: 'server', server: `127.0.0.1:${keyed.port}`, baseUrl: keyed.url, answers: 1 }]);
  });
});

describe.skipIf(missing !== null)('a server with two slots', () => {
  let twoSlots: LlamaServer;
  let t: TestHost;

  beforeAll(async () => {
    twoSlots = await startLlamaServer({ model: (await ensureFixtureModels()).endless, parallel: 2 });
    t = await createTestHost([], { ENCLAVE_SERVERS: twoSlots.url });
    await t.waitFor('servers.changed', () => t.host.services.servers.modelInfos().length === 1);
  }, 60_000);

  afterAll(async () => {
    await t?.dispose();
    await twoSlots?.stop();
  });

  test('its capacity is read from the server (/props total_slots): two answers at once, the third waits its turn', async () => {
    const tested = ok<{ capacity: number; capacityReported: boolean }>(await t.host.call('servers.test', { id: twoSlots.url }));
    expect(tested).toMatchObject({ capacity: 2, capacityReported: true });
    const modelId = t.host.services.servers.modelInfos()[0]?.id ?? '';
    const { chat } = t.host.services;
    const jobIds: string[] = [];
    for (const requestId of ['a', 'b', 'c']) {
      const { jobId } = await chat.generate({ modelId, messages: [{ role: 'user', content: 'Count' }] }, undefined, { kind: 'api', requestId });
      jobIds.push(jobId);
    }
    const [first, second, third] = jobIds as [string, string, string];
    await Promise.all([t.waitFor('chat.delta', (payload) => payload.jobId === first), t.waitFor('chat.delta', (payload) => payload.jobId === second)]);
    expect(await t.waitFor('chat.queued', (payload) => payload.jobId === third)).toMatchObject({ position: 1 });
    expect(
      chat
        .queue()
        .running.map((job) => job.jobId)
        .sort(),
    ).toEqual([first, second].sort());
    expect(t.events.some((event) => event.event === 'chat.delta' && event.payload.jobId === third)).toBe(false);

    // One ends: the third takes its slot.
    chat.stop(first);
    await t.waitFor('chat.delta', (payload) => payload.jobId === third);
    for (const jobId of [second, third]) chat.stop(jobId);
    await Promise.all([second, third].map((jobId) => t.waitFor('chat.done', (payload) => payload.jobId === jobId)));
  }, 60_000);
});

/**
 * The fixture reasoning model's own template never mentions `</think>`, so llama-server does not
 * take it for a reasoning format: it then treats `<think>` as a control token and drops it. Real
 * DeepSeek-R1 templates strip the reasoning from earlier answers with `</think>`, which is how
 * llama-server recognises them; this is the fixture's template with that line, the prompt it
 * renders unchanged.
 */
const R1_TEMPLATE =
  "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'system' %}{{ message['content'] }}" +
  "{% elif message['role'] == 'user' %}{{ '<｜User｜>' + message['content'] }}" +
  "{% elif message['role'] == 'assistant' %}{% set content = message['content'] %}{% if '</think>' in content %}{% set content = content.split('</think>')[-1] %}{% endif %}" +
  "{{ '<｜Assistant｜>' + content + '<｜end▁of▁sentence｜>' }}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<｜Assistant｜>' }}{% endif %}";

describe.skipIf(missing !== null)('a reasoning model on a server', () => {
  let dir: string;
  let reasoning: LlamaServer;
  let t: TestHost;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'enclave-r1-'));
    const template = join(dir, 'r1.jinja');
    await writeFile(template, R1_TEMPLATE);
    reasoning = await startLlamaServer({ model: (await ensureFixtureModels()).reasoning, chatTemplateFile: template });
    t = await createTestHost([], { ENCLAVE_SERVERS: reasoning.url });
    await t.waitFor('servers.changed', () => t.host.services.servers.modelInfos().length === 1);
  }, 60_000);

  afterAll(async () => {
    await t?.dispose();
    await reasoning?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('reasoning_content streams as the thought segment, apart from the answer, and is saved with it', async () => {
    const modelId = t.host.services.servers.modelInfos()[0]?.id ?? '';
    const jobId = newJobId();
    const saved = ok<{ saved: { conversationId: string } }>(await t.host.call('chat.generate', { jobId, modelId, conversation: { id: null, parentId: null, content: 'Plan my week' } }));
    const done = await t.waitFor('chat.done', (payload) => payload.jobId === jobId);
    expect(done.reasoning).toBe(REASONING_THOUGHT);
    expect(done.text).toBe(REASONING_ANSWER);
    const thoughts = t.events.filter((e) => e.event === 'chat.thought' && e.payload.jobId === jobId).map((e) => (e.payload as EventPayloads['chat.thought']).text);
    expect(thoughts.join('')).toBe(REASONING_THOUGHT);
    expect(deltasOf(jobId)).toBe(REASONING_ANSWER);
    expect(done.stats.reasoningMs).toBeGreaterThanOrEqual(0);
    const conversation = ok<{ messages: { role: string; content: string; reasoning: string | null }[] }>(await t.host.call('conversations.get', { id: saved.saved.conversationId }));
    expect(conversation.messages.find((message) => message.role === 'assistant')).toMatchObject({ content: REASONING_ANSWER, reasoning: REASONING_THOUGHT });
  });

  const deltasOf = (jobId: string): string =>
    t.events
      .filter((e) => e.event === 'chat.delta' && e.payload.jobId === jobId)
      .map((e) => (e.payload as EventPayloads['chat.delta']).text)
      .join('');
});
