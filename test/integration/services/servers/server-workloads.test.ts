/**
 * A server's model in the features beyond the chat, on a real Host against a real llama-server on
 * 127.0.0.1: the local API driven by the official `openai` client, a blind comparison of a local
 * model and the server's, and a prompt-set batch. The local model and the server's write different
 * known texts (the comparison's bigram fixtures), so each answer tells where it came from.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { type ClientOptions } from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CompareRun } from '#shared/compare.ts';
import type { CommandInput, CommandName, CommandResult } from '#shared/contract.ts';
import { serverModelId } from '#shared/servers.ts';
import { ALPHA, ALPHA_REPLY, BRAVO, BRAVO_REPLY, writeCompareModels } from '../../../support/compare-models.ts';
import { llamaServerMissing, startLlamaServer, type LlamaServer } from '../../../support/llama-server.ts';
import { directDispatcher, freePort } from '../../../support/loopback.ts';
import { createTestHost, type TestHost } from '../../../support/test-host.ts';

const missing = llamaServerMissing();
if (missing !== null) console.warn(`server-workloads.test.ts: skipped: ${missing}`);

describe.skipIf(missing !== null)('a server model in the local API, a blind comparison and a batch', () => {
  let serverModels: string;
  let bravoServer: LlamaServer;
  let t: TestHost;
  let remote: string;

  async function call<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandResult<C>> {
    const outcome = await t.host.call(command, input);
    if (!outcome.ok) throw new Error(`${command}: ${outcome.error.code} ${outcome.error.message}`);
    return outcome.result as CommandResult<C>;
  }

  async function finished(id: string): Promise<CompareRun> {
    await t.host.services.compare.runner.idle();
    return call('compare.get', { id });
  }

  beforeAll(async () => {
    // Bravo is served by llama-server; Alpha is a local file of the host.
    serverModels = await mkdtemp(join(tmpdir(), 'enclave-served-'));
    await writeCompareModels(serverModels);
    bravoServer = await startLlamaServer({ model: join(serverModels, BRAVO.file) });
    t = await createTestHost([join(serverModels, ALPHA.file)], { ENCLAVE_THREADS: '1', ENCLAVE_SERVERS: bravoServer.url });
    await t.waitFor('servers.changed', () => t.host.services.servers.modelInfos().length === 1);
    remote = t.host.services.servers.modelInfos()[0]?.id ?? '';
    expect(remote).toBe(serverModelId(bravoServer.url, join(serverModels, BRAVO.file)));
  }, 60_000);

  afterAll(async () => {
    await t?.dispose();
    await bravoServer?.stop();
    await directDispatcher.close();
    await rm(serverModels, { recursive: true, force: true });
  });

  test('the local API (official openai client) lists the server model and answers with it, streamed and not', async () => {
    const port = await freePort();
    await call('settings.update', { apiEnabled: true, apiPort: port });
    await t.host.services.api.apply();
    const baseURL = t.host.services.api.status().url ?? '';
    // Another program on this machine: it connects around the host's egress gate.
    const client = new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0, fetchOptions: { dispatcher: directDispatcher } as ClientOptions['fetchOptions'] });
    const listed = (await client.models.list()).data.map((model) => model.id);
    expect(listed).toContain(remote);
    expect(listed).toContain(ALPHA.file);
    // Its id holds the server's URL and a '#': the client escapes it in the path, the API reads it back.
    expect((await client.models.retrieve(remote)).id).toBe(remote);

    const completion = await client.chat.completions.create({ model: remote, messages: [{ role: 'user', content: 'Hello' }] });
    expect(completion.choices[0]?.message.content).toBe(BRAVO_REPLY);
    expect(completion.usage?.completion_tokens).toBeGreaterThanOrEqual(BRAVO.script.length);

    const stream = await client.chat.completions.create({ model: remote, messages: [{ role: 'user', content: 'Hello' }], stream: true });
    let streamed = '';
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
    expect(streamed).toBe(BRAVO_REPLY);
    // Each went to the server, in the egress log with its model.
    const answers = (await t.host.services.egress.entries()).filter((entry) => entry.url.endsWith('/v1/chat/completions') && entry.outcome === 'completed');
    expect(answers).toHaveLength(2);
    expect(answers.every((entry) => entry.host === `127.0.0.1:${bravoServer.port}` && entry.model === join(serverModels, BRAVO.file))).toBe(true);
  }, 60_000);

  test('a blind comparison of the local model and the server model: names withheld until the vote, then revealed', async () => {
    const run = await call('compare.start', { modelIds: [ALPHA.file, remote], prompt: 'Who is better?', blind: true });
    expect(run.columnList.map((column) => column.modelId)).toEqual([null, null]);
    const done = await finished(run.id);
    expect(done.answers.map((answer) => answer.state)).toEqual(['done', 'done']);
    expect(new Set(done.answers.map((answer) => answer.content))).toEqual(new Set([ALPHA_REPLY, BRAVO_REPLY]));
    expect(JSON.stringify(done)).not.toContain(bravoServer.url);
    const serverColumn = done.answers.find((answer) => answer.content === BRAVO_REPLY)?.column ?? -1;
    const revealed = await call('compare.vote', { id: run.id, turn: 0, vote: { winner: serverColumn } });
    expect(revealed.revealed).toBe(true);
    expect(revealed.columnList[serverColumn]?.modelId).toBe(remote);
  }, 60_000);

  test('a prompt-set batch answers every prompt with both models', async () => {
    const set = await call('compare.saveSet', {
      id: null,
      set: {
        name: 'with a server',
        language: 'en',
        prompts: [
          { prompt: 'First?', category: 'server' },
          { prompt: 'Second?', category: 'server' },
        ],
      },
    });
    const run = await call('compare.startBatch', { setId: set.id, modelIds: [ALPHA.file, remote] });
    const done = await finished(run.id);
    expect(done.answers).toHaveLength(4);
    for (const answer of done.answers) {
      expect(answer.state).toBe('done');
      expect(answer.content).toBe(done.columnList[answer.column]?.modelId === remote ? BRAVO_REPLY : ALPHA_REPLY);
    }
  }, 60_000);
});
