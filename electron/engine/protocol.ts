/** Typed messages between the host and the engine process. Both sides live in this repo. */
import type { ChatMessage, GenerationStats, Sampling } from '#shared/chat.ts';
import type { ErrorPayload } from '#shared/errors.ts';
import type { EngineBuild, GpuBackend } from '#shared/models.ts';
import type { HardwareInfo } from '#shared/hardware.ts';
import type { SpeedLine } from '#shared/speed.ts';

export type SpeculativeMode = 'off' | 'auto' | 'on';

export interface GenerateRequest {
  jobId: string;
  modelId: string;
  modelPath: string;
  messages: ChatMessage[];
  /** Instead of `messages`: text to continue as it is, without the chat template (the local API's /v1/completions). */
  prompt?: string;
  sampling: Sampling;
  /** Local API: stop sequences and a JSON schema the answer must follow. */
  constraints?: OutputConstraints;
  /** Sequences the model's context should have, for answers that run at once (default 1). */
  parallel?: number;
  /**
   * Speculative decoding by input lookup: 'auto' where it pays (a GPU backend; see
   * docs/performance.md#speculative-decoding), 'on' on any backend (tests, benchmark), 'off' (the
   * default) never. The host sends 'auto' unless the user turned it off.
   */
  speculative?: SpeculativeMode;
  /**
   * A smaller model of the same vocabulary that drafts the tokens when the answer speculates (the
   * catalog's `draft`), instead of input lookup. Refused (`GenerationStats.draftRefused`) when its
   * vocabulary differs or it cannot be loaded: the answer goes on without it.
   */
  draftModelPath?: string;
}

/** Local API: limits on the answer's text, applied with node-llama-cpp's own options. */
export interface OutputConstraints {
  /** The answer ends before the first of these texts (which is left out). */
  stop?: string[];
  /** A JSON schema, enforced with a grammar (`llama.createGrammarForJsonSchema`). */
  jsonSchema?: Record<string, unknown>;
}

export type HostToEngine =
  | { type: 'generate'; request: GenerateRequest }
  | { type: 'stop'; jobId: string }
  | { type: 'unload'; requestId: number }
  /** The most threads llama.cpp may use in this process now (the host splits the cores between busy engines). */
  | { type: 'threads'; maxThreads: number }
  | HardwareFitRequest
  | EmbedRequest;

/**
 * Vectors for texts from an embedding model (documents' dense retrieval): the process keeps one
 * embedding model loaded beside its chat model and answers with one normalised vector per text.
 */
export interface EmbedRequest {
  type: 'embed';
  requestId: number;
  modelPath: string;
  texts: string[];
}

export type EngineToHost =
  | { type: 'ready'; backend: GpuBackend; build: EngineBuild; threads: number; pid: number }
  | { type: 'loading'; jobId: string; modelId: string }
  | { type: 'loaded'; jobId: string; modelId: string; loadMs: number; contextSize: number; threads: number; parallel: number }
  /** The loaded model's context was made again, for another number of sequences or context size. */
  | { type: 'context'; contextSize: number; parallel: number }
  | { type: 'generating'; jobId: string }
  | { type: 'delta'; jobId: string; text: string }
  /** Text of the model's reasoning (its thought segment), before the answer. */
  | { type: 'thought'; jobId: string; text: string }
  | { type: 'done'; jobId: string; text: string; reasoning: string; stats: GenerationStats }
  | { type: 'error'; jobId: string; error: ErrorPayload }
  | { type: 'unloaded'; requestId: number }
  /** Fatal at start-up (no usable llama.cpp binary): the host reports it and does not respawn in a loop. */
  | { type: 'fatal'; error: ErrorPayload }
  | HardwareFitReply
  | EmbeddingsReply;

/** One vector per text of the request, in order; `tokens`: the tokens evaluated for them. */
export interface EmbeddingsReply {
  type: 'embeddings';
  requestId: number;
  vectors: Float32Array[];
  tokens: number;
}

// Hardware fit (model library): asked by the host, answered by requestId.
export type HardwareFitRequest =
  | { type: 'hardware'; requestId: number }
  /** `info` is node-llama-cpp's GgufFileInfo, read by the host over HTTP (structured clone keeps its bigints). */
  | { type: 'fit'; requestId: number; info: unknown; contextSize: number }
  /** Speed calibration: its synthetic models are written to `dir` and deleted. */
  | { type: 'calibrate'; requestId: number; dir: string };
export type HardwareFitReply =
  | { type: 'hardware-info'; requestId: number; hardware: HardwareInfo }
  | { type: 'fit-estimate'; requestId: number; estimate: FitEstimate }
  | { type: 'calibration'; requestId: number; cpu: SpeedLine; gpu: SpeedLine | null }
  | { type: 'request-failed'; requestId: number; error: ErrorPayload };

export interface FitEstimate {
  compatibilityScore: number;
  gpuLayers: number;
  totalLayers: number;
  contextSize: number;
  ramBytes: number;
  vramBytes: number;
}
