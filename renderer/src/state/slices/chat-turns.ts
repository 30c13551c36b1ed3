/**
 * Turns in the open conversation: a question sent (or an answer regenerated, or a question edited
 * as a new branch) and its answer streamed into `ChatState.job`. The job's id is chosen here before
 * `chat.generate` is sent (the host routes a job's events to the connection that named it), so its
 * first events are recognised.
 */
import type { EventPayloads } from '#shared/contract.ts';
import { newJobId, type GenerationStats } from '#shared/chat.ts';
import type { SavedTurn } from '#shared/chat.ts';
import { sliceSetter, type Slice, type SliceContext } from '../slice.ts';
import type { ActiveJob, ChatActions } from './chat-state.ts';
import type { ConversationCreation } from './chat-creation.ts';
import { OPEN_CONVERSATION_KEY } from './chat-open-conversation.ts';
import { LOCAL_ID_PREFIX, type ConversationMessage, type MessageState } from './chat-messages.ts';
import { withError } from './error.ts';
import { isUsable, selectSelectedModel } from './models.ts';
import { documentsForQuestion } from './documents.ts';

type JobEvent =
  | { event: 'chat.delta'; payload: EventPayloads['chat.delta'] }
  | { event: 'chat.thought'; payload: EventPayloads['chat.thought'] }
  | { event: 'chat.loaded'; payload: EventPayloads['chat.loaded'] }
  | { event: 'chat.done'; payload: EventPayloads['chat.done'] }
  | { event: 'chat.error'; payload: EventPayloads['chat.error'] };

/** `stats` null: answered by the host without a model (documents only, nothing found). */
type JobOutcome = { kind: 'done'; text: string; reasoning: string; stats: GenerationStats | null } | { kind: 'error'; error: unknown };

/** One generation: the path is cut to `keep` messages and the question (if any) added under `parentId` beside its alternatives `siblings`. */
interface Turn {
  /** null: regenerate, answering `parentId` again beside the answers `siblings`. */
  content: string | null;
  parentId: string | null;
  keep: number;
  siblings: readonly string[];
  clearDraft: boolean;
}

export type TurnActions = Pick<ChatActions, 'send' | 'stop' | 'regenerate' | 'editAndResend'>;

export function createTurns(ctx: SliceContext, creation: ConversationCreation): Slice<TurnActions> {
  const { api, storage, getState, setState } = ctx;
  const set = sliceSetter(ctx, 'chat');
  const showError = (error: unknown): void => ctx.actions().error.showError(error);
  const refreshConversations = (): Promise<void> => ctx.actions().conversations.refreshConversations();

  let messageSeq = 0;
  let jobSeq = 0;
  const newMessageId = (): string => `${LOCAL_ID_PREFIX}${++messageSeq}`;

  /** Updates the running job, if it is still `job`. */
  const updateJob = (job: ActiveJob, update: (current: ActiveJob) => ActiveJob): void => set((chat) => (chat.job?.seq === job.seq ? { ...chat, job: update(chat.job) } : chat));

  /**
   * Ends the running job. The answer becomes a message (the host saved it already); a turn the
   * host refused (nothing saved) is rolled back, its question returned to the composer.
   */
  function finishJob(job: ActiveJob, outcome: JobOutcome): void {
    setState((s) => {
      const current = s.chat.job;
      if (current?.seq !== job.seq) return s;
      const answer = (content: string, state: MessageState, stats: GenerationStats | null, reasoning: string = current.reasoning): ConversationMessage => {
        const id = current.answerId ?? newMessageId();
        return {
          id,
          parentId: current.questionId,
          siblingIds: [...current.answerSiblings, id],
          role: 'assistant',
          content,
          modelId: current.modelId,
          stats,
          reasoning: reasoning === '' ? null : reasoning,
          loadMs: current.loadMs,
          state,
          createdAt: Date.now(),
        };
      };
      if (outcome.kind === 'done') {
        // The final text is authoritative; the streamed one covers a host that sends it empty.
        const content = outcome.text !== '' ? outcome.text : current.text;
        const reasoning = outcome.reasoning !== '' ? outcome.reasoning : current.reasoning;
        const done = answer(content, outcome.stats?.stopReason === 'abort' ? 'stopped' : 'done', outcome.stats, reasoning);
        return { ...s, chat: { ...s.chat, job: null, messages: [...s.chat.messages, done] } };
      }
      const failed = withError(s, outcome.error);
      if (current.text !== '' || current.answerId !== null) {
        return { ...failed, chat: { ...s.chat, job: null, messages: [...s.chat.messages, answer(current.text, 'error', null)] } };
      }
      const last = s.chat.messages.at(-1);
      if (last?.role === 'user' && last.id.startsWith(LOCAL_ID_PREFIX)) {
        return { ...failed, chat: { ...s.chat, job: null, messages: s.chat.messages.slice(0, -1), draft: s.chat.draft === '' ? last.content : s.chat.draft } };
      }
      return { ...failed, chat: { ...s.chat, job: null } };
    });
    void refreshConversations();
    if (outcome.kind === 'done' && job.answerId !== null && getState().documents.attachment.collectionIds.length > 0) void loadSources(job.answerId);
  }

  /** A grounded answer's sources are chosen by the host when it saves the answer: read them from there. */
  async function loadSources(answerId: string): Promise<void> {
    const id = getState().chat.conversation?.id;
    if (id === undefined) return;
    try {
      const sources = (await api.call('conversations.get', { id })).messages.find((message) => message.id === answerId)?.sources;
      if (sources !== undefined) set((chat) => ({ ...chat, messages: chat.messages.map((message) => (message.id === answerId ? { ...message, sources } : message)) }));
    } catch (error) {
      showError(error);
    }
  }

  function handleJobEvent(e: JobEvent): void {
    const job = getState().chat.job;
    if (job === null) return;
    if (e.payload.jobId !== job.id) return;
    switch (e.event) {
      case 'chat.delta': {
        const text = e.payload.text;
        if (text === '') return;
        updateJob(job, (current) => ({ ...current, text: current.text + text }));
        return;
      }
      case 'chat.thought': {
        const text = e.payload.text;
        if (text === '') return;
        updateJob(job, (current) => ({ ...current, reasoning: current.reasoning + text }));
        return;
      }
      case 'chat.loaded': {
        const loadMs = e.payload.loadMs;
        updateJob(job, (current) => ({ ...current, loadMs }));
        return;
      }
      case 'chat.done':
        finishJob(job, { kind: 'done', text: e.payload.text, reasoning: e.payload.reasoning, stats: e.payload.stats });
        return;
      case 'chat.error':
        finishJob(job, { kind: 'error', error: e.payload.error });
        return;
      default: {
        const unreachable: never = e;
        throw new Error(`Unhandled job event: ${JSON.stringify(unreachable)}`);
      }
    }
  }

  async function send(text?: string): Promise<boolean> {
    const { chat } = getState();
    const question = (text ?? chat.draft).trim();
    if (question === '') return false;
    const parent = chat.messages.at(-1) ?? null;
    return startTurn({ content: question, parentId: parent?.id ?? null, keep: chat.messages.length, siblings: [], clearDraft: text === undefined });
  }

  async function editAndResend(messageId: string, text: string): Promise<boolean> {
    const { messages } = getState().chat;
    const index = messages.findIndex((m) => m.id === messageId);
    const message = messages[index];
    const content = text.trim();
    if (message?.role !== 'user' || content === '') return false;
    return startTurn({ content, parentId: message.parentId, keep: index, siblings: message.siblingIds, clearDraft: false });
  }

  async function regenerate(answerId: string): Promise<boolean> {
    const { messages } = getState().chat;
    const index = messages.findIndex((m) => m.id === answerId);
    const answer = messages[index];
    if (answer?.role !== 'assistant' || answer.parentId === null) return false;
    return startTurn({ content: null, parentId: answer.parentId, keep: index, siblings: answer.siblingIds, clearDraft: false });
  }

  /** One generation in the open conversation (or a new one), streamed into `job`. */
  async function startTurn(turn: Turn): Promise<boolean> {
    const s = getState();
    const model = selectSelectedModel(s);
    if (s.chat.job !== null || !isUsable(model)) return false;
    const question: ConversationMessage | null =
      turn.content === null
        ? null
        : {
            id: newMessageId(),
            parentId: turn.parentId,
            siblingIds: [...turn.siblings],
            role: 'user',
            content: turn.content,
            modelId: null,
            stats: null,
            reasoning: null,
            loadMs: null,
            state: 'done',
            createdAt: Date.now(),
          };
    const job: ActiveJob = {
      seq: ++jobSeq,
      id: newJobId(),
      modelId: model.id,
      text: '',
      reasoning: '',
      loadMs: null,
      stopRequested: false,
      questionId: turn.content === null ? turn.parentId : null,
      answerId: null,
      answerSiblings: turn.content === null ? turn.siblings : [],
    };
    setState((prev) => ({
      ...prev,
      chat: {
        ...prev.chat,
        messages: [...prev.chat.messages.slice(0, turn.keep), ...(question === null ? [] : [question])],
        draft: turn.clearDraft ? '' : prev.chat.draft,
        job,
      },
      error: { shown: null },
    }));

    const jobId = job.id;
    let saved: SavedTurn | undefined;
    try {
      // A new conversation may be being created already (its settings just saved): the question goes there.
      // Without one, nothing is awaited: settings saved in the same instant must find this creation.
      const pending = s.chat.conversation === null ? creation.pending() : null;
      const conversationId = s.chat.conversation?.id ?? (pending === null ? null : await pending);
      if (getState().chat.job?.seq !== job.seq) return false;
      const documents = documentsForQuestion(getState().documents);
      const generating = api.call('chat.generate', {
        jobId,
        modelId: model.id,
        conversation: { id: conversationId, parentId: turn.parentId, ...(turn.content !== null && { content: turn.content }), ...(documents !== undefined && { documents }) },
      });
      ({ saved } = await (conversationId === null ? creation.track(generating, (result) => result.saved?.conversationId ?? null) : generating));
    } catch (error) {
      finishJob(job, { kind: 'error', error });
      return false;
    }

    if (getState().chat.job?.seq !== job.seq) {
      // The conversation was left meanwhile: nobody waits for this answer here (the host saves it).
      api.call('chat.stop', { jobId }).catch(() => {});
      return true;
    }
    set((prev) => {
      if (prev.job?.seq !== job.seq) return prev;
      const next = { ...prev, job: { ...prev.job } };
      if (saved === undefined) return next;
      next.job.answerId = saved.answer.id;
      next.job.questionId = saved.answer.parentId;
      if (saved.question !== null && question !== null) {
        const stored = { ...question, id: saved.question.id, shownAs: question.id, siblingIds: [...turn.siblings, saved.question.id] };
        next.messages = prev.messages.map((m) => (m.id === question.id ? stored : m));
      }
      if (prev.conversation?.id !== saved.conversationId) {
        // The settings the host gives a new conversation that sets none: the model, and the app's default system prompt.
        const systemPrompt = getState().settings.view?.values.defaultSystemPrompt ?? '';
        next.conversation = { id: saved.conversationId, title: '', source: 'local', settings: { modelId: model.id, systemPrompt, sampling: {} } };
        storage?.set(OPEN_CONVERSATION_KEY, saved.conversationId);
      }
      return next;
    });
    // Answered by the host itself (documents only, nothing found): no job events follow.
    if (saved !== undefined && saved.answer.state !== 'generating') {
      const finished = getState().chat.job;
      if (finished?.seq === job.seq) finishJob(finished, { kind: 'done', text: saved.answer.content, reasoning: '', stats: null });
      return true;
    }
    if (saved !== undefined && s.chat.conversation === null) void refreshConversations();
    const after = getState().chat.job;
    if (after?.seq === job.seq && after.stopRequested) await requestStop(jobId);
    return true;
  }

  async function requestStop(jobId: string): Promise<void> {
    try {
      await api.call('chat.stop', { jobId });
    } catch (error) {
      showError(error);
    }
  }

  async function stop(): Promise<void> {
    const job = getState().chat.job;
    if (job === null || job.stopRequested) return;
    updateJob(job, (current) => ({ ...current, stopRequested: true }));
    // Sent after chat.generate on the same connection, so the host knows the job; send() asks again once it has answered.
    await requestStop(job.id);
  }

  return {
    actions: { send, stop, regenerate, editAndResend },
    follow: () => [
      api.on('chat.delta', (payload) => handleJobEvent({ event: 'chat.delta', payload })),
      api.on('chat.thought', (payload) => handleJobEvent({ event: 'chat.thought', payload })),
      api.on('chat.loaded', (payload) => handleJobEvent({ event: 'chat.loaded', payload })),
      api.on('chat.done', (payload) => handleJobEvent({ event: 'chat.done', payload })),
      api.on('chat.error', (payload) => handleJobEvent({ event: 'chat.error', payload })),
    ],
    disconnected() {
      const job = getState().chat.job;
      if (job !== null) finishJob(job, { kind: 'error', error: { code: 'ENGINE_UNAVAILABLE', message: 'The connection to the host was lost during the answer.' } });
    },
  };
}
