/**
 * The renderer's state: models, engine status, the saved conversations and the open one, the
 * running generation and the error on show. Components read it with useSyncExternalStore and selectors (state/react.tsx);
 * only the actions below change it. No DOM here, so it runs under plain vitest.
 */
import type { AppInfo } from '../../../shared/app.ts';
import type { EventPayloads } from '../../../shared/contract.ts';
import { newJobId, type GenerationStats } from '../../../shared/chat.ts';
import type { ReportLocale } from '../../../shared/compare.ts';
import type { Conversation, ConversationSettings, ConversationsStatus, ConversationSummary, ExportedFile, PathMessage, SavedPreset, SearchHit } from '../../../shared/conversations.ts';
import type { SavedTurn, StoredMessageState } from '../../../shared/chat.ts';
import { toErrorPayload } from '../../../shared/errors.ts';
import type { ErrorPayload } from '../../../shared/errors.ts';
import type { EngineStatus, ModelInfo } from '../../../shared/models.ts';
import type { ConnectionState, Transport } from '../api/transport.ts';
import { createStore } from './store.ts';

/** How an assistant message ended. User messages are always `done`. */
export type MessageState = StoredMessageState;

export interface ConversationMessage {
  id: string;
  /** The message this one follows; its alternatives share it. */
  parentId: string | null;
  /** This message and its alternatives, oldest first (branch navigation). */
  siblingIds: readonly string[];
  role: 'user' | 'assistant';
  content: string;
  /** The model that wrote an assistant message; null for user messages. */
  modelId: string | null;
  /** Set when the answer finished through `chat.done`. */
  stats: GenerationStats | null;
  /** What the model reasoned before answering (shown apart, collapsed); null when it did not. */
  reasoning: string | null;
  /** Model load time when this answer had to load the model first. */
  loadMs: number | null;
  state: MessageState;
  /** When it was written (ms since the epoch); shown in the user's locale (i18n/format.ts, formatMessageTime). */
  createdAt: number;
}

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

/** The open conversation, without its messages (they are `AppState.messages`). */
export interface OpenConversation {
  id: string;
  title: string;
  source: ConversationSummary['source'];
  settings: ConversationSettings;
}

export interface ConversationSearch {
  query: string;
  /** null while the first answer for this query is on its way. */
  hits: readonly SearchHit[] | null;
}

export interface ShownError {
  /** Changes with every new error, so the banner can tell two equal errors apart. */
  seq: number;
  error: ErrorPayload;
}

export interface AppState {
  connection: ConnectionState;
  info: AppInfo | null;
  models: readonly ModelInfo[];
  /** True once a model list has arrived. */
  modelsLoaded: boolean;
  rescanning: boolean;
  selectedModelId: string | null;
  engine: EngineStatus | null;
  conversations: readonly ConversationSummary[];
  conversationsLoaded: boolean;
  /** null: a new conversation, saved with its first question. */
  conversation: OpenConversation | null;
  /** The shown path of the open conversation. */
  messages: readonly ConversationMessage[];
  /** The conversation just deleted, which the user can still bring back. */
  undoDelete: ConversationSummary | null;
  search: ConversationSearch | null;
  /** What happened to the database at start-up (a corrupt file moved aside, say). */
  database: ConversationsStatus | null;
  /** Sampling presets the user saved. */
  presets: readonly SavedPreset[];
  /** The composer's text. */
  draft: string;
  job: ActiveJob | null;
  error: ShownError | null;
}

export interface KeyValueStorage {
  get(key: string): string | null;
  set(key: string, value: string | null): void;
}

export interface AppActions {
  /** Subscribes to the host's events and loads the first data. Returns the teardown. */
  start(): () => void;
  /** Reloads app info, the model list and the engine status. */
  refresh(): Promise<void>;
  rescan(): Promise<void>;
  selectModel(modelId: string | null): void;
  setDraft(text: string): void;
  /** Sends `text` (default: the draft) with the whole conversation. False when nothing started. */
  send(text?: string): Promise<boolean>;
  stop(): Promise<void>;
  /** Starts a new conversation (saved with its first question), stopping a running answer. */
  newConversation(): void;
  openConversation(id: string): Promise<void>;
  refreshConversations(): Promise<void>;
  renameConversation(id: string, title: string): Promise<void>;
  pinConversation(id: string, pinned: boolean): Promise<void>;
  deleteConversation(id: string): Promise<void>;
  /** Brings back the conversation deleted last. */
  undoDelete(): Promise<void>;
  dismissUndo(): void;
  /** Searches every message; an empty query closes the search. */
  search(query: string): Promise<void>;
  updateSettings(settings: ConversationSettings): Promise<void>;
  /** Shows the alternative `siblingId` of a message on the path, and the branch below it. */
  showAlternative(siblingId: string): Promise<void>;
  /** A new answer to the question before `answerId`; the old one stays as an alternative. */
  regenerate(answerId: string): Promise<boolean>;
  /** Sends `text` in place of the question `messageId`, as a new branch. */
  editAndResend(messageId: string, text: string): Promise<boolean>;
  deleteMessage(messageId: string): Promise<void>;
  dismissDatabaseNotice(): void;
  /** The open conversation as a file to save; null when there is none (errors go to the banner). */
  exportConversation(format: 'markdown' | 'json', locale: ReportLocale): Promise<ExportedFile | null>;
  exportAll(): Promise<ExportedFile | null>;
  /** Imports ChatGPT's conversations.json; the number of conversations imported, null on failure. */
  importChatGpt(content: string): Promise<number | null>;
  savePreset(preset: SavedPreset): Promise<void>;
  deletePreset(name: string): Promise<void>;
  dismissError(): void;
  showError(error: unknown): void;
}

export interface AppStore {
  getState(): AppState;
  subscribe(listener: () => void): () => void;
  actions: AppActions;
}

export interface AppStoreOptions {
  /** Remembers the selected model between sessions. */
  storage?: KeyValueStorage;
}

export const SELECTED_MODEL_KEY = 'enclave.selectedModel';
export const OPEN_CONVERSATION_KEY = 'enclave.openConversation';
/** Ids of messages shown before the host saved them. */
const LOCAL_ID_PREFIX = 'local-';

export function initialAppState(connection: ConnectionState = 'connecting'): AppState {
  return {
    connection,
    info: null,
    models: [],
    modelsLoaded: false,
    rescanning: false,
    selectedModelId: null,
    engine: null,
    conversations: [],
    conversationsLoaded: false,
    conversation: null,
    messages: [],
    undoDelete: null,
    search: null,
    database: null,
    presets: [],
    draft: '',
    job: null,
    error: null,
  };
}

// Selectors. Each returns a value already in the state (or a primitive), as useSyncExternalStore needs.
export const selectSelectedModel = (s: AppState): ModelInfo | null =>
  s.models.find((m) => m.id === s.selectedModelId) ?? null;
export const selectIsGenerating = (s: AppState): boolean => s.job !== null;
export const selectCanSend = (s: AppState): boolean =>
  s.job === null && s.draft.trim() !== '' && isUsable(selectSelectedModel(s));

export function isUsable(model: ModelInfo | null | undefined): model is ModelInfo {
  return model !== null && model !== undefined && model.problem === null;
}

export function toConversationMessage(message: PathMessage): ConversationMessage {
  return {
    id: message.id,
    parentId: message.parentId,
    siblingIds: message.siblingIds,
    role: message.role,
    content: message.content,
    modelId: message.modelId,
    stats: message.stats,
    reasoning: message.reasoning,
    loadMs: null,
    state: message.state,
    createdAt: message.createdAt,
  };
}

type JobEvent =
  | { event: 'chat.delta'; payload: EventPayloads['chat.delta'] }
  | { event: 'chat.thought'; payload: EventPayloads['chat.thought'] }
  | { event: 'chat.loaded'; payload: EventPayloads['chat.loaded'] }
  | { event: 'chat.done'; payload: EventPayloads['chat.done'] }
  | { event: 'chat.error'; payload: EventPayloads['chat.error'] };

export function createAppStore(api: Transport, options: AppStoreOptions = {}): AppStore {
  const store = createStore<AppState>(initialAppState(api.connectionState()));
  const { getState, setState } = store;
  const storage = options.storage;

  let messageSeq = 0;
  let jobSeq = 0;
  let errorSeq = 0;

  const newMessageId = (): string => `${LOCAL_ID_PREFIX}${++messageSeq}`;

  function patch(partial: Partial<AppState>): void {
    setState((s) => ({ ...s, ...partial }));
  }

  function showError(error: unknown): void {
    patch({ error: { seq: ++errorSeq, error: toErrorPayload(error) } });
  }

  function applyModels(models: ModelInfo[]): void {
    setState((s) => {
      let selectedModelId = s.selectedModelId;
      if (selectedModelId !== null && !isUsable(models.find((m) => m.id === selectedModelId))) {
        selectedModelId = null;
      }
      if (selectedModelId === null) {
        const remembered = storage?.get(SELECTED_MODEL_KEY) ?? null;
        if (remembered !== null && isUsable(models.find((m) => m.id === remembered))) {
          selectedModelId = remembered;
        }
      }
      return { ...s, models, modelsLoaded: true, selectedModelId };
    });
  }

  async function refresh(): Promise<void> {
    // Each answer is shown as soon as it arrives; the first failure is reported.
    const failures: unknown[] = [];
    const load = async <T>(call: Promise<T>, apply: (value: T) => void): Promise<void> => {
      try {
        apply(await call);
      } catch (error) {
        failures.push(error);
      }
    };
    await Promise.all([
      load(api.call('app.info', {}), (info) => patch({ info })),
      load(api.call('models.list', {}), applyModels),
      load(api.call('engine.status', {}), (engine) => patch({ engine })),
      load(api.call('conversations.list', {}), (conversations) => patch({ conversations, conversationsLoaded: true })),
      load(api.call('conversations.status', {}), (database) => patch({ database })),
      load(api.call('conversations.presets', {}), (presets) => patch({ presets })),
    ]);
    if (failures.length > 0) showError(failures[0]);
  }

  async function refreshConversations(): Promise<void> {
    try {
      const conversations = await api.call('conversations.list', {});
      setState((s) => {
        // The host titles a conversation from its first question: show that title in the header too.
        const open = s.conversation === null ? undefined : conversations.find((c) => c.id === s.conversation?.id);
        const conversation = s.conversation !== null && open !== undefined && open.title !== s.conversation.title ? { ...s.conversation, title: open.title } : s.conversation;
        return { ...s, conversations, conversationsLoaded: true, conversation };
      });
    } catch (error) {
      showError(error);
    }
  }

  /** Shows a conversation the host sent, replacing the open one. */
  function applyConversation(conversation: Conversation): void {
    storage?.set(OPEN_CONVERSATION_KEY, conversation.id);
    const modelId = conversation.settings.modelId;
    setState((s) => ({
      ...s,
      conversation: { id: conversation.id, title: conversation.title, source: conversation.source, settings: conversation.settings },
      messages: conversation.messages.map(toConversationMessage),
      selectedModelId: modelId !== null && isUsable(s.models.find((m) => m.id === modelId)) ? modelId : s.selectedModelId,
    }));
  }

  async function rescan(): Promise<void> {
    if (getState().rescanning) return;
    patch({ rescanning: true });
    try {
      applyModels(await api.call('models.rescan', {}));
    } catch (error) {
      showError(error);
    } finally {
      patch({ rescanning: false });
    }
  }

  function selectModel(modelId: string | null): void {
    if (modelId !== null && !isUsable(getState().models.find((m) => m.id === modelId))) return;
    patch({ selectedModelId: modelId });
    storage?.set(SELECTED_MODEL_KEY, modelId);
  }

  /**
   * Ends the running job. The answer becomes a message (the host saved it already); a turn the
   * host refused (nothing saved) is rolled back, its question returned to the composer.
   */
  function finishJob(
    job: ActiveJob,
    outcome: { kind: 'done'; text: string; reasoning: string; stats: GenerationStats } | { kind: 'error'; error: unknown },
  ): void {
    setState((s) => {
      if (s.job?.seq !== job.seq) return s;
      const current = s.job;
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
        return { ...s, job: null, messages: [...s.messages, done] };
      }
      const error: ShownError = { seq: ++errorSeq, error: toErrorPayload(outcome.error) };
      if (current.text !== '' || current.answerId !== null) {
        return { ...s, job: null, error, messages: [...s.messages, answer(current.text, 'error', null)] };
      }
      const last = s.messages.at(-1);
      if (last?.role === 'user' && last.id.startsWith(LOCAL_ID_PREFIX)) {
        return {
          ...s,
          job: null,
          error,
          messages: s.messages.slice(0, -1),
          draft: s.draft === '' ? last.content : s.draft,
        };
      }
      return { ...s, job: null, error };
    });
    void refreshConversations();
  }

  function handleJobEvent(e: JobEvent): void {
    const job = getState().job;
    if (job === null) return;
    if (e.payload.jobId !== job.id) return;
    switch (e.event) {
      case 'chat.delta': {
        const text = e.payload.text;
        if (text === '') return;
        setState((s) => (s.job?.seq === job.seq ? { ...s, job: { ...s.job, text: s.job.text + text } } : s));
        return;
      }
      case 'chat.thought': {
        const text = e.payload.text;
        if (text === '') return;
        setState((s) => (s.job?.seq === job.seq ? { ...s, job: { ...s.job, reasoning: s.job.reasoning + text } } : s));
        return;
      }
      case 'chat.loaded': {
        const loadMs = e.payload.loadMs;
        setState((s) => (s.job?.seq === job.seq ? { ...s, job: { ...s.job, loadMs } } : s));
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
    const s = getState();
    const question = (text ?? s.draft).trim();
    if (question === '') return false;
    const parent = s.messages.at(-1) ?? null;
    return startTurn({ content: question, parentId: parent?.id ?? null, keep: s.messages.length, siblings: [], clearDraft: text === undefined });
  }

  async function editAndResend(messageId: string, text: string): Promise<boolean> {
    const s = getState();
    const index = s.messages.findIndex((m) => m.id === messageId);
    const message = s.messages[index];
    const content = text.trim();
    if (message?.role !== 'user' || content === '') return false;
    return startTurn({ content, parentId: message.parentId, keep: index, siblings: message.siblingIds, clearDraft: false });
  }

  async function regenerate(answerId: string): Promise<boolean> {
    const s = getState();
    const index = s.messages.findIndex((m) => m.id === answerId);
    const answer = s.messages[index];
    if (answer?.role !== 'assistant' || answer.parentId === null) return false;
    return startTurn({ content: null, parentId: answer.parentId, keep: index, siblings: answer.siblingIds, clearDraft: false });
  }

  /**
   * One generation in the open conversation (or a new one): the path is cut to `keep` messages,
   * the question (if any) added under `parentId` beside its alternatives `siblings`, and the answer
   * streamed. Regenerating (`content` null) answers `parentId` again, beside the answers `siblings`.
   */
  async function startTurn(turn: { content: string | null; parentId: string | null; keep: number; siblings: readonly string[]; clearDraft: boolean }): Promise<boolean> {
    const s = getState();
    const model = selectSelectedModel(s);
    if (s.job !== null || !isUsable(model)) return false;
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
      messages: [...prev.messages.slice(0, turn.keep), ...(question === null ? [] : [question])],
      draft: turn.clearDraft ? '' : prev.draft,
      job,
      error: null,
    }));

    const jobId = job.id;
    let saved: SavedTurn | undefined;
    try {
      ({ saved } = await api.call('chat.generate', {
        jobId,
        modelId: model.id,
        conversation: { id: s.conversation?.id ?? null, parentId: turn.parentId, ...(turn.content !== null && { content: turn.content }) },
      }));
    } catch (error) {
      finishJob(job, { kind: 'error', error });
      return false;
    }

    const current = getState().job;
    if (current?.seq !== job.seq) {
      // The conversation was left meanwhile: nobody waits for this answer here (the host saves it).
      api.call('chat.stop', { jobId }).catch(() => {});
      return true;
    }
    setState((prev) => {
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
    if (saved !== undefined && s.conversation === null) void refreshConversations();
    const after = getState().job;
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
    const job = getState().job;
    if (job === null || job.stopRequested) return;
    setState((s) => (s.job?.seq === job.seq ? { ...s, job: { ...s.job, stopRequested: true } } : s));
    // Sent after chat.generate on the same connection, so the host knows the job; send() asks again once it has answered.
    await requestStop(job.id);
  }

  /** Leaves the open conversation; a running answer is stopped (the host keeps what it wrote). */
  function leaveConversation(): void {
    const job = getState().job;
    if (job !== null) api.call('chat.stop', { jobId: job.id }).catch(() => {});
  }

  function newConversation(): void {
    leaveConversation();
    storage?.set(OPEN_CONVERSATION_KEY, null);
    patch({ conversation: null, messages: [], job: null, draft: '' });
  }

  async function openConversation(id: string): Promise<void> {
    if (getState().conversation?.id === id && getState().job === null) return;
    leaveConversation();
    patch({ job: null });
    try {
      applyConversation(await api.call('conversations.get', { id }));
    } catch (error) {
      if (storage?.get(OPEN_CONVERSATION_KEY) === id) storage.set(OPEN_CONVERSATION_KEY, null);
      showError(error);
    }
  }

  /** Runs a command that changes conversations, then shows the new list (errors go to the banner). */
  async function change<T>(call: () => Promise<T>, apply?: (value: T) => void): Promise<void> {
    try {
      const value = await call();
      apply?.(value);
    } catch (error) {
      showError(error);
    }
    await refreshConversations();
  }

  async function renameConversation(id: string, title: string): Promise<void> {
    await change(
      () => api.call('conversations.rename', { id, title }),
      (summary) => setState((s) => (s.conversation?.id === id ? { ...s, conversation: { ...s.conversation, title: summary.title } } : s)),
    );
  }

  async function deleteConversation(id: string): Promise<void> {
    const summary = getState().conversations.find((c) => c.id === id) ?? null;
    await change(
      () => api.call('conversations.delete', { id }),
      () => {
        if (getState().conversation?.id === id) newConversation();
        patch({ undoDelete: summary });
      },
    );
  }

  async function undoDelete(): Promise<void> {
    const deleted = getState().undoDelete;
    if (deleted === null) return;
    patch({ undoDelete: null });
    await change(() => api.call('conversations.restore', { id: deleted.id }));
  }

  let searchSeq = 0;
  async function search(query: string): Promise<void> {
    const seq = ++searchSeq;
    if (query.trim() === '') {
      patch({ search: null });
      return;
    }
    setState((s) => ({ ...s, search: { query, hits: s.search?.query === query ? s.search.hits : null } }));
    try {
      const hits = await api.call('conversations.search', { query });
      if (seq === searchSeq) patch({ search: { query, hits } });
    } catch (error) {
      showError(error);
    }
  }

  async function updateSettings(settings: ConversationSettings): Promise<void> {
    let id = getState().conversation?.id;
    try {
      if (id === undefined) {
        const created = await api.call('conversations.create', { settings });
        id = created.id;
        applyConversation(created);
        await refreshConversations();
        return;
      }
      applyConversation(await api.call('conversations.updateSettings', { id, settings }));
    } catch (error) {
      showError(error);
    }
  }

  async function attempt<T>(call: () => Promise<T>): Promise<T | null> {
    try {
      return await call();
    } catch (error) {
      showError(error);
      return null;
    }
  }

  async function exportConversation(format: 'markdown' | 'json', locale: ReportLocale): Promise<ExportedFile | null> {
    const id = getState().conversation?.id;
    return id === undefined ? null : attempt(() => api.call('conversations.export', { id, format, locale }));
  }

  async function importChatGpt(content: string): Promise<number | null> {
    const result = await attempt(() => api.call('conversations.importChatGpt', { content }));
    await refreshConversations();
    return result?.imported ?? null;
  }

  /** Runs a command on a message of the open conversation and shows the path it answers. */
  async function onPath(call: (conversationId: string) => Promise<Conversation>): Promise<void> {
    const id = getState().conversation?.id;
    if (id === undefined || getState().job !== null) return;
    try {
      applyConversation(await call(id));
    } catch (error) {
      showError(error);
    }
  }

  /** Set when the link dropped: the next open reloads what may have changed meanwhile. */
  let needsRefresh = false;

  function onConnectionChange(connection: ConnectionState): void {
    patch({ connection });
    if (connection === 'closed') {
      needsRefresh = true;
      const job = getState().job;
      if (job !== null) {
        finishJob(job, {
          kind: 'error',
          error: { code: 'ENGINE_UNAVAILABLE', message: 'The connection to the host was lost during the answer.' },
        });
      }
    } else if (connection === 'open' && needsRefresh) {
      needsRefresh = false;
      // The link is back: an "unavailable" error on show is stale now.
      setState((s) => (s.error?.error.code === 'ENGINE_UNAVAILABLE' ? { ...s, error: null } : s));
      void refresh();
    }
  }

  function start(): () => void {
    const offs = [
      api.on('chat.delta', (payload) => handleJobEvent({ event: 'chat.delta', payload })),
      api.on('chat.thought', (payload) => handleJobEvent({ event: 'chat.thought', payload })),
      api.on('chat.loaded', (payload) => handleJobEvent({ event: 'chat.loaded', payload })),
      api.on('chat.done', (payload) => handleJobEvent({ event: 'chat.done', payload })),
      api.on('chat.error', (payload) => handleJobEvent({ event: 'chat.error', payload })),
      api.on('engine.status', (engine) => patch({ engine })),
      api.onConnectionChange(onConnectionChange),
    ];
    const connection = api.connectionState();
    patch({ connection });
    // Over the WebSocket, calls made while connecting wait for the socket; once it opens after a
    // drop, onConnectionChange refreshes again.
    if (connection === 'closed') needsRefresh = true;
    else void refresh();
    const remembered = storage?.get(OPEN_CONVERSATION_KEY) ?? null;
    if (remembered !== null) void openConversation(remembered);
    return () => {
      for (const off of offs) off();
    };
  }

  return {
    getState,
    subscribe: store.subscribe,
    actions: {
      start,
      refresh,
      rescan,
      selectModel,
      setDraft: (draft) => patch({ draft }),
      send,
      stop,
      newConversation,
      openConversation,
      refreshConversations,
      renameConversation,
      pinConversation: (id, pinned) => change(() => api.call('conversations.pin', { id, pinned })),
      deleteConversation,
      undoDelete,
      dismissUndo: () => patch({ undoDelete: null }),
      search,
      updateSettings,
      showAlternative: (siblingId) => onPath((id) => api.call('conversations.selectBranch', { id, messageId: siblingId })),
      regenerate,
      editAndResend,
      deleteMessage: (messageId) => onPath((id) => api.call('conversations.deleteMessage', { id, messageId })),
      dismissDatabaseNotice: () => patch({ database: null }),
      exportConversation,
      exportAll: () => attempt(() => api.call('conversations.exportAll', {})),
      importChatGpt,
      savePreset: async (preset) => {
        const presets = await attempt(() => api.call('conversations.savePreset', preset));
        if (presets !== null) patch({ presets });
      },
      deletePreset: async (name) => {
        const presets = await attempt(() => api.call('conversations.deletePreset', { name }));
        if (presets !== null) patch({ presets });
      },
      dismissError: () => patch({ error: null }),
      showError,
    },
  };
}
