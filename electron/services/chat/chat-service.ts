/**
 * Generation jobs, streamed as events keyed by their job id. Jobs from every caller (the app, each
 * workshop participant, the local API, the comparison workbench) share one fair queue: each caller
 * holds at most one job, running or waiting, so first come first served means nobody waits more
 * than one turn beyond the others. A caller that already has a job gets BUSY.
 *
 * Several jobs run at once: on the same model when it is shared among answers (`setParallel`, one
 * sequence of its context each, as in a workshop), and on other models in other engine processes
 * while memory holds them (EnginePool). A job that cannot start yet waits, and so does everyone
 * behind it.
 */
import { randomUUID } from 'node:crypto';
import type { ChatMessage, GenerationStats, Sampling } from '#shared/chat.ts';
import type { EventPayloads } from '#shared/contract.ts';
import { EnclaveError, toErrorPayload, type ErrorPayload } from '#shared/errors.ts';
import type { EngineClient, JobMessage } from '../../engine/client/engine-client.ts';
import type { EnginePool } from '../../engine/client/engine-pool.ts';
import type { GenerateRequest, OutputConstraints, SpeculativeMode } from '../../engine/protocol.ts';
import type { Library } from '../models/library.ts';

type ChatEventName = 'chat.delta' | 'chat.thought' | 'chat.loaded' | 'chat.done' | 'chat.error' | 'chat.queued';
export type ChatEvent = { [E in ChatEventName]: { event: E; payload: EventPayloads[E] } }[ChatEventName];

/**
 * How code in this process follows a job it started: told of each step before the event goes out
 * to the transports (the conversations save answers through one, the workbench records load
 * times, the workshop counts a participant's answers). The event bus is for transports only.
 */
export interface JobObserver {
  onDelta(text: string): void;
  onThought?(text: string): void;
  onLoaded?(modelId: string, loadMs: number): void;
  onDone(text: string, stats: GenerationStats, reasoning: string): void;
  onError(error: ErrorPayload): void;
}

/** Both observers, in order: the first is told of each step before the second. */
export function bothObservers(first: JobObserver, second: JobObserver): JobObserver {
  return {
    onDelta: (text) => {
      first.onDelta(text);
      second.onDelta(text);
    },
    onThought: (text) => {
      first.onThought?.(text);
      second.onThought?.(text);
    },
    onLoaded: (modelId, loadMs) => {
      first.onLoaded?.(modelId, loadMs);
      second.onLoaded?.(modelId, loadMs);
    },
    onDone: (text, stats, reasoning) => {
      first.onDone(text, stats, reasoning);
      second.onDone(text, stats, reasoning);
    },
    onError: (error) => {
      first.onError(error);
      second.onError(error);
    },
  };
}

/**
 * Whose turn a job takes in the fair queue. Each caller holds at most one job, so the comparison
 * workbench, running several answers at once, takes one place per slot.
 */
export type Caller = { kind: 'app' } | { kind: 'participant'; participantId: string } | { kind: 'api'; requestId: string } | { kind: 'compare'; slot: number };

/** The app's own window (every tab of the web host): one answer at a time. */
export const APP_CALLER: Caller = { kind: 'app' };

export function sameCaller(a: Caller, b: Caller): boolean {
  switch (a.kind) {
    case 'app':
      return b.kind === 'app';
    case 'participant':
      return b.kind === 'participant' && b.participantId === a.participantId;
    case 'api':
      return b.kind === 'api' && b.requestId === a.requestId;
    case 'compare':
      return b.kind === 'compare' && b.slot === a.slot;
    default:
      return a satisfies never;
  }
}

/** A job the room's throughput counts: when it ended, how many tokens, how long it ran. */
export interface FinishedJob {
  at: number;
  caller: Caller;
  tokens: number;
  durationMs: number;
}

/** Beyond this many waiting jobs, new ones get BUSY instead of a place. */
export const MAX_WAITING_JOBS = 64;

/** How long ended jobs are remembered for `finishedSince`. */
const FINISHED_KEPT_MS = 60_000;

/** The most answers one model's context runs at once, whatever is asked. */
export const MAX_PARALLEL = 8;

export interface GenerateInput {
  /** Chosen by the client over the contract, so it can follow the job's events from the first; otherwise a new one. */
  jobId?: string | undefined;
  modelId: string;
  messages: ChatMessage[];
  /** Instead of a chat: text the model continues as it is (the local API's /v1/completions). */
  prompt?: string | undefined;
  sampling?: Sampling | undefined;
  constraints?: OutputConstraints | undefined;
}

/**
 * An engine outside this machine (a model of an inference server): jobs are placed on it, in the
 * same fair queue, while fewer than `capacity` of them run there.
 */
export interface RemoteEngine {
  readonly capacity: number;
  generate(request: GenerateRequest, listener: (message: JobMessage) => void): Promise<void>;
  stop(jobId: string): boolean;
}

/** Finds the remote engine of a model id (null: a model of the local library). */
export interface RemoteModels {
  engineFor(modelId: string): RemoteEngine | null;
}

export interface QueueSnapshot {
  running: { jobId: string; caller: Caller }[];
  waiting: { jobId: string; caller: Caller }[];
}

interface Job {
  jobId: string;
  caller: Caller;
  request: GenerateRequest;
  /** For the memory check when the model needs a process of its own (its draft model's included). */
  modelBytes: number;
  /** The library id of the model's draft model (speculative decoding), or null. */
  draftId: string | null;
  observer: JobObserver | null;
  /** The engine process it runs on, once started. */
  engine: EngineClient | RemoteEngine | null;
  /** Where a server's model runs; null for a local model. */
  remote: RemoteEngine | null;
}

export class ChatService {
  private readonly running = new Map<string, Job>();
  private readonly waiting: Job[] = [];
  /** The place each waiting job was last told, so an unchanged place is not sent again. */
  private readonly announced = new Map<string, number>();
  private parallel = 1;
  private finished: FinishedJob[] = [];
  private readonly changeListeners = new Set<() => void>();
  private readonly engines: EnginePool;
  private readonly library: Library;
  private readonly emit: (event: ChatEvent) => void;
  private readonly remote: RemoteModels;
  private readonly speculative: () => SpeculativeMode;

  /** `speculative`: speculative decoding for each job, from the user's setting. */
  constructor(engines: EnginePool, library: Library, emit: (event: ChatEvent) => void, remote: RemoteModels = { engineFor: () => null }, speculative: () => SpeculativeMode = () => 'auto') {
    this.engines = engines;
    this.library = library;
    this.emit = emit;
    this.remote = remote;
    this.speculative = speculative;
    // A context made again with more sequences lets waiting jobs join the running ones.
    engines.onStatus(() => this.dispatch());
  }

  /** How many answers may share the loaded model at once (1: one after another). */
  setParallel(parallel: number): void {
    this.parallel = Math.min(MAX_PARALLEL, Math.max(1, Math.floor(parallel)));
    this.dispatch();
  }

  /**
   * Starts the job, or queues it (a `chat.queued` event gives its place). `prepare` runs once the
   * job is accepted (not BUSY), before it starts; it may throw to refuse it.
   */
  async generate(input: GenerateInput, prepare?: (jobId: string) => JobObserver, caller: Caller = APP_CALLER): Promise<{ jobId: string }> {
    const target = this.assertCanStart(input.modelId, caller);
    const jobId = input.jobId ?? randomUUID();
    if (this.running.has(jobId) || this.waiting.some((job) => job.jobId === jobId)) {
      throw new EnclaveError('BAD_REQUEST', 'this job id is already in use', { jobId });
    }
    const request: GenerateRequest = {
      jobId,
      modelId: input.modelId,
      modelPath: target.path,
      messages: input.messages,
      sampling: input.sampling ?? {},
      speculative: this.speculative(),
    };
    if (input.prompt !== undefined) request.prompt = input.prompt;
    if (input.constraints !== undefined) request.constraints = input.constraints;
    // The catalog's draft model, when its file is in the library: the engine drafts with it where it speculates, and it takes memory too.
    const draft = target.remote === null && request.speculative !== 'off' ? this.library.draftOf(input.modelId) : null;
    const modelBytes = target.sizeBytes + (draft?.info.sizeBytes ?? 0);
    const job: Job = { jobId, caller, request, modelBytes, draftId: draft?.info.id ?? null, observer: prepare?.(jobId) ?? null, engine: null, remote: target.remote };
    const engine = this.waiting.length === 0 ? this.placeOf(job) : null;
    if (engine !== null) {
      // Started at once: a failure to start (no engine) is the caller's error, as it always was.
      await this.start(job, engine);
    } else {
      this.waiting.push(job);
      this.announcePlaces();
      this.changed();
    }
    return { jobId };
  }

  /** Throws unless the model can answer: a usable file of the library, or a configured server's model. */
  assertModel(modelId: string): void {
    if (this.remote.engineFor(modelId) === null) this.library.usable(modelId);
  }

  /** Throws what `generate` would: an unusable model, BUSY while this caller has a job, or a full queue. */
  assertCanStart(modelId: string, caller: Caller = APP_CALLER): { path: string; sizeBytes: number; remote: RemoteEngine | null } {
    const remote = this.remote.engineFor(modelId);
    const model = remote === null ? this.library.usable(modelId) : null;
    const own = [...this.running.values(), ...this.waiting].find((job) => sameCaller(job.caller, caller));
    if (own !== undefined) {
      throw new EnclaveError('BUSY', 'an answer is still being generated; stop it or wait for it to finish', { jobId: own.jobId, reason: 'answer-running' });
    }
    if (this.waiting.length >= MAX_WAITING_JOBS) {
      throw new EnclaveError('BUSY', 'too many answers are waiting for the engine', { waiting: this.waiting.length, reason: 'queue-full' });
    }
    return model === null ? { path: '', sizeBytes: 0, remote } : { path: model.path, sizeBytes: model.info.sizeBytes, remote: null };
  }

  /** Stops a running job, or takes a waiting one out of the queue (it ends as stopped, with no text). */
  stop(jobId: string): { stopped: boolean } {
    const running = this.running.get(jobId);
    if (running !== undefined) return { stopped: running.engine?.stop(jobId) ?? false };
    const index = this.waiting.findIndex((job) => job.jobId === jobId);
    if (index === -1) return { stopped: false };
    const [job] = this.waiting.splice(index, 1);
    if (job !== undefined) {
      const stats = unstartedStats(job.request.modelId);
      job.observer?.onDone('', stats, '');
      this.changed();
      this.emit({ event: 'chat.done', payload: { jobId, text: '', reasoning: '', stats } });
    }
    this.announcePlaces();
    this.dispatch();
    return { stopped: true };
  }

  /**
   * Called whenever the queue changes (a job queued, started, moved up or ended) or a job writes its
   * first text: for displays that read `queue()` and `finishedSince()`, such as the workshop console.
   */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Jobs that ended with an answer since `time` (at most the last minute is kept). */
  finishedSince(time: number): FinishedJob[] {
    return this.finished.filter((job) => job.at >= time);
  }

  queue(): QueueSnapshot {
    const entry = (job: Job) => ({ jobId: job.jobId, caller: job.caller });
    return { running: [...this.running.values()].map(entry), waiting: this.waiting.map(entry) };
  }

  /**
   * The engine process the job can start on now, or null. Beside jobs already on the process of
   * its model, only with the same context size while that context has a free sequence (it is
   * made again with more only when idle).
   */
  private placeOf(job: Job): EngineClient | RemoteEngine | null {
    if (job.remote !== null) {
      const there = [...this.running.values()].filter((other) => other.engine === job.remote).length;
      return there < job.remote.capacity ? job.remote : null;
    }
    return this.engines.place(job.request.modelPath, job.modelBytes, (engine) => {
      const there = [...this.running.values()].filter((other) => other.engine === engine);
      if (there.length === 0) return true;
      const sameContext = there.every((other) => other.request.sampling.contextSize === job.request.sampling.contextSize);
      return sameContext && there.length < Math.min(this.parallel, engine.status.parallel ?? 1);
    });
  }

  private async start(job: Job, engine: EngineClient | RemoteEngine): Promise<void> {
    this.running.set(job.jobId, job);
    this.changed();
    job.engine = engine;
    job.request.parallel = this.parallel;
    if (job.remote === null) this.engines.jobStarted(engine as EngineClient);
    try {
      // The header is checked again at load time: a file swapped since the scan never reaches llama.cpp.
      if (job.remote === null) job.request.modelPath = await this.library.verifiedPath(job.request.modelId);
      // The draft model's too; one that fails the check is left out, and the answer goes on without it.
      const draftPath = job.draftId === null ? null : await this.library.verifiedPath(job.draftId).catch(() => null);
      if (draftPath !== null) job.request.draftModelPath = draftPath;
      await engine.generate(job.request, (message) => this.forward(message));
    } catch (error) {
      job.observer?.onError(toErrorPayload(error));
      this.finish(job.jobId);
      throw error;
    }
  }

  /** Starts waiting jobs, in order, while the first one can run. */
  private dispatch(): void {
    let started = false;
    for (let next = this.waiting[0]; next !== undefined; next = this.waiting[0]) {
      const engine = this.placeOf(next);
      if (engine === null) break;
      this.waiting.shift();
      started = true;
      // A waiting job has already answered its caller with a job id: a failure to start reaches it as an event.
      this.start(next, engine).catch((error: unknown) => {
        this.emit({ event: 'chat.error', payload: { jobId: next.jobId, error: toErrorPayload(error) } });
      });
    }
    if (started) this.announcePlaces();
  }

  /** Every waiting job learns its place when it changes (1: next to run). */
  private announcePlaces(): void {
    const waitingIds = new Set(this.waiting.map((job) => job.jobId));
    for (const jobId of this.announced.keys()) if (!waitingIds.has(jobId)) this.announced.delete(jobId);
    this.waiting.forEach((job, index) => {
      const position = index + 1;
      if (this.announced.get(job.jobId) === position) return;
      this.announced.set(job.jobId, position);
      this.emit({ event: 'chat.queued', payload: { jobId: job.jobId, position } });
    });
  }

  private forward(message: JobMessage): void {
    const observer = this.running.get(message.jobId)?.observer ?? null;
    switch (message.type) {
      case 'delta':
        observer?.onDelta(message.text);
        this.emit({ event: 'chat.delta', payload: { jobId: message.jobId, text: message.text } });
        return;
      case 'thought':
        observer?.onThought?.(message.text);
        this.emit({ event: 'chat.thought', payload: { jobId: message.jobId, text: message.text } });
        return;
      case 'loaded':
        observer?.onLoaded?.(message.modelId, message.loadMs);
        this.emit({ event: 'chat.loaded', payload: { jobId: message.jobId, modelId: message.modelId, loadMs: message.loadMs } });
        return;
      case 'done':
        observer?.onDone(message.text, message.stats, message.reasoning);
        this.finish(message.jobId, message.stats);
        this.emit({ event: 'chat.done', payload: { jobId: message.jobId, text: message.text, reasoning: message.reasoning, stats: message.stats } });
        return;
      case 'error':
        observer?.onError(message.error);
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

  private finish(jobId: string, stats?: GenerationStats): void {
    const job = this.running.get(jobId);
    if (job === undefined) return;
    this.running.delete(jobId);
    if (job.engine !== null && job.remote === null) this.engines.jobEnded(job.engine as EngineClient);
    if (stats !== undefined) {
      const now = Date.now();
      this.finished = this.finished.filter((entry) => now - entry.at < FINISHED_KEPT_MS);
      this.finished.push({ at: now, caller: job.caller, tokens: stats.tokens, durationMs: stats.durationMs });
    }
    this.dispatch();
    this.changed();
  }

  private changed(): void {
    for (const listener of this.changeListeners) listener();
  }
}

function unstartedStats(modelId: string): GenerationStats {
  return { modelId, tokens: 0, promptTokens: 0, timeToFirstTokenMs: null, tokensPerSecond: null, durationMs: 0, stopReason: 'abort' };
}
