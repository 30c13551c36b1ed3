/** Typed messages between the host and the engine process. Both sides live in this repo. */
import type { ChatMessage, GenerationStats, Sampling } from '../../shared/chat.ts';
import type { ErrorPayload } from '../../shared/errors.ts';
import type { GpuBackend } from '../../shared/models.ts';

export interface GenerateRequest {
  jobId: string;
  modelId: string;
  modelPath: string;
  messages: ChatMessage[];
  sampling: Sampling;
}

export type HostToEngine =
  | { type: 'generate'; request: GenerateRequest }
  | { type: 'stop'; jobId: string }
  | { type: 'unload'; requestId: number };

export type EngineToHost =
  | { type: 'ready'; backend: GpuBackend; threads: number; pid: number }
  | { type: 'loading'; jobId: string; modelId: string }
  | { type: 'loaded'; jobId: string; modelId: string; loadMs: number; contextSize: number; threads: number }
  | { type: 'generating'; jobId: string }
  | { type: 'delta'; jobId: string; text: string }
  | { type: 'done'; jobId: string; text: string; stats: GenerationStats }
  | { type: 'error'; jobId: string; error: ErrorPayload }
  | { type: 'unloaded'; requestId: number }
  /** Fatal at start-up (no usable llama.cpp binary): the host reports it and does not respawn in a loop. */
  | { type: 'fatal'; error: ErrorPayload };
