/**
 * The open conversation: its shown path of messages, the composer's draft and the answer being
 * written. A job's id is chosen here before `chat.generate` is sent (the host routes a job's
 * events to the connection that named it), so its first events are recognised.
 */
import type { EventPayloads } from '../../../../shared/contract.ts';
import { newJobId, type GenerationStats } from '../../../../shared/chat.ts';
import type { ReportLocale } from '../../../../shared/compare.ts';
import type { Conversation, ConversationSettings, ExportedFile, SavedTurn } from '../../../../shared/conversations.ts';
import type { AppState } from '../app-store.ts';
import { attempt, sliceSetter, type Slice, type SliceContext } from '../slice.ts';
import { LOCAL_ID_PREFIX, toConversationMessage, type ConversationMessage, type MessageState } from './chat-messages.ts';
import { withError } from './error.ts';
import { isUsable, selectSelectedModel } from './models.ts';

export const OPEN_CONVERSATION_KEY = 'enclave.openConversation';

export interface ActiveJob {
  /** Distinguishes one send from the next. */
  seq: number;
  /** Chosen here before `chat.generate` is sent, so the job's first events are recognised. */
  id: string;
  modelId: string;
  /** The answer so far. */
  text: string;
  /** The reasoning so far (it streams before the answer). */
  reasoning: string;
  loadMs: number | null;
  stopRequested: boolean;
  /** The question this answer is for, once saved. */
  questionId: string | null;
  /** The answer's row in the database, once the host accepted the job. */
  answerId: string | null;
  /** Earlier answers to the same question (regenerate keeps them as alternatives). */
  answerSiblings: readonly string[];
}

/** The open conversation, without its messages (they are `ChatState.messages`). */
export interface OpenConversation {
  id: string;
  title: string;
  source: Conversation['source'];
  settings: ConversationSettings;
}

export interface ChatState {
  /** null: a new conversation, saved with its first question. */
  conversation: OpenConversation | null;
  /** The shown path of the open conversation. */
  messages: readonly ConversationMessage[];
  /** The composer's text. */
  draft: string;
  job: ActiveJob | null;
}

export const initialChatState: ChatState = { conversation: null, messages: [], draft: '', job: null };

export interface ChatActions {
  setDraft(text: string): void;
  /** Sends `text` (default: the draft) with the whole conversation. False when nothing started. */
  send(text?: string): Promise<boolean>;
  stop(): Promise<void>;
  /** A new answer to the question before `answerId`; the old one stays as an alternative. */
  regenerate(answerId: string): Promise<boolean>;
  /** Sends `text` in place of the question `messageId`, as a new branch. */
  editAndResend(messageId: string, text: string): Promise<boolean>;
  /** Starts a new conversation (saved with its first question), stopping a running answer. */
  newConversation(): void;
  openConversation(id: string): Promise<void>;
  updateSettings(settings: ConversationSettings): Promise<void>;
  /** Shows the alternative `siblingId` of a message on the path, and the branch below it. */
  showAlternative(siblingId: string): Promise<void>;
  deleteMessage(messageId: string): Promise<void>;
  /** The open conversation as a file to save; null when there is none (errors go to the banner). */
  exportConversation(format: 'markdown' | 'json', locale: ReportLocale): Promise<ExportedFile | null>;
}

export const selectIsGenerating = (s: AppState): boolean => s.chat.job !== null;
export const selectCanSend = (s: AppState): boolean => s.chat.job === null && s.chat.draft.trim() !== '' && isUsable(selectSelectedModel(s));

type JobEvent =
  | { event: 'chat.delta'; payload: EventPayloads['chat.delta'] }
  | { event: 'chat.thought'; payload: EventPayloads['chat.thought'] }
  | { event: 'chat.loaded'; payload: EventPayloads['chat.loaded'] }
  | { event: 'chat.done'; payload: EventPayloads['chat.done'] }
  | { event: 'chat.error'; payload: EventPayloads['chat.error'] };

type JobOutcome = { kind: 'done'; text: string; reasoning: string; stats: GenerationStats } | { kind: 'error'; error: unknown };

/** One generation: the path is cut to `keep` messages and the question (if any) added under `parentId` beside its alternatives `siblings`. */
interface Turn {
  /** null: regenerate, answering `parentId` again beside the answers `siblings`. */
  content: string | null;
  parentId: string | null;
  keep: number;
  siblings: readonly string[];
  clearDraft: boolean;
}

export function createChatSlice(ctx: SliceContext): Slice<ChatActions> {
  const { api, storage } = ctx;
  const { getState, setState } = ctx;
  const set = sliceSetter(ctx, 'chat');
  const showError = (error: unknown): void => ctx.actions().error.showError(error);
  const refreshConversations = (): Promise<void> => ctx.actions().conversations.refreshConversations();

  let messageSeq = 0;
  let jobSeq = 0;
  const newMessageId = (): string => `${LOCAL_ID_PREFIX}${++messageSeq}`;

  /** Updates the running job, if it is still `job`. */
  const updateJob = (job: ActiveJob, update: (current: ActiveJob) => ActiveJob): void =>
    set((chat) => (chat.job?.seq === job.seq ? { ...chat, job: update(chat.job) } : chat));

  /** Shows a conversation the host sent, replacing the open one; its model becomes the selected one when usable. */
  function applyConversation(conversation: Conversation): void {
    storage?.set(OPEN_CONVERSATION_KEY, conversation.id);
    const modelId = conversation.settings.modelId;
    setState((s) => ({
      ...s,
      chat: {
        ...s.chat,
        conversation: { id: conversation.id, title: conversation.title, source: conversation.source, settings: conversation.settings },
        messages: conversation.messages.map(toConversationMessage),
      },
      models: { ...s.models, selectedId: modelId !== null && isUsable(s.models.list.find((m) => m.id === modelId)) ? modelId : s.models.selectedId },
    }));
  }

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
        const done = answer(content, outcome.stats.stopReason === 'abort' ? 'stopped' : 'done', outcome.stats, reasoning);
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
      ({ saved } = await api.call('chat.generate', {
        jobId,
        modelId: model.id,
        conversation: { id: s.chat.conversation?.id ?? null, parentId: turn.parentId, ...(turn.content !== null && { content: turn.content }) },
      }));
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
        const stored = { ...question, id: saved.question.id, siblingIds: [...turn.siblings, saved.question.id] };
        next.messages = prev.messages.map((m) => (m.id === question.id ? stored : m));
      }
      if (prev.conversation?.id !== saved.conversationId) {
        next.conversation = { id: saved.conversationId, title: '', source: 'local', settings: { modelId: model.id, systemPrompt: '', sampling: {} } };
        storage?.set(OPEN_CONVERSATION_KEY, saved.conversationId);
      }
      return next;
    });
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

  /** Leaves the open conversation; a running answer is stopped (the host keeps what it wrote). */
  function leaveConversation(): void {
    const job = getState().chat.job;
    if (job !== null) api.call('chat.stop', { jobId: job.id }).catch(() => {});
  }

  function newConversation(): void {
    leaveConversation();
    storage?.set(OPEN_CONVERSATION_KEY, null);
    set({ conversation: null, messages: [], job: null, draft: '' });
  }

  async function openConversation(id: string): Promise<void> {
    if (getState().chat.conversation?.id === id && getState().chat.job === null) return;
    leaveConversation();
    set({ job: null });
    try {
      applyConversation(await api.call('conversations.get', { id }));
    } catch (error) {
      if (storage?.get(OPEN_CONVERSATION_KEY) === id) storage.set(OPEN_CONVERSATION_KEY, null);
      showError(error);
    }
  }

  async function updateSettings(settings: ConversationSettings): Promise<void> {
    const id = getState().chat.conversation?.id;
    try {
      if (id === undefined) {
        applyConversation(await api.call('conversations.create', { settings }));
        await refreshConversations();
        return;
      }
      applyConversation(await api.call('conversations.updateSettings', { id, settings }));
    } catch (error) {
      showError(error);
    }
  }

  /** Runs a command on a message of the open conversation and shows the path it answers. */
  async function onPath(call: (conversationId: string) => Promise<Conversation>): Promise<void> {
    const { conversation, job } = getState().chat;
    if (conversation === null || job !== null) return;
    try {
      applyConversation(await call(conversation.id));
    } catch (error) {
      showError(error);
    }
  }

  return {
    actions: {
      setDraft: (draft) => set({ draft }),
      send,
      stop,
      regenerate,
      editAndResend,
      newConversation,
      openConversation,
      updateSettings,
      showAlternative: (siblingId) => onPath((id) => api.call('conversations.selectBranch', { id, messageId: siblingId })),
      deleteMessage: (messageId) => onPath((id) => api.call('conversations.deleteMessage', { id, messageId })),
      async exportConversation(format, locale) {
        const id = getState().chat.conversation?.id;
        return id === undefined ? null : attempt(ctx, () => api.call('conversations.export', { id, format, locale }));
      },
    },
    follow: () => [
      api.on('chat.delta', (payload) => handleJobEvent({ event: 'chat.delta', payload })),
      api.on('chat.thought', (payload) => handleJobEvent({ event: 'chat.thought', payload })),
      api.on('chat.loaded', (payload) => handleJobEvent({ event: 'chat.loaded', payload })),
      api.on('chat.done', (payload) => handleJobEvent({ event: 'chat.done', payload })),
      api.on('chat.error', (payload) => handleJobEvent({ event: 'chat.error', payload })),
    ],
    started() {
      const remembered = storage?.get(OPEN_CONVERSATION_KEY) ?? null;
      if (remembered !== null) void openConversation(remembered);
    },
    disconnected() {
      const job = getState().chat.job;
      if (job !== null) finishJob(job, { kind: 'error', error: { code: 'ENGINE_UNAVAILABLE', message: 'The connection to the host was lost during the answer.' } });
    },
  };
}
