/**
 * Generates the waiting answers of every running comparison, one at a time through ChatService
 * (see schedule.ts for the order). When the engine is busy with another job (a chat), it waits for
 * that job's end and tries again. Streamed text is saved about once a second; a killed host finds
 * the cut answer back in the queue on its next start, and finished answers are never redone.
 */
import type { ChatMessage, GenerationStats } from '../../../shared/chat.ts';
import type { CompareAnswer, CompareEventPayloads, CompareProgress } from '../../../shared/compare.ts';
import type { EventPayloads } from '../../../shared/contract.ts';
import { EnclaveError, toErrorPayload, type ErrorPayload } from '../../../shared/errors.ts';
import type { ChatEvent, ChatService, JobObserver } from '../chat.ts';
import { readPeakMemoryBytes, resetPeakMemory } from './peak-memory.ts';
import { nextAnswer, type WaitingAnswer } from './schedule.ts';
import type { CompareStore } from './store.ts';

const SAVE_STREAMED_TEXT_EVERY_MS = 1_000;
/** The workbench's place in ChatService's fair queue: one answer at a time, between the app's and the API's jobs. */
export const COMPARE_CALLER = 'compare';
/** How often a refused (BUSY) start is retried if no end of the other job is seen first. */
const BUSY_RETRY_MS = 1_000;

export type CompareEvent = { [E in keyof CompareEventPayloads]: { event: E; payload: CompareEventPayloads[E] } }[keyof CompareEventPayloads];

export interface RunnerDeps {
  store: CompareStore;
  chat: ChatService;
  /** Every chat event of the host (for load times and the end of other jobs). */
  onChatEvent: (listener: (event: ChatEvent) => void) => () => void;
  loadedModelId: () => string | null;
  enginePid: () => number | undefined;
  emit: (event: CompareEvent) => void;
  now?: () => number;
}

interface Current {
  answer: WaitingAnswer;
  jobId: string | null;
  startedAt: number;
}

export class CompareRunner {
  private readonly deps: RunnerDeps;
  private readonly now: () => number;
  private running: Promise<void> | null = null;
  private current: Current | null = null;
  private disposed = false;
  private readonly loadTimes = new Map<string, number>();
  private readonly jobEnded = new Set<() => void>();
  private readonly offChat: () => void;

  constructor(deps: RunnerDeps) {
    this.deps = deps;
    this.now = deps.now ?? Date.now;
    this.offChat = deps.onChatEvent((event) => {
      if (event.event === 'chat.loaded') this.loadTimes.set(event.payload.jobId, event.payload.loadMs);
      if (event.event === 'chat.done' || event.event === 'chat.error') for (const wake of [...this.jobEnded]) wake();
    });
  }

  /** Starts working through the queue if it is not already. */
  kick(): void {
    if (this.disposed || this.running !== null) return;
    this.running = this.drain().finally(() => {
      this.running = null;
      if (!this.disposed && this.deps.store.waiting().length > 0) this.kick();
    });
  }

  /** Stops the answer being generated for this run, if one is. */
  stopRun(runId: string): void {
    if (this.current?.answer.runId === runId && this.current.jobId !== null) this.deps.chat.stop(this.current.jobId);
  }

  /** Resolves when the queue is empty (tests and the benchmark). */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  dispose(): void {
    this.disposed = true;
    this.offChat();
    for (const wake of [...this.jobEnded]) wake();
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.disposed) return;
      const answer = nextAnswer(this.deps.store.waiting(), this.deps.loadedModelId());
      if (answer === null) return;
      await this.generate(answer);
      this.finishRunIfComplete(answer.runId);
    }
  }

  private async generate(answer: WaitingAnswer): Promise<void> {
    const { store } = this.deps;
    const messages = this.messagesFor(answer);
    this.current = { answer, jobId: null, startedAt: this.now() };
    this.progress(answer.runId, 'waiting');
    const ended = new Promise<void>((resolve) => {
      const start = async (): Promise<void> => {
        for (;;) {
          if (this.disposed) return resolve();
          try {
            resetPeakMemory(this.deps.enginePid());
            const prepare = (jobId: string): JobObserver => {
              if (this.current !== null) this.current.jobId = jobId;
              this.update(answer, { state: 'generating', content: '' });
              this.progress(answer.runId, 'loading');
              return this.observe(answer, jobId, resolve);
            };
            await this.deps.chat.generate({ modelId: answer.modelId, messages, sampling: store.sampling(answer.runId) }, prepare, COMPARE_CALLER);
            return;
          } catch (error) {
            const payload = toErrorPayload(error);
            if (payload.code === 'BUSY') {
              await this.otherJobEnded();
              continue;
            }
            // Refused before the job started (a model gone from the folder): the answer fails, the run goes on.
            this.fail(answer, payload);
            return resolve();
          }
        }
      };
      void start();
    });
    await ended;
    this.current = null;
  }

  private observe(answer: WaitingAnswer, jobId: string, ended: () => void): JobObserver {
    let text = '';
    let savedAt = this.now();
    let reportedGenerating = false;
    return {
      onDelta: (delta: string) => {
        text += delta;
        if (!reportedGenerating) {
          reportedGenerating = true;
          this.progress(answer.runId, 'generating');
        }
        this.deps.emit({ event: 'compare.delta', payload: { runId: answer.runId, turn: answer.turn, column: answer.column, text: delta } });
        if (this.now() - savedAt < SAVE_STREAMED_TEXT_EVERY_MS) return;
        savedAt = this.now();
        this.save(answer, { content: text });
      },
      onDone: (finalText: string, stats: GenerationStats) => {
        const stopped = stats.stopReason === 'abort';
        this.update(answer, {
          content: finalText !== '' ? finalText : text,
          state: stopped ? 'stopped' : 'done',
          timeToFirstTokenMs: stats.timeToFirstTokenMs,
          tokensPerSecond: stats.tokensPerSecond,
          tokens: stats.tokens,
          loadMs: this.loadTimes.get(jobId) ?? 0,
          peakMemoryBytes: readPeakMemoryBytes(this.deps.enginePid()),
          durationMs: stats.durationMs,
        });
        this.loadTimes.delete(jobId);
        ended();
      },
      onError: (error: ErrorPayload) => {
        this.loadTimes.delete(jobId);
        this.fail(answer, error, text);
        ended();
      },
    };
  }

  private messagesFor(answer: WaitingAnswer): ChatMessage[] {
    const run = this.deps.store.get(answer.runId);
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

  private update(answer: WaitingAnswer, update: Parameters<CompareStore['updateAnswer']>[3]): void {
    this.save(answer, update);
    let saved: CompareAnswer;
    try {
      saved = this.deps.store.answer(answer.runId, answer.turn, answer.column);
    } catch {
      return; // the run was deleted meanwhile
    }
    this.deps.emit({ event: 'compare.answer', payload: { runId: answer.runId, answer: saved } });
  }

  /** A failed write (disk full, database closed at shutdown) must not stop the queue. */
  private save(answer: WaitingAnswer, update: Parameters<CompareStore['updateAnswer']>[3]): void {
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
      this.progress(runId, null);
    } catch (error) {
      if (!(error instanceof EnclaveError && error.code === 'NOT_FOUND')) throw error;
    }
  }

  progress(runId: string, phase: NonNullable<CompareProgress['current']>['phase'] | null): void {
    let run;
    try {
      run = this.deps.store.get(runId);
    } catch {
      return;
    }
    const finished = run.answers.filter((answer) => answer.state === 'done' && answer.durationMs !== null);
    const remaining = run.totalAnswers - run.doneAnswers;
    const average = finished.length === 0 ? null : finished.reduce((sum, answer) => sum + (answer.durationMs ?? 0) + (answer.loadMs ?? 0), 0) / finished.length;
    const current = phase === null || this.current === null ? null : { turn: this.current.answer.turn, column: this.current.answer.column, phase };
    const payload: EventPayloads['compare.progress'] = { runId, done: run.doneAnswers, total: run.totalAnswers, etaMs: average === null ? null : Math.round(average * remaining), current };
    this.deps.emit({ event: 'compare.progress', payload });
  }

  private otherJobEnded(): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.jobEnded.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, BUSY_RETRY_MS);
      this.jobEnded.add(wake);
    });
  }
}
