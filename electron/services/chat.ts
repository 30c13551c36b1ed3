/**
 * Generation jobs, streamed as events keyed by their job id. The engine runs one at a time; jobs
 * from other callers (the app, each local API request) wait in a fair queue: each caller holds at
 * most one job, running or waiting, so first come first served means nobody waits more than one
 * turn beyond the others. A caller that already has a job gets BUSY, as the app always did.
 */
import { randomUUID } from 'node:crypto';
import type { ChatMessage, GenerationStats, Sampling } from '../../shared/chat.ts';
import type { EventPayloads } from '../../shared/contract.ts';
import { EnclaveError, toErrorPayload, type ErrorPayload } from '../../shared/errors.ts';
import type { EngineClient, JobMessage } from '../engine/engine-client.ts';
import type { GenerateRequest, OutputConstraints } from '../engine/protocol.ts';
import type { Library } from './library.ts';

type ChatEventName = 'chat.delta' | 'chat.loaded' | 'chat.done' | 'chat.error' | 'chat.queued';
export type ChatEvent = { [E in ChatEventName]: { event: E; payload: EventPayloads[E] } }[ChatEventName];

/** Told of a job's progress before the events go out (the host saves answers through one). */
export interface JobObserver {
  onDelta(text: string): void;
  onDone(text: string, stats: GenerationStats): void;
  onError(error: ErrorPayload): void;
}

/** The app's own window (every tab of the web host): one answer at a time, as before the queue. */
export const APP_CALLER = 'app';

/** Beyond this many waiting jobs, new ones get BUSY instead of a place. */
export const MAX_WAITING_JOBS = 64;

export interface GenerateInput {
  modelId: string;
  messages: ChatMessage[];
  sampling?: Sampling | undefined;
  constraints?: OutputConstraints | undefined;
}

export interface QueueSnapshot {
  running: { jobId: string; caller: string } | null;
  waiting: { jobId: string; caller: string }[];
}

interface Job {
  jobId: string;
  caller: string;
  request: GenerateRequest;
  observer: JobObserver | null;
}

export class ChatService {
  private running: Job | null = null;
  private readonly waiting: Job[] = [];
  private readonly engine: EngineClient;
  private readonly library: Library;
  private readonly emit: (event: ChatEvent) => void;

  constructor(engine: EngineClient, library: Library, emit: (event: ChatEvent) => void) {
    this.engine = engine;
    this.library = library;
    this.emit = emit;
  }

  /**
   * Starts the job, or queues it behind the running one (a `chat.queued` event gives its place).
   * `prepare` runs once the job is accepted (not BUSY), before it starts; it may throw to refuse it.
   */
  async generate(input: GenerateInput, prepare?: (jobId: string) => JobObserver, caller: string = APP_CALLER): Promise<{ jobId: string }> {
    const model = this.assertCanStart(input.modelId, caller);
    const jobId = randomUUID();
    const request: GenerateRequest = { jobId, modelId: input.modelId, modelPath: model.path, messages: input.messages, sampling: input.sampling ?? {} };
    if (input.constraints !== undefined) request.constraints = input.constraints;
    const job: Job = { jobId, caller, request, observer: prepare?.(jobId) ?? null };
    if (this.running === null) {
      await this.start(job);
    } else {
      this.waiting.push(job);
      this.announcePlaces();
    }
    return { jobId };
  }

  /** Throws what `generate` would: an unusable model, BUSY while this caller has a job, or a full queue. */
  assertCanStart(modelId: string, caller: string = APP_CALLER): ReturnType<Library['usable']> {
    const model = this.library.usable(modelId);
    const own = [this.running, ...this.waiting].find((job) => job?.caller === caller);
    if (own !== undefined && own !== null) {
      throw new EnclaveError('BUSY', 'an answer is still being generated; stop it or wait for it to finish', { jobId: own.jobId });
    }
    if (this.waiting.length >= MAX_WAITING_JOBS) {
      throw new EnclaveError('BUSY', 'too many answers are waiting for the engine', { waiting: this.waiting.length });
    }
    return model;
  }

  /** Stops the running job, or takes a waiting one out of the queue (it ends as stopped, with no text). */
  stop(jobId: string): { stopped: boolean } {
    if (this.running?.jobId === jobId) return { stopped: this.engine.stop(jobId) };
    const index = this.waiting.findIndex((job) => job.jobId === jobId);
    if (index === -1) return { stopped: false };
    const [job] = this.waiting.splice(index, 1);
    if (job !== undefined) {
      const stats = unstartedStats(job.request.modelId);
      job.observer?.onDone('', stats);
      this.emit({ event: 'chat.done', payload: { jobId, text: '', stats } });
    }
    this.announcePlaces();
    return { stopped: true };
  }

  queue(): QueueSnapshot {
    const entry = (job: Job) => ({ jobId: job.jobId, caller: job.caller });
    return { running: this.running === null ? null : entry(this.running), waiting: this.waiting.map(entry) };
  }

  private async start(job: Job): Promise<void> {
    this.running = job;
    try {
      await this.engine.generate(job.request, (message) => this.forward(message));
    } catch (error) {
      job.observer?.onError(toErrorPayload(error));
      this.running = null;
      this.startNext();
      throw error;
    }
  }

  private startNext(): void {
    const next = this.waiting.shift();
    if (next === undefined) return;
    this.announcePlaces();
    // A waiting job has already answered its caller with a job id: a failure to start reaches it as an event.
    this.start(next).catch((error: unknown) => {
      this.emit({ event: 'chat.error', payload: { jobId: next.jobId, error: toErrorPayload(error) } });
    });
  }

  /** Every waiting job learns its place (1: next to run). */
  private announcePlaces(): void {
    this.waiting.forEach((job, index) => this.emit({ event: 'chat.queued', payload: { jobId: job.jobId, position: index + 1 } }));
  }

  private forward(message: JobMessage): void {
    switch (message.type) {
      case 'delta':
        this.observerOf(message.jobId)?.onDelta(message.text);
        this.emit({ event: 'chat.delta', payload: { jobId: message.jobId, text: message.text } });
        return;
      case 'loaded':
        this.emit({ event: 'chat.loaded', payload: { jobId: message.jobId, modelId: message.modelId, loadMs: message.loadMs } });
        return;
      case 'done':
        this.observerOf(message.jobId)?.onDone(message.text, message.stats);
        this.finish(message.jobId);
        this.emit({ event: 'chat.done', payload: { jobId: message.jobId, text: message.text, stats: message.stats } });
        return;
      case 'error':
        this.observerOf(message.jobId)?.onError(message.error);
        this.finish(message.jobId);
        this.emit({ event: 'chat.error', payload: { jobId: message.jobId, error: message.error } });
        return;
      case 'loading':
      case 'generating':
        return;
      default:
        throw new Error(`unknown job message ${JSON.stringify(message satisfies never)}`);
    }
  }

  private observerOf(jobId: string): JobObserver | null {
    return jobId === this.running?.jobId ? this.running.observer : null;
  }

  private finish(jobId: string): void {
    if (this.running?.jobId !== jobId) return;
    this.running = null;
    this.startNext();
  }
}

function unstartedStats(modelId: string): GenerationStats {
  return { modelId, tokens: 0, promptTokens: 0, timeToFirstTokenMs: null, tokensPerSecond: null, durationMs: 0, stopReason: 'abort' };
}
