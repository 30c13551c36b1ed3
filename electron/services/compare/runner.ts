/**
 * Generates the waiting answers of every running comparison through ChatService, as many at a
 * time as the engine's capacity allows (schedule.ts picks which). The workbench has its own
 * places in ChatService's fair queue, so its answers wait their turn behind a chat or an API
 * request instead of being refused. Streamed text is saved about once a second; a killed host
 * finds the cut answer back in the queue on its next start, and finished answers are never redone.
 */
import type { ChatMessage, GenerationStats } from '#shared/chat.ts';
import type { ActiveAnswer, CompareAnswer, CompareDocuments, CompareEventPayloads, CompareRun } from '#shared/compare.ts';
import { EnclaveError, toErrorPayload, type ErrorPayload } from '#shared/errors.ts';
import type { ChatService, JobObserver } from '../chat/chat-service.ts';
import { StreamedText } from '../chat/streamed-text.ts';
import type { DocumentsPort } from '../conversations/conversation-chat.ts';
import { citedSources, groundedMessages } from '../documents/grounding.ts';
import { readPeakMemoryBytes, resetPeakMemory } from './peak-memory.ts';
import { answerKey, nextAnswers, ONE_AT_A_TIME, type EngineCapacity, type WaitingAnswer } from './schedule.ts';
import type { AnswerUpdate, CompareStore, TurnGrounding } from './store.ts';

export type CompareEvent = { [E in keyof CompareEventPayloads]: { event: E; payload: CompareEventPayloads[E] } }[keyof CompareEventPayloads];

export interface RunnerDeps {
  store: CompareStore;
  chat: Pick<ChatService, 'generate' | 'stop'>;
  /** Models loaded in the engine processes now (the schedule prefers them). */
  loadedModelIds: () => readonly string[];
  /** The engine process that holds this model, for its peak memory. */
  enginePidOf: (modelId: string) => number | undefined;
  emit: (event: CompareEvent) => void;
  /** How many answers may run at once; one at a time when absent. */
  capacity?: EngineCapacity | undefined;
  /** The documents' grounding, for runs with collections: the chat's own, retrieving and asking the same way. */
  documents?: Pick<DocumentsPort, 'ground' | 'contextTokens'> | undefined;
  now?: () => number;
}

interface Active {
  answer: WaitingAnswer;
  /** Its place in the fair queue (a compare caller's slot). */
  slot: number;
  jobId: string | null;
  phase: ActiveAnswer['phase'];
}

export class CompareRunner {
  private readonly deps: RunnerDeps;
  private readonly now: () => number;
  private readonly capacity: EngineCapacity;
  private readonly active = new Map<string, Active>();
  private readonly tasks = new Set<Promise<void>>();
  /** Retrievals in progress, by run and turn. */
  private readonly groundings = new Map<string, Promise<TurnGrounding>>();
  private disposed = false;

  constructor(deps: RunnerDeps) {
    this.deps = deps;
    this.now = deps.now ?? Date.now;
    this.capacity = deps.capacity ?? ONE_AT_A_TIME;
  }

  /** Starts as many waiting answers as there are free places. */
  kick(): void {
    if (this.disposed) return;
    const free = this.places() - this.active.size;
    if (free <= 0) return;
    const active = [...this.active.values()].map((entry) => entry.answer);
    for (const answer of nextAnswers(this.deps.store.waiting(), active, this.deps.loadedModelIds(), free)) this.launch(answer);
  }

  /** Stops the answers being generated for this run. */
  stopRun(runId: string): void {
    for (const entry of this.active.values()) if (entry.answer.runId === runId && entry.jobId !== null) this.deps.chat.stop(entry.jobId);
  }

  /** Resolves when nothing is left to generate (tests and the benchmark). */
  async idle(): Promise<void> {
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }

  dispose(): void {
    this.disposed = true;
  }

  /** Tells the renderer where this run stands. */
  progress(runId: string): void {
    let run;
    try {
      run = this.deps.store.get(runId);
    } catch {
      return;
    }
    const finished = run.answers.filter((answer) => answer.state === 'done' && answer.durationMs !== null);
    const remaining = run.totalAnswers - run.doneAnswers;
    // Load times are withheld while a blind run is hidden: the estimate then counts generation only.
    const average = finished.length === 0 ? null : finished.reduce((sum, answer) => sum + (answer.durationMs ?? 0) + (answer.loadMs ?? 0), 0) / finished.length;
    const together = Math.max(1, Math.min(this.places(), run.columnList.filter((column) => !column.reference).length));
    const active = [...this.active.values()].filter((entry) => entry.answer.runId === runId).map(({ answer, phase }) => ({ turn: answer.turn, column: answer.column, phase }));
    this.deps.emit({
      event: 'compare.progress',
      payload: { runId, done: run.doneAnswers, total: run.totalAnswers, etaMs: average === null ? null : Math.round((average * remaining) / together), active },
    });
  }

  private places(): number {
    return Math.max(1, Math.floor(this.capacity.concurrency()));
  }

  private launch(answer: WaitingAnswer): void {
    const used = new Set([...this.active.values()].map((entry) => entry.slot));
    let slot = 0;
    while (used.has(slot)) slot++;
    const entry: Active = { answer, slot, jobId: null, phase: 'waiting' };
    this.active.set(answerKey(answer), entry);
    this.progress(answer.runId);
    const task = this.generate(entry).then(() => {
      this.active.delete(answerKey(answer));
      if (this.disposed) return;
      this.finishRunIfComplete(answer.runId);
      this.kick();
    });
    this.tasks.add(task);
    void task.finally(() => this.tasks.delete(task));
  }

  /** Resolves when the answer ended, however it ended. */
  private generate(entry: Active): Promise<void> {
    const { answer } = entry;
    return new Promise((resolve) => {
      this.messagesFor(answer).then(
        ({ messages, grounding }) => this.start(entry, messages, grounding, resolve),
        (error: unknown) => {
          // The run was deleted meanwhile, or its passages could not be retrieved: then the answer fails, the run goes on.
          if (!(error instanceof EnclaveError && error.code === 'NOT_FOUND' && error.details?.id === answer.runId)) this.fail(answer, toErrorPayload(error));
          resolve();
        },
      );
    });
  }

  /** Asks the model (or, documents only with nothing found, answers "not found" without it); `resolve` once the answer ended. */
  private start(entry: Active, messages: ChatMessage[], grounding: TurnGrounding | null, resolve: () => void): void {
    const { answer } = entry;
    if (grounding?.kind === 'notFound') {
      this.update(answer, { state: 'done', content: grounding.text, sources: [] });
      resolve();
      return;
    }
    let observed = false;
    const prepare = (jobId: string): JobObserver => {
      entry.jobId = jobId;
      this.update(answer, { state: 'generating', content: '' });
      entry.phase = 'loading';
      this.progress(answer.runId);
      const observer = this.observe(entry, resolve, grounding);
      observed = true;
      return observer;
    };
    // The process's high-water mark from here; a model loaded for this answer is counted with it.
    resetPeakMemory(this.deps.enginePidOf(answer.modelId));
    this.deps.chat.generate({ modelId: answer.modelId, messages, sampling: this.deps.store.sampling(answer.runId) }, prepare, { kind: 'compare', slot: entry.slot }).catch((error: unknown) => {
      // Once observed, the observer was told (onError) and ended the answer. Before that, the job
      // was refused (a model gone from the folder, a full queue): the answer fails, the run goes on.
      if (observed) return;
      this.fail(answer, toErrorPayload(error));
      resolve();
    });
  }

  /** `grounding`: what the prompt was given; the answer keeps the passages it cites. */
  private observe(entry: Active, ended: () => void, grounding: TurnGrounding | null): JobObserver {
    const { answer } = entry;
    const text = new StreamedText((content) => this.save(answer, { content }), this.now);
    let loadMs = 0;
    return {
      onLoaded: (_modelId, ms) => {
        loadMs = ms;
      },
      onDelta: (delta: string) => {
        if (entry.phase !== 'generating') {
          entry.phase = 'generating';
          this.progress(answer.runId);
        }
        this.deps.emit({ event: 'compare.delta', payload: { runId: answer.runId, turn: answer.turn, column: answer.column, text: delta } });
        text.append(delta);
      },
      onDone: (finalText: string, stats: GenerationStats, reasoning: string) => {
        const content = text.final(finalText);
        this.update(answer, {
          content,
          sources: grounding === null ? null : grounding.kind === 'grounded' ? citedSources(content, grounding.sources) : [],
          reasoning: reasoning === '' ? null : reasoning,
          state: stats.stopReason === 'abort' ? 'stopped' : 'done',
          timeToFirstTokenMs: stats.timeToFirstTokenMs,
          tokensPerSecond: stats.tokensPerSecond,
          tokens: stats.tokens,
          loadMs,
          peakMemoryBytes: readPeakMemoryBytes(this.deps.enginePidOf(answer.modelId)),
          durationMs: stats.durationMs,
        });
        ended();
      },
      onError: (error: ErrorPayload) => {
        this.fail(answer, error, text.value);
        ended();
      },
    };
  }

  /** The messages to send, and for a run with documents what its prompt was given. */
  private async messagesFor(answer: WaitingAnswer): Promise<{ messages: ChatMessage[]; grounding: TurnGrounding | null }> {
    const run = this.deps.store.get(answer.runId);
    const messages = this.historyFor(run, answer);
    const grounding = await this.groundingFor(run, answer.turn);
    return { messages: grounding?.kind === 'grounded' ? groundedMessages(messages, grounding.sources, run.documents?.only ?? false) : messages, grounding };
  }

  /**
   * Retrieved once per prompt, at its first answer, and kept with the turn: every model gets the
   * same passages (and a run resumed after a kill the ones it had). The query is the prompt, with
   * the prompt before it for a follow-up of a side-by-side run; the passages fit the smallest
   * context window of the run's models.
   */
  private groundingFor(run: CompareRun, turn: number): Promise<TurnGrounding | null> {
    const { documents } = this.deps;
    if (run.documents === null || documents === undefined) return Promise.resolve(null);
    const key = `${run.id}/${turn}`;
    // Columns starting together wait for the same retrieval.
    let grounding = this.groundings.get(key);
    if (grounding === undefined) {
      grounding = this.retrieve(run, turn, run.documents, documents).finally(() => this.groundings.delete(key));
      this.groundings.set(key, grounding);
    }
    return grounding;
  }

  private async retrieve(run: CompareRun, turn: number, attached: CompareDocuments, documents: NonNullable<RunnerDeps['documents']>): Promise<TurnGrounding> {
    const kept = this.deps.store.turnGrounding(run.id, turn);
    if (kept !== null) return kept;
    const prompts: ChatMessage[] = run.turnList.slice(run.kind === 'batch' ? turn : 0, turn + 1).map((shown) => ({ role: 'user', content: shown.prompt }));
    const sampling = this.deps.store.sampling(run.id);
    const windows = this.deps.store.columns(run.id).flatMap((column) => (column.modelId === null ? [] : [documents.contextTokens(column.modelId, sampling)]));
    const found = await documents.ground({ collectionIds: attached.collectionIds, only: attached.only }, prompts, Math.min(...windows), attached.locale);
    const grounding: TurnGrounding = found.kind === 'grounded' ? { kind: 'grounded', sources: found.sources } : found;
    this.deps.store.setTurnGrounding(run.id, turn, grounding);
    return grounding;
  }

  private historyFor(run: CompareRun, answer: WaitingAnswer): ChatMessage[] {
    const system: ChatMessage[] = run.systemPrompt === '' ? [] : [{ role: 'system', content: run.systemPrompt }];
    const prompt = (turn: number): string => run.turnList[turn]?.prompt ?? '';
    if (run.kind === 'batch') return [...system, { role: 'user', content: prompt(answer.turn) }];
    // compare: each column continues its own thread; replay: the history is ChatGPT's (the reference column).
    const historyColumn = run.kind === 'compare' ? answer.column : (run.columnList.find((column) => column.reference)?.position ?? answer.column);
    const history: ChatMessage[] = [];
    for (let turn = 0; turn < answer.turn; turn++) {
      const earlier = run.answers.find((cell) => cell.turn === turn && cell.column === historyColumn);
      history.push({ role: 'user', content: prompt(turn) }, { role: 'assistant', content: earlier?.content ?? '' });
    }
    return [...system, ...history, { role: 'user', content: prompt(answer.turn) }];
  }

  private fail(answer: WaitingAnswer, error: ErrorPayload, text = ''): void {
    this.update(answer, { state: 'error', content: text, errorCode: error.code });
  }

  /** Saves and tells the renderer (with what a hidden blind run withholds left out). */
  private update(answer: WaitingAnswer, update: AnswerUpdate): void {
    this.save(answer, update);
    let shown: CompareAnswer;
    try {
      shown = this.deps.store.shownAnswer(answer.runId, answer.turn, answer.column);
    } catch {
      return; // the run was deleted meanwhile
    }
    this.deps.emit({ event: 'compare.answer', payload: { runId: answer.runId, answer: shown } });
  }

  /** A failed write (disk full, database closed at shutdown) must not stop the queue. */
  private save(answer: WaitingAnswer, update: AnswerUpdate): void {
    try {
      this.deps.store.updateAnswer(answer.runId, answer.turn, answer.column, update);
    } catch (error) {
      console.error(`Enclave: could not save comparison answer ${answer.runId}/${answer.turn}/${answer.column}:`, error);
    }
  }

  private finishRunIfComplete(runId: string): void {
    try {
      const run = this.deps.store.get(runId);
      if (run.state === 'running' && run.doneAnswers === run.totalAnswers) this.deps.store.setState(runId, 'done');
      this.progress(runId);
    } catch (error) {
      if (error instanceof EnclaveError && error.code === 'NOT_FOUND') return;
      console.error(`Enclave: could not finish comparison run ${runId}:`, error);
    }
  }
}
