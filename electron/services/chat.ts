/** Generation jobs: one at a time on the engine, each streamed as events keyed by its job id. */
import { randomUUID } from 'node:crypto';
import type { ChatMessage, GenerationStats, Sampling } from '../../shared/chat.ts';
import type { EventPayloads } from '../../shared/contract.ts';
import { EnclaveError, toErrorPayload, type ErrorPayload } from '../../shared/errors.ts';
import type { EngineClient, JobMessage } from '../engine/engine-client.ts';
import type { Library } from './library.ts';

export type ChatEvent = {
  [E in 'chat.delta' | 'chat.loaded' | 'chat.done' | 'chat.error']: { event: E; payload: EventPayloads[E] };
}['chat.delta' | 'chat.loaded' | 'chat.done' | 'chat.error'];

/** Told of a job's progress before the events go out (the host saves answers through one). */
export interface JobObserver {
  onDelta(text: string): void;
  onDone(text: string, stats: GenerationStats): void;
  onError(error: ErrorPayload): void;
}

export class ChatService {
  private activeJobId: string | null = null;
  private observer: JobObserver | null = null;
  private readonly engine: EngineClient;
  private readonly library: Library;
  private readonly emit: (event: ChatEvent) => void;

  constructor(engine: EngineClient, library: Library, emit: (event: ChatEvent) => void) {
    this.engine = engine;
    this.library = library;
    this.emit = emit;
  }

  /** `prepare` runs once the job is accepted (not BUSY), before it starts; it may throw to refuse it. */
  async generate(
    input: { modelId: string; messages: ChatMessage[]; sampling?: Sampling | undefined },
    prepare?: (jobId: string) => JobObserver,
  ): Promise<{ jobId: string }> {
    const model = this.assertCanStart(input.modelId);
    const jobId = randomUUID();
    this.observer = prepare?.(jobId) ?? null;
    this.activeJobId = jobId;
    const request = { jobId, modelId: input.modelId, modelPath: model.path, messages: input.messages, sampling: input.sampling ?? {} };
    try {
      await this.engine.generate(request, (message) => this.forward(message));
    } catch (error) {
      this.observer?.onError(toErrorPayload(error));
      this.activeJobId = null;
      this.observer = null;
      throw error;
    }
    return { jobId };
  }

  /** Throws what `generate` would: an unusable model, or BUSY while another answer runs. */
  assertCanStart(modelId: string): ReturnType<Library['usable']> {
    const model = this.library.usable(modelId);
    if (this.activeJobId !== null) {
      throw new EnclaveError('BUSY', 'an answer is still being generated; stop it or wait for it to finish', { jobId: this.activeJobId });
    }
    return model;
  }

  stop(jobId: string): { stopped: boolean } {
    return { stopped: jobId === this.activeJobId && this.engine.stop(jobId) };
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
    return jobId === this.activeJobId ? this.observer : null;
  }

  private finish(jobId: string): void {
    if (this.activeJobId !== jobId) return;
    this.activeJobId = null;
    this.observer = null;
  }
}
