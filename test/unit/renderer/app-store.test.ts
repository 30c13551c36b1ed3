import { describe, expect, it } from 'vitest';
import type { GenerationStats } from '#shared/chat.ts';
import { EnclaveError } from '#shared/errors.ts';
import type { EngineStatus, ModelInfo } from '#shared/models.ts';
import { createAppStore } from '../../../renderer/src/state/app-store.ts';
import { selectCanSend } from '../../../renderer/src/state/slices/chat.ts';
import { OPEN_CONVERSATION_KEY } from '../../../renderer/src/state/slices/chat-open-conversation.ts';
import { SELECTED_MODEL_KEY, selectSelectedModel } from '../../../renderer/src/state/slices/models.ts';
import type { StoredMessage } from '#shared/chat.ts';
import { fakeTransport, memoryStorage, tick } from './fake-transport.ts';

function model(id: string, problem: ModelInfo['problem'] = null): ModelInfo {
  return {
    id,
    name: id.replace('.gguf', ''),
    fileName: id,
    sizeBytes: 1_000_000,
    architecture: 'llama',
    parameterCount: 1_000_000,
    quantization: 'Q8_0',
    contextLength: 4096,
    hasChatTemplate: true,
    problem,
  };
}

const engine: EngineStatus = { state: 'idle', backend: 'cpu', build: 'prebuilt', threads: 4, loaded: [] };

function stats(overrides: Partial<GenerationStats> = {}): GenerationStats {
  return {
    modelId: 'a.gguf',
    tokens: 3,
    promptTokens: 10,
    timeToFirstTokenMs: 120,
    tokensPerSecond: 12.5,
    durationMs: 400,
    stopReason: 'eogToken',
    ...overrides,
  };
}

function stored(id: string, parentId: string | null, role: 'user' | 'assistant'): StoredMessage {
  return { id, conversationId: 'c1', parentId, role, content: '', state: role === 'user' ? 'done' : 'generating', modelId: null, stats: null, reasoning: null, createdAt: 0 };
}

/** A started store with models a.gguf (usable), b.gguf (usable), bad.gguf (problem), a.gguf selected. */
async function started(storage = memoryStorage()) {
  const fake = fakeTransport();
  const store = createAppStore(fake.transport, { storage });
  store.actions.start();
  fake.answer('app.info', { version: '0.1.0', host: 'web', modelsDir: '/m', dataDir: '/d' });
  fake.answer('models.list', [model('a.gguf'), model('b.gguf'), model('bad.gguf', { code: 'NOT_GGUF', message: 'not a readable GGUF file' })]);
  fake.answer('engine.status', engine);
  await tick();
  store.actions.models.selectModel('a.gguf');
  return { fake, store, storage };
}

describe('app store', () => {
  it('loads app info, models and engine status on start', async () => {
    const { store } = await started();
    const s = store.getState();
    expect(s.host.info?.modelsDir).toBe('/m');
    expect(s.models.list.map((m) => m.id)).toEqual(['a.gguf', 'b.gguf', 'bad.gguf']);
    expect(s.models.loaded).toBe(true);
    expect(s.host.engine).toEqual(engine);
    expect(s.models.selectedId).toBe('a.gguf');
  });

  it('refuses to select a model with a problem, and remembers the choice', async () => {
    const { store, storage } = await started();
    store.actions.models.selectModel('bad.gguf');
    expect(store.getState().models.selectedId).toBe('a.gguf');
    store.actions.models.selectModel('b.gguf');
    expect(storage.data.get(SELECTED_MODEL_KEY)).toBe('b.gguf');
  });

  it('restores the remembered model, and drops a selection that a rescan removed', async () => {
    const fake = fakeTransport();
    const store = createAppStore(fake.transport, { storage: memoryStorage({ [SELECTED_MODEL_KEY]: 'b.gguf' }) });
    store.actions.start();
    fake.answer('models.list', [model('a.gguf'), model('b.gguf')]);
    await tick();
    expect(store.getState().models.selectedId).toBe('b.gguf');

    const rescan = store.actions.models.rescan();
    expect(store.getState().models.rescanning).toBe(true);
    fake.answer('models.rescan', [model('a.gguf'), model('b.gguf', { code: 'TRUNCATED', message: 'the file is truncated' })]);
    await rescan;
    expect(store.getState().models.rescanning).toBe(false);
    expect(store.getState().models.selectedId).toBeNull();
  });

  it('names the model that will answer when none is chosen: the loaded one, else the only usable one', async () => {
    const fake = fakeTransport();
    const store = createAppStore(fake.transport, { storage: memoryStorage() });
    store.actions.start();
    fake.answer('models.list', [model('a.gguf'), model('b.gguf')]);
    fake.answer('engine.status', { ...engine, loaded: [{ modelId: 'b.gguf', contextSize: 4096 }] });
    await tick();
    expect(store.getState().models.selectedId).toBeNull();
    expect(selectSelectedModel(store.getState())?.id).toBe('b.gguf');

    const alone = fakeTransport();
    const single = createAppStore(alone.transport, { storage: memoryStorage() });
    single.actions.start();
    alone.answer('models.list', [model('a.gguf'), model('bad.gguf', { code: 'NOT_GGUF', message: 'not a readable GGUF file' })]);
    alone.answer('engine.status', engine);
    await tick();
    expect(selectSelectedModel(single.getState())?.id).toBe('a.gguf');
  });

  it('streams an answer in a new conversation: generate, append deltas, finish with stats', async () => {
    const { fake, store, storage } = await started();
    store.actions.chat.setDraft('  Bonjour  ');
    expect(selectCanSend(store.getState())).toBe(true);

    const sending = store.actions.chat.send();
    const s1 = store.getState();
    expect(s1.chat.draft).toBe('');
    expect(s1.chat.messages.map((m) => [m.role, m.content])).toEqual([['user', 'Bonjour']]);
    expect(s1.chat.job).toMatchObject({ text: '', modelId: 'a.gguf' });
    expect(s1.chat.job?.id).toBe(fake.jobIdSent());
    expect(selectCanSend({ ...s1, chat: { ...s1.chat, draft: 'again' } })).toBe(false);
    // A new conversation: the host creates it with the question and builds the history itself.
    expect(fake.pending('chat.generate')[0]?.input).toEqual({
      jobId: expect.stringMatching(/^[A-Za-z0-9_-]{16,64}$/),
      modelId: 'a.gguf',
      conversation: { id: null, parentId: null, content: 'Bonjour' },
    });

    const j1 = fake.jobIdSent();

    fake.answer('chat.generate', {
      jobId: j1,
      saved: { conversationId: 'c1', question: stored('q1', null, 'user'), answer: stored('a1', 'q1', 'assistant') },
    });
    await sending;
    expect(store.getState().chat.job?.id).toBe(j1);

    const before = store.getState().chat.messages;
    fake.emit('chat.loaded', { jobId: j1, modelId: 'a.gguf', loadMs: 850 });
    fake.emit('chat.delta', { jobId: j1, text: 'Salut' });
    fake.emit('chat.delta', { jobId: 'other', text: 'not mine' });
    fake.emit('chat.delta', { jobId: j1, text: ' !' });
    expect(store.getState().chat.job?.text).toBe('Salut !');
    expect(store.getState().chat.job?.loadMs).toBe(850);
    // Streaming leaves the finished messages untouched (same array), so they do not re-render.
    expect(store.getState().chat.messages).toBe(before);

    fake.emit('chat.done', { jobId: j1, text: 'Salut !', reasoning: '', stats: stats() });
    const s2 = store.getState();
    expect(s2.chat.job).toBeNull();
    expect(s2.chat.conversation?.id).toBe('c1');
    expect(storage.data.get(OPEN_CONVERSATION_KEY)).toBe('c1');
    expect(s2.chat.messages.map((m) => [m.id, m.parentId, m.siblingIds])).toEqual([
      ['q1', null, ['q1']],
      ['a1', 'q1', ['a1']],
    ]);
    expect(s2.chat.messages.at(-1)).toMatchObject({
      role: 'assistant',
      content: 'Salut !',
      modelId: 'a.gguf',
      loadMs: 850,
      state: 'done',
      stats: stats(),
    });

    // The next turn follows the last answer in the same conversation.
    void store.actions.chat.send('Et toi ?');
    expect(fake.pending('chat.generate')[0]?.input).toEqual({
      jobId: expect.not.stringMatching(j1),
      modelId: 'a.gguf',
      conversation: { id: 'c1', parentId: 'a1', content: 'Et toi ?' },
    });
  });

  it('regenerates beside the earlier answer, and edits a question as a new branch', async () => {
    const { fake, store } = await started();
    const sending = store.actions.chat.send('Q');
    const j1 = fake.jobIdSent();
    fake.answer('chat.generate', { jobId: j1, saved: { conversationId: 'c1', question: stored('q1', null, 'user'), answer: stored('a1', 'q1', 'assistant') } });
    await sending;
    fake.emit('chat.done', { jobId: j1, text: 'A', reasoning: '', stats: stats() });

    const again = store.actions.chat.regenerate('a1');
    expect(store.getState().chat.messages.map((m) => m.id)).toEqual(['q1']);
    expect(fake.pending('chat.generate')[0]?.input).toEqual({ jobId: expect.any(String), modelId: 'a.gguf', conversation: { id: 'c1', parentId: 'q1' } });
    const j2 = fake.jobIdSent();
    fake.answer('chat.generate', { jobId: j2, saved: { conversationId: 'c1', question: null, answer: stored('a2', 'q1', 'assistant') } });
    await again;
    fake.emit('chat.done', { jobId: j2, text: 'B', reasoning: '', stats: stats() });
    expect(store.getState().chat.messages.at(-1)).toMatchObject({ id: 'a2', content: 'B', siblingIds: ['a1', 'a2'] });

    const edit = store.actions.chat.editAndResend('q1', 'Q edited');
    expect(fake.pending('chat.generate')[0]?.input).toEqual({ jobId: expect.any(String), modelId: 'a.gguf', conversation: { id: 'c1', parentId: null, content: 'Q edited' } });
    const j3 = fake.jobIdSent();
    fake.answer('chat.generate', { jobId: j3, saved: { conversationId: 'c1', question: stored('q2', null, 'user'), answer: stored('a3', 'q2', 'assistant') } });
    await edit;
    expect(store.getState().chat.messages.map((m) => [m.id, m.siblingIds])).toEqual([['q2', ['q1', 'q2']]]);
  });

  it('follows events that arrive before chat.generate answers, by the id it chose', async () => {
    const { fake, store } = await started();
    const sending = store.actions.chat.send('Hi');
    const j9 = fake.jobIdSent();
    fake.emit('chat.delta', { jobId: j9, text: 'He' });
    fake.emit('chat.delta', { jobId: 'someone-else', text: 'xx' });
    fake.emit('chat.delta', { jobId: j9, text: 'llo' });
    expect(store.getState().chat.job?.text).toBe('Hello');
    fake.answer('chat.generate', { jobId: j9 });
    await sending;
    expect(store.getState().chat.job?.text).toBe('Hello');
  });

  it('stops the job at once, and again once chat.generate has answered', async () => {
    const { fake, store } = await started();
    const sending = store.actions.chat.send('Long story please');
    const j2 = fake.jobIdSent();
    const stopping = store.actions.chat.stop();
    expect(store.getState().chat.job?.stopRequested).toBe(true);
    expect(fake.pending('chat.stop')[0]?.input).toEqual({ jobId: j2 });
    fake.answer('chat.stop', { stopped: false });
    await stopping;

    fake.answer('chat.generate', { jobId: j2 });
    await tick();
    expect(fake.pending('chat.stop')[0]?.input).toEqual({ jobId: j2 });
    fake.answer('chat.stop', { stopped: true });
    await sending;

    fake.emit('chat.done', { jobId: j2, text: 'Once', reasoning: '', stats: stats({ stopReason: 'abort' }) });
    expect(store.getState().chat.messages.at(-1)).toMatchObject({ role: 'assistant', content: 'Once', state: 'stopped' });
  });

  it('rolls back a turn that failed before any text, returning the question to the composer', async () => {
    const { fake, store } = await started();
    const sending = store.actions.chat.send('Question');
    fake.fail('chat.generate', new EnclaveError('BUSY', 'another job is running'));
    expect(await sending).toBe(false);
    const s = store.getState();
    expect(s.chat.messages).toEqual([]);
    expect(s.chat.draft).toBe('Question');
    expect(s.chat.job).toBeNull();
    expect(s.error.shown?.error).toEqual({ code: 'BUSY', message: 'another job is running' });

    store.actions.error.dismissError();
    expect(store.getState().error.shown).toBeNull();
  });

  it('keeps the partial answer when chat.error arrives mid-stream', async () => {
    const { fake, store } = await started();
    const sending = store.actions.chat.send('Question');
    const j3 = fake.jobIdSent();
    fake.answer('chat.generate', { jobId: j3 });
    await sending;
    fake.emit('chat.delta', { jobId: j3, text: 'Half an' });
    fake.emit('chat.error', { jobId: j3, error: { code: 'ENGINE_CRASHED', message: 'engine exited', details: { exitCode: 1 } } });
    const s = store.getState();
    expect(s.chat.job).toBeNull();
    expect(s.error.shown?.error.code).toBe('ENGINE_CRASHED');
    expect(s.chat.messages.map((m) => [m.role, m.content, m.state])).toEqual([
      ['user', 'Question', 'done'],
      ['assistant', 'Half an', 'error'],
    ]);
  });

  it('ends the job with ENGINE_UNAVAILABLE when the connection drops, and refreshes on reconnect', async () => {
    const { fake, store } = await started();
    const sending = store.actions.chat.send('Question');
    const j4 = fake.jobIdSent();
    fake.answer('chat.generate', { jobId: j4 });
    await sending;
    fake.emit('chat.delta', { jobId: j4, text: 'Part' });

    fake.setConnection('closed');
    expect(store.getState().host.connection).toBe('closed');
    expect(store.getState().chat.job).toBeNull();
    expect(store.getState().error.shown?.error.code).toBe('ENGINE_UNAVAILABLE');

    fake.setConnection('connecting');
    fake.setConnection('open');
    expect(store.getState().error.shown).toBeNull();
    expect(fake.pending('models.list')).toHaveLength(1);
    expect(fake.pending('engine.status')).toHaveLength(1);
  });

  it('updates the engine status from events', async () => {
    const { fake, store } = await started();
    fake.emit('engine.status', { ...engine, state: 'loading' });
    expect(store.getState().host.engine?.state).toBe('loading');
  });

  it('does nothing without a usable model, text, or while a job runs', async () => {
    const fake = fakeTransport();
    const store = createAppStore(fake.transport);
    expect(await store.actions.chat.send('hello')).toBe(false);
    expect(fake.pending('chat.generate')).toEqual([]);
  });

  it('new conversation clears messages and stops the running job', async () => {
    const { fake, store } = await started();
    const sending = store.actions.chat.send('Q');
    const j5 = fake.jobIdSent();
    fake.answer('chat.generate', { jobId: j5 });
    await sending;
    store.actions.chat.newConversation();
    expect(store.getState().chat.messages).toEqual([]);
    expect(store.getState().chat.job).toBeNull();
    expect(fake.pending('chat.stop')[0]?.input).toEqual({ jobId: j5 });
    fake.emit('chat.delta', { jobId: j5, text: 'late' });
    expect(store.getState().chat.job).toBeNull();
  });

  it('notifies subscribers only on change', async () => {
    const { store } = await started();
    let count = 0;
    const off = store.subscribe(() => count++);
    store.actions.chat.setDraft('a');
    store.actions.chat.setDraft('ab');
    off();
    store.actions.chat.setDraft('abc');
    expect(count).toBe(2);
  });
});

describe('documents in the chat', () => {
  it('sends the attached collections with the question; a grounded answer reads its sources once done; "not found" finishes without events', async () => {
    const { fake, store } = await started();
    store.actions.documents.setLocale('fr');
    store.actions.documents.setAttachment({ collectionIds: ['col-1'], only: true });

    const sending = store.actions.chat.send('Quel préavis ?');
    expect(fake.pending('chat.generate')[0]?.input).toMatchObject({
      conversation: { id: null, parentId: null, content: 'Quel préavis ?', documents: { collectionIds: ['col-1'], only: true, locale: 'fr' } },
    });
    const j1 = fake.jobIdSent();
    fake.answer('chat.generate', { jobId: j1, saved: { conversationId: 'c1', question: stored('q1', null, 'user'), answer: stored('a1', 'q1', 'assistant') } });
    await sending;
    fake.emit('chat.done', { jobId: j1, text: 'Trois mois [1].', reasoning: '', stats: stats() });
    const source = { n: 1, fileId: 'f1', fileName: 'contrat.pdf', page: 2, heading: '', passage: 'préavis de trois mois' };
    const answered = { ...stored('a1', 'q1', 'assistant'), content: 'Trois mois [1].', state: 'done' as const, sources: [source], siblingIds: ['a1'] };
    fake.answer('conversations.get', {
      id: 'c1',
      title: 'Quel préavis ?',
      pinned: false,
      source: 'local',
      createdAt: 0,
      updatedAt: 0,
      messageCount: 2,
      settings: { modelId: 'a.gguf', systemPrompt: '', sampling: {} },
      leafId: 'a1',
      messages: [{ ...stored('q1', null, 'user'), siblingIds: ['q1'] }, answered],
    });
    await tick();
    expect(store.getState().chat.messages.at(-1)?.sources).toEqual([source]);

    // Documents only, nothing found: the host answers at once, and no job event follows.
    const again = store.actions.chat.send('La couleur du logo ?');
    const j2 = fake.jobIdSent();
    const notFound = { ...stored('a2', 'q2', 'assistant'), content: 'Je ne trouve pas cela dans vos documents.', state: 'done' as const };
    fake.answer('chat.generate', { jobId: j2, saved: { conversationId: 'c1', question: stored('q2', 'a1', 'user'), answer: notFound } });
    await again;
    expect(store.getState().chat.job).toBeNull();
    expect(store.getState().chat.messages.at(-1)).toMatchObject({ id: 'a2', content: 'Je ne trouve pas cela dans vos documents.', state: 'done', stats: null });
  });
});
