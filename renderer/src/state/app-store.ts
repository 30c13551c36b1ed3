/**
 * The renderer's state: models, engine status, the conversation, the running generation and the
 * error on show. Components read it with useSyncExternalStore and selectors (state/react.tsx);
 * only the actions below change it. No DOM here, so it runs under plain vitest.
 */
import type { AppInfo, EventPayloads } from '../../../shared/contract.ts';
import type { ChatMessage, GenerationStats } from '../../../shared/chat.ts';
import { toErrorPayload } from '../../../shared/errors.ts';
import type { ErrorPayload } from '../../../shared/errors.ts';
import type { EngineStatus, ModelInfo } from '../../../shared/models.ts';
import type { ConnectionState, Transport } from '../api/transport.ts';
import { createStore } from './store.ts';

/** How an assistant message ended. User messages are always `done`. */
export type MessageState = 'done' | 'stopped' | 'error';

export interface ConversationMessage {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  /** The model that wrote an assistant message; null for user messages. */
  modelId: string | null;
  /** Set when the answer finished through `chat.done`. */
  stats: GenerationStats | null;
  /** Model load time when this answer had to load the model first. */
  loadMs: number | null;
  state: MessageState;
}

export interface ActiveJob {
  /** Distinguishes one send from the next, even before the host gave a job id. */
  seq: number;
  /** null until `chat.generate` has answered. */
  id: string | null;
  modelId: string;
  /** The answer so far. */
  text: string;
  loadMs: number | null;
  stopRequested: boolean;
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
  messages: readonly ConversationMessage[];
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
  /** Clears the conversation, stopping a running answer. */
  newConversation(): void;
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
/** Events that arrive before `chat.generate` answered are kept, up to this many. */
const MAX_EARLY_EVENTS = 10_000;

export function initialAppState(connection: ConnectionState = 'connecting'): AppState {
  return {
    connection,
    info: null,
    models: [],
    modelsLoaded: false,
    rescanning: false,
    selectedModelId: null,
    engine: null,
    messages: [],
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

/**
 * The messages sent to the model: the finished turns plus the new question. A question whose
 * answer is missing or empty is left out with it, so user and assistant turns keep alternating
 * (some chat templates refuse anything else).
 */
export function buildHistory(messages: readonly ConversationMessage[], question: string): ChatMessage[] {
  const history: ChatMessage[] = [];
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i];
    if (message === undefined || message.role !== 'user') continue;
    const answer = messages[i + 1];
    if (answer?.role !== 'assistant' || answer.content === '') continue;
    history.push({ role: 'user', content: message.content });
    history.push({ role: 'assistant', content: answer.content });
  }
  history.push({ role: 'user', content: question });
  return history;
}

type JobEvent =
  | { event: 'chat.delta'; payload: EventPayloads['chat.delta'] }
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
  /** Events for jobs whose id is not known yet (the generate call has not answered). */
  let early: JobEvent[] = [];

  const newMessageId = (): string => `m${++messageSeq}`;

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
    ]);
    if (failures.length > 0) showError(failures[0]);
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
   * Ends the running job. An answer with text becomes an assistant message; a failed turn with
   * no text at all is rolled back, its question returned to the composer.
   */
  function finishJob(
    job: ActiveJob,
    outcome: { kind: 'done'; text: string; stats: GenerationStats } | { kind: 'error'; error: unknown },
  ): void {
    setState((s) => {
      if (s.job?.seq !== job.seq) return s;
      const current = s.job;
      if (outcome.kind === 'done') {
        const answer: ConversationMessage = {
          id: newMessageId(),
          role: 'assistant',
          // The final text is authoritative; the streamed one covers a host that sends it empty.
          content: outcome.text !== '' ? outcome.text : current.text,
          modelId: current.modelId,
          stats: outcome.stats,
          loadMs: current.loadMs,
          state: outcome.stats.stopReason === 'abort' ? 'stopped' : 'done',
        };
        return { ...s, job: null, messages: [...s.messages, answer] };
      }
      const error: ShownError = { seq: ++errorSeq, error: toErrorPayload(outcome.error) };
      if (current.text !== '') {
        const partial: ConversationMessage = {
          id: newMessageId(),
          role: 'assistant',
          content: current.text,
          modelId: current.modelId,
          stats: null,
          loadMs: current.loadMs,
          state: 'error',
        };
        return { ...s, job: null, error, messages: [...s.messages, partial] };
      }
      const last = s.messages.at(-1);
      if (last?.role === 'user') {
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
  }

  function handleJobEvent(e: JobEvent): void {
    const job = getState().job;
    if (job === null) return;
    if (job.id === null) {
      if (early.length < MAX_EARLY_EVENTS) early.push(e);
      return;
    }
    if (e.payload.jobId !== job.id) return;
    switch (e.event) {
      case 'chat.delta': {
        const text = e.payload.text;
        if (text === '') return;
        setState((s) => (s.job?.seq === job.seq ? { ...s, job: { ...s.job, text: s.job.text + text } } : s));
        return;
      }
      case 'chat.loaded': {
        const loadMs = e.payload.loadMs;
        setState((s) => (s.job?.seq === job.seq ? { ...s, job: { ...s.job, loadMs } } : s));
        return;
      }
      case 'chat.done':
        finishJob(job, { kind: 'done', text: e.payload.text, stats: e.payload.stats });
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
    const model = selectSelectedModel(s);
    if (question === '' || s.job !== null || !isUsable(model)) return false;

    const user: ConversationMessage = {
      id: newMessageId(),
      role: 'user',
      content: question,
      modelId: null,
      stats: null,
      loadMs: null,
      state: 'done',
    };
    const job: ActiveJob = {
      seq: ++jobSeq,
      id: null,
      modelId: model.id,
      text: '',
      loadMs: null,
      stopRequested: false,
    };
    const messages = buildHistory(s.messages, question);
    early = [];
    setState((prev) => ({
      ...prev,
      messages: [...prev.messages, user],
      draft: text === undefined ? '' : prev.draft,
      job,
      error: null,
    }));

    let jobId: string;
    try {
      ({ jobId } = await api.call('chat.generate', { modelId: model.id, messages }));
    } catch (error) {
      early = [];
      finishJob(job, { kind: 'error', error });
      return false;
    }

    const current = getState().job;
    if (current?.seq !== job.seq) {
      // The conversation was cleared meanwhile: nobody waits for this answer.
      early = [];
      api.call('chat.stop', { jobId }).catch(() => {});
      return true;
    }
    setState((prev) => (prev.job?.seq === job.seq ? { ...prev, job: { ...prev.job, id: jobId } } : prev));
    const replay = early.filter((e) => e.payload.jobId === jobId);
    early = [];
    for (const e of replay) handleJobEvent(e);
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
    // Without an id yet, send() stops it as soon as the id arrives.
    if (job.id !== null) await requestStop(job.id);
  }

  function newConversation(): void {
    const job = getState().job;
    if (job !== null && job.id !== null) api.call('chat.stop', { jobId: job.id }).catch(() => {});
    early = [];
    patch({ messages: [], job: null, draft: '' });
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
      dismissError: () => patch({ error: null }),
      showError,
    },
  };
}
