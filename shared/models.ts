import { z } from 'zod';

/** Why a file in the models folder cannot be used; the renderer translates the code. */
export const MODEL_PROBLEM_CODES = ['NOT_GGUF', 'TRUNCATED', 'NO_TENSORS', 'UNSUPPORTED_VERSION', 'BAD_HEADER', 'UNVERIFIED', 'MISSING'] as const;
export type ModelProblemCode = (typeof MODEL_PROBLEM_CODES)[number];

export const modelProblemSchema = z.object({ code: z.enum(MODEL_PROBLEM_CODES), message: z.string() });
export type ModelProblem = z.infer<typeof modelProblemSchema>;

/** What a model is for: answering (chat), embedding texts into vectors (documents' retrieval), or reranking passages. */
export const MODEL_KINDS = ['chat', 'embedding', 'reranking'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** A model's kind; a model described before kinds existed (or a server's) is a chat model. */
export function kindOf(model: { kind?: ModelKind | undefined }): ModelKind {
  return model.kind ?? 'chat';
}

/** A model file found in the models folder, described from its GGUF header. */
export const modelInfoSchema = z.object({
  /** Stable id: the file's path relative to the models folder, with forward slashes. */
  id: z.string(),
  name: z.string(),
  fileName: z.string(),
  sizeBytes: z.number(),
  architecture: z.string().nullable(),
  parameterCount: z.number().nullable(),
  quantization: z.string().nullable(),
  contextLength: z.number().nullable(),
  hasChatTemplate: z.boolean(),
  /** From the catalog for a catalog model, else from the header (a pooling type, an encoder architecture); absent: chat. */
  kind: z.enum(MODEL_KINDS).optional(),
  /** null when the header is valid; otherwise why the file cannot be used. */
  problem: modelProblemSchema.nullable(),
  /** Where the file came from, from its manifest (model library); absent for a file simply put in the folder. */
  source: z.object({ kind: z.enum(['huggingface', 'import']), repo: z.string().nullable(), catalogId: z.string().nullable(), verified: z.boolean() }).optional(),
  /** A model of an inference server (no file here): the text sent to it is computed on that server. */
  server: z.object({ id: z.string(), name: z.string() }).optional(),
});
export type ModelInfo = z.infer<typeof modelInfoSchema>;

export type GpuBackend = 'cuda' | 'vulkan' | 'metal' | 'cpu';

/** Which llama.cpp the engine loaded: node-llama-cpp's prebuilt binaries, or the one `npm run engine:build` made on this machine. */
export type EngineBuild = 'prebuilt' | 'local';

export type EngineState = 'starting' | 'idle' | 'loading' | 'ready' | 'generating' | 'crashed';

/** A model loaded in one of the engine processes. */
export interface LoadedModelStatus {
  modelId: string;
  contextSize: number;
  /** Answers its context can run at once (its sequences). */
  parallel: number;
  threads: number;
}

/** The engine processes as one: the busiest state, and every model loaded now (one per process). */
export interface EngineStatus {
  state: EngineState;
  backend: GpuBackend | null;
  build: EngineBuild | null;
  /** The thread count chosen for this machine. */
  threads: number | null;
  loaded: LoadedModelStatus[];
}
