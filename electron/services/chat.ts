/** Generation jobs: one at a time on the engine, each streamed as events keyed by its job id. */
import { randomUUID } from 'node:crypto';
import type { ChatMessage, Sampling } from '../../shared/chat.ts';
import type { EventPayloads } from '../../shared/contract.ts';
import { EnclaveError } from '../../shared/errors.ts';
import type { EngineClient, JobMessage } from '../engine/engine-client.ts';
import type { Library } from './library.ts';

export type ChatEvent = {
  [E in 'chat.delta' | 'chat.loaded' | 'chat.done' | 'chat.error']: { event: E; payload: EventPayloads[E] };
}['chat.delta' | 'chat.loaded' | 'chat.done' | 'chat.error'];

export class ChatService {
  private activeJobId: string | null = null;
  private readonly engine: EngineClient;
  private readonly library: Library;
  private readonly emit: (event: ChatEvent) => void;

  constructor(engine: EngineClient, library: Library, emit: (event: ChatEvent) => void) {
    this.engine = engine;
    this.library = library;
    this.emit = emit;
  }

  async generate(input: { modelId: string; messages: ChatMessage[]; sampling?: Sampling | undefined }): Promise<{ jobId: string }> {
    const model = this.library.usable(input.modelId);
    if (this.activeJobId !== null) {
      throw new EnclaveError('BUSY', 'an answer is still being generated; stop it or wait for it to finish', { jobId: this.activeJobId });
    }
    const jobId = randomUUID();
    this.activeJobId = jobId;
    const request = { jobId, modelId: input.modelId, modelPath: model.path, messages: input.messages, sampling: input.sampling ?? {} };
    try {
      await this.engine.generate(request, (message) => this.forward(message));
    } catch (error) {
      this.activeJobId = null;
      throw error;
    }
    return { jobId };
  }

  stop(jobId: string): { stopped: boolean } {
    return { stopped: jobId === this.activeJobId && this.engine.stop(jobId) };
  }

  private forward(message: JobMessage): void {
    switch (message.type) {
      case 'delta':
        this.emit({ event: 'chat.delta', payload: { jobId: message.jobId, text: message.text } });
        return;
      case 'loaded':
        this.emit({ event: 'chat.loaded', payload: { jobId: message.jobId, modelId: message.modelId, loadMs: message.loadMs } });
        return;
      case 'done':
        this.finish(message.jobId);
        this.emit({ event: 'chat.done', payload: { jobId: message.jobId, text: message.text, stats: message.stats } });
        return;
      case 'error':
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

  private finish(jobId: string): void {
    if (this.activeJobId === jobId) this.activeJobId = null;
  }
}
