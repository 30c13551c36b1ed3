/** Conversations through the real Host: real engine on the fixture models, real database file. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CommandName } from '#shared/contract.ts';
import type { Conversation } from '#shared/conversations.ts';
import { ensureFixtureModels, SCRIPTED_REPLY } from '../../../fixtures/gguf/index.ts';
import { createTestHost, type TestHost } from '../../../support/test-host.ts';
import { newJobId } from '#shared/chat.ts';

let t: TestHost;
const SCRIPTED = 'enclave-scripted.gguf';
const ENDLESS = 'enclave-endless.gguf';

beforeAll(async () => {
  const models = await ensureFixtureModels();
  t = await createTestHost([models.scripted, models.endless], { ENCLAVE_THREADS: '1' });
});

afterAll(async () => {
  await t.dispose();
});

async function call<T>(command: CommandName, input: unknown): Promise<T> {
  const outcome = await t.host.call(command, input);
  if (!outcome.ok) throw Object.assign(new Error(outcome.error.message), outcome.error);
  return outcome.result as T;
}

async function answerIn(conversationId: string, parentId: string | null, content?: string): Promise<{ jobId: string }> {
  const { jobId } = await call<{ jobId: string }>('chat.generate', { jobId: newJobId(), modelId: SCRIPTED, conversation: { id: conversationId, parentId, ...(content !== undefined && { content }) } });
  await t.waitFor('chat.done', (p) => p.jobId === jobId);
  return { jobId };
}

describe('the default system prompt', () => {
  test('new conversations that set none get it, whether created alone or by their first question; their own prompt wins', async () => {
    await call('settings.update', { defaultSystemPrompt: 'Answer in French.' });
    try {
      expect((await call<Conversation>('conversations.create', {})).settings.systemPrompt).toBe('Answer in French.');
      expect((await call<Conversation>('conversations.create', { settings: { systemPrompt: 'Be terse.' } })).settings.systemPrompt).toBe('Be terse.');
      const { jobId, saved } = await call<{ jobId: string; saved: { conversationId: string } }>('chat.generate', {
        jobId: newJobId(),
        modelId: SCRIPTED,
        conversation: { id: null, parentId: null, content: 'Bonjour' },
      });
      await t.waitFor('chat.done', (p) => p.jobId === jobId);
      expect((await call<Conversation>('conversations.get', { id: saved.conversationId })).settings.systemPrompt).toBe('Answer in French.');
    } finally {
      await call('settings.update', { defaultSystemPrompt: '' });
    }
    expect((await call<Conversation>('conversations.create', {})).settings.systemPrompt).toBe('');
  });
});

describe('generation in a conversation', () => {
  test('saves the question and the answer with its stats, and titles the conversation', async () => {
    const created = await call<Conversation>('conversations.create', {});
    await answerIn(created.id, null, 'Hello there, who are you?');
    const conversation = await call<Conversation>('conversations.get', { id: created.id });
    expect(conversation.title).toBe('Hello there, who are you?');
    expect(conversation.messages.map((m) => [m.role, m.content, m.state])).toEqual([
      ['user', 'Hello there, who are you?', 'done'],
      ['assistant', SCRIPTED_REPLY, 'done'],
    ]);
    expect(conversation.messages[1]?.stats?.tokens).toBe(9);
    expect(conversation.messages[1]?.modelId).toBe(SCRIPTED);
    expect(conversation.settings.modelId).toBe(SCRIPTED);
    const hits = await call<{ conversationId: string }[]>('conversations.search', { query: 'scripted' });
    expect(hits.map((h) => h.conversationId)).toContain(created.id);
  });

  test('a first question with no conversation id creates the conversation', async () => {
    const { jobId, saved } = await call<{ jobId: string; saved: { conversationId: string } }>('chat.generate', {
      jobId: newJobId(),
      modelId: SCRIPTED,
      conversation: { id: null, parentId: null, content: 'Start a new one' },
    });
    await t.waitFor('chat.done', (p) => p.jobId === jobId);
    const conversation = await call<Conversation>('conversations.get', { id: saved.conversationId });
    expect(conversation.messages.map((m) => m.content)).toEqual(['Start a new one', SCRIPTED_REPLY]);
    await expect(call('chat.generate', { jobId: newJobId(), modelId: SCRIPTED, conversation: { id: null, parentId: 'x', content: 'y' } })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  test('regenerate keeps the first answer as an alternative; edit-and-resend starts a branch', async () => {
    const c = await call<Conversation>('conversations.create', { title: 'Branches' });
    await answerIn(c.id, null, 'First question');
    let conversation = await call<Conversation>('conversations.get', { id: c.id });
    const question = conversation.messages[0];
    if (question === undefined) throw new Error('no question saved');
    await answerIn(c.id, question.id);
    conversation = await call<Conversation>('conversations.get', { id: c.id });
    expect(conversation.messages).toHaveLength(2);
    expect(conversation.messages[1]?.siblingIds).toHaveLength(2);
    // Edit: the new question is a sibling of the first.
    await answerIn(c.id, null, 'First question, edited');
    conversation = await call<Conversation>('conversations.get', { id: c.id });
    expect(conversation.messages.map((m) => m.content)).toEqual(['First question, edited', SCRIPTED_REPLY]);
    expect(conversation.messages[0]?.siblingIds).toEqual([question.id, conversation.messages[0]?.id]);
    conversation = await call<Conversation>('conversations.selectBranch', { id: c.id, messageId: question.id });
    expect(conversation.messages[0]?.content).toBe('First question');
    expect(conversation.messageCount).toBe(5);
  });

  test('a stopped answer is saved as stopped with the text it had', async () => {
    const c = await call<Conversation>('conversations.create', {});
    const { jobId } = await call<{ jobId: string }>('chat.generate', { jobId: newJobId(), modelId: ENDLESS, conversation: { id: c.id, parentId: null, content: 'Count' } });
    await t.waitFor('chat.delta', (p) => p.jobId === jobId);
    await call('chat.stop', { jobId });
    const done = await t.waitFor('chat.done', (p) => p.jobId === jobId);
    const answer = (await call<Conversation>('conversations.get', { id: c.id })).messages[1];
    expect(answer?.state).toBe('stopped');
    expect(answer?.content).toBe(done.text);
    expect(answer?.content.length).toBeGreaterThan(0);
  });

  test('refusals save nothing: unknown model, busy engine, regenerate without a question', async () => {
    const c = await call<Conversation>('conversations.create', {});
    await expect(call('chat.generate', { jobId: newJobId(), modelId: 'missing.gguf', conversation: { id: c.id, parentId: null, content: 'x' } })).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    await expect(call('chat.generate', { jobId: newJobId(), modelId: SCRIPTED, conversation: { id: c.id, parentId: null } })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(
      call('chat.generate', { jobId: newJobId(), modelId: SCRIPTED, messages: [{ role: 'user', content: 'x' }], conversation: { id: c.id, parentId: null, content: 'x' } }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const { jobId } = await call<{ jobId: string }>('chat.generate', { jobId: newJobId(), modelId: ENDLESS, messages: [{ role: 'user', content: 'go' }] });
    await expect(call('chat.generate', { jobId: newJobId(), modelId: SCRIPTED, conversation: { id: c.id, parentId: null, content: 'while busy' } })).rejects.toMatchObject({ code: 'BUSY' });
    await t.waitFor('chat.delta', (p) => p.jobId === jobId);
    await call('chat.stop', { jobId });
    await t.waitFor('chat.done', (p) => p.jobId === jobId);
    expect((await call<Conversation>('conversations.get', { id: c.id })).messageCount).toBe(0);
    await expect(call('conversations.get', { id: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  test('the stateless form of chat.generate still works', async () => {
    const { jobId } = await call<{ jobId: string }>('chat.generate', { jobId: newJobId(), modelId: SCRIPTED, messages: [{ role: 'user', content: 'Hi' }] });
    expect((await t.waitFor('chat.done', (p) => p.jobId === jobId)).text).toBe(SCRIPTED_REPLY);
  });
});
