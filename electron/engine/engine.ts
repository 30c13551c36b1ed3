/**
 * node-llama-cpp behind a small message interface. Runs inside the engine process (engine-main.ts);
 * the benchmarks also run it in-process to compare raw speed with the whole path.
 */
import {
  getLlama,
  LlamaChat,
  LlamaLogLevel,
  type ChatHistoryItem,
  type Llama,
  type LlamaContext,
  type LlamaContextOptions,
  type LlamaContextSequence,
  type LlamaModel,
  type GbnfJsonSchema,
  type LlamaGrammar,
} from 'node-llama-cpp';
import type { ChatMessage, GenerationStats } from '../../shared/chat.ts';
import { DEFAULT_SAMPLING } from '../../shared/chat.ts';
import { EnclaveError, toErrorPayload } from '../../shared/errors.ts';
import type { GpuBackend } from '../../shared/models.ts';
import type { EngineToHost, GenerateRequest } from './protocol.ts';
import { TextBatcher } from './text-batcher.ts';
import { chooseBatchSize, chooseThreads } from './threads.ts';

/** Context windows above this cost a lot of memory for little benefit in a desktop chat. */
export const MAX_CONTEXT_SIZE = 16_384;

export interface EngineOptions {
  cores: number;
  threadOverride: number | null;
  /** 'auto' tries CUDA, Vulkan or Metal and falls back to the CPU; false forces the CPU. */
  gpu: 'auto' | false;
  batchIntervalMs?: number;
}

interface LoadedModel {
  modelId: string;
  modelPath: string;
  model: LlamaModel;
  context: LlamaContext;
  sequence: LlamaContextSequence;
  chat: LlamaChat;
  threads: number;
}

export class Engine {
  private llama: Llama | null = null;
  private loaded: LoadedModel | null = null;
  private active: { jobId: string; abort: AbortController } | null = null;
  private readonly send: (message: EngineToHost) => void;
  private readonly options: EngineOptions;

  constructor(send: (message: EngineToHost) => void, options: EngineOptions) {
    this.send = send;
    this.options = options;
  }

  /** For the hardware fit (model library, issue #3): the loaded llama.cpp, null before start. */
  get currentLlama(): Llama | null {
    return this.llama;
  }

  /** Loads llama.cpp's prebuilt binary; never builds or downloads one at run time. */
  async start(): Promise<{ backend: GpuBackend; threads: number }> {
    this.llama = await getLlama({
      gpu: this.options.gpu,
      build: 'never',
      usePrebuiltBinaries: true,
      progressLogs: false,
      logLevel: LlamaLogLevel.error,
      maxThreads: Math.max(1, this.options.cores),
    });
    const backend: GpuBackend = this.llama.gpu === false ? 'cpu' : this.llama.gpu;
    const threads = chooseThreads({ cores: this.options.cores, mathCores: this.llama.cpuMathCores, override: this.options.threadOverride, parameterCount: null });
    return { backend, threads };
  }

  get busyJobId(): string | null {
    return this.active?.jobId ?? null;
  }

  async generate(request: GenerateRequest): Promise<void> {
    const { jobId } = request;
    if (this.active !== null) {
      this.send({ type: 'error', jobId, error: new EnclaveError('BUSY', `job ${this.active.jobId} is still generating`).toPayload() });
      return;
    }
    const abort = new AbortController();
    this.active = { jobId, abort };
    try {
      const loaded = await this.ensureLoaded(request);
      if (abort.signal.aborted) {
        this.send({ type: 'done', jobId, text: '', stats: emptyStats(request.modelId) });
        return;
      }
      this.send({ type: 'generating', jobId });
      await this.runGeneration(loaded, request, abort.signal);
    } catch (error) {
      // node-llama-cpp throws the abort reason when a stop comes before the first token: that is
      // a stop the user asked for, not a failure.
      if (abort.signal.aborted) this.send({ type: 'done', jobId, text: '', stats: emptyStats(request.modelId) });
      else this.send({ type: 'error', jobId, error: toErrorPayload(error) });
    } finally {
      this.active = null;
    }
  }

  stop(jobId: string): void {
    if (this.active?.jobId === jobId) this.active.abort.abort();
  }

  async unload(): Promise<void> {
    const loaded = this.loaded;
    this.loaded = null;
    if (loaded === null) return;
    loaded.chat.dispose();
    await loaded.context.dispose();
    await loaded.model.dispose();
  }

  async dispose(): Promise<void> {
    await this.unload();
    await this.llama?.dispose();
    this.llama = null;
  }

  private async ensureLoaded(request: GenerateRequest): Promise<LoadedModel> {
    if (this.loaded?.modelPath === request.modelPath) return this.loaded;
    if (this.llama === null) throw new EnclaveError('ENGINE_UNAVAILABLE', 'the engine has not started');
    await this.unload();
    this.send({ type: 'loading', jobId: request.jobId, modelId: request.modelId });
    const started = performance.now();
    let model: LlamaModel;
    try {
      model = await this.llama.loadModel({ modelPath: request.modelPath, gpuLayers: 'auto' });
    } catch (error) {
      throw new EnclaveError('MODEL_LOAD_FAILED', errorMessage(error), { modelId: request.modelId });
    }
    try {
      const threads = chooseThreads({
        cores: this.options.cores,
        mathCores: this.llama.cpuMathCores,
        override: this.options.threadOverride,
        parameterCount: model.fileInsights.totalParameters,
      });
      const context = await model.createContext(contextOptions(model, threads));
      const sequence = context.getSequence();
      const chat = new LlamaChat({ contextSequence: sequence, autoDisposeSequence: false });
      this.loaded = { modelId: request.modelId, modelPath: request.modelPath, model, context, sequence, chat, threads };
      this.send({
        type: 'loaded',
        jobId: request.jobId,
        modelId: request.modelId,
        loadMs: performance.now() - started,
        contextSize: context.contextSize,
        threads,
      });
      return this.loaded;
    } catch (error) {
      await model.dispose();
      throw new EnclaveError('MODEL_LOAD_FAILED', errorMessage(error), { modelId: request.modelId });
    }
  }

  private async runGeneration(loaded: LoadedModel, request: GenerateRequest, signal: AbortSignal): Promise<void> {
    const { jobId } = request;
    const sampling = { ...DEFAULT_SAMPLING, ...request.sampling };
    const batcher = new TextBatcher((text) => this.send({ type: 'delta', jobId, text }), this.options.batchIntervalMs);
    const inputBefore = loaded.sequence.tokenMeter.usedInputTokens;
    const started = performance.now();
    let firstTokenAt: number | null = null;
    let lastTokenAt = started;
    let tokens = 0;

    const result = await loaded.chat.generateResponse(toChatHistory(request.messages), {
      signal,
      stopOnAbortSignal: true,
      temperature: sampling.temperature,
      topP: sampling.topP,
      topK: sampling.topK,
      maxTokens: sampling.maxTokens,
      ...(sampling.seed === undefined ? {} : { seed: sampling.seed }),
      ...(await constraintOptions(this.llama, request)),
      onToken: (generated) => {
        const now = performance.now();
        firstTokenAt ??= now;
        lastTokenAt = now;
        tokens += generated.length;
      },
      onTextChunk: (text) => batcher.push(text),
    });
    batcher.flush();

    const decodeMs = firstTokenAt === null ? 0 : lastTokenAt - firstTokenAt;
    const stats: GenerationStats = {
      modelId: request.modelId,
      tokens,
      promptTokens: loaded.sequence.tokenMeter.usedInputTokens - inputBefore,
      timeToFirstTokenMs: firstTokenAt === null ? null : firstTokenAt - started,
      tokensPerSecond: tokens > 1 && decodeMs > 0 ? ((tokens - 1) * 1000) / decodeMs : null,
      durationMs: performance.now() - started,
      stopReason: result.metadata.stopReason,
    };
    this.send({ type: 'done', jobId, text: result.response, stats });
  }
}

/** The engine's context settings; the benchmark's raw baseline uses the same. */
export function contextOptions(model: LlamaModel, threads: number): LlamaContextOptions {
  const maxContextSize = Math.min(model.trainContextSize, MAX_CONTEXT_SIZE);
  return {
    contextSize: { max: maxContextSize },
    sequences: 1,
    threads,
    // Prompt speed as with node-llama-cpp's 512, for half the compute buffer (threads.ts).
    batchSize: chooseBatchSize(maxContextSize),
  };
}

/** Local API (issue #7): stop sequences and JSON schema grammars as node-llama-cpp options. */
async function constraintOptions(
  llama: Llama | null,
  request: GenerateRequest,
): Promise<{ customStopTriggers?: string[]; grammar?: LlamaGrammar }> {
  const { stop, jsonSchema } = request.constraints ?? {};
  const options: { customStopTriggers?: string[]; grammar?: LlamaGrammar } = {};
  if (stop !== undefined && stop.length > 0) options.customStopTriggers = stop;
  if (jsonSchema !== undefined) {
    if (llama === null) throw new EnclaveError('ENGINE_UNAVAILABLE', 'the engine has not started');
    try {
      options.grammar = await llama.createGrammarForJsonSchema<GbnfJsonSchema>(jsonSchema as GbnfJsonSchema);
    } catch (error) {
      throw new EnclaveError('BAD_REQUEST', `unsupported JSON schema: ${errorMessage(error)}`);
    }
  }
  return options;
}

export function toChatHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map((message): ChatHistoryItem => {
    switch (message.role) {
      case 'system':
        return { type: 'system', text: message.content };
      case 'user':
        return { type: 'user', text: message.content };
      case 'assistant':
        return { type: 'model', response: [message.content] };
      default:
        throw new EnclaveError('BAD_REQUEST', `unknown role ${String(message.role satisfies never)}`);
    }
  });
  history.push({ type: 'model', response: [] });
  return history;
}

function emptyStats(modelId: string): GenerationStats {
  return {
    modelId,
    tokens: 0,
    promptTokens: 0,
    timeToFirstTokenMs: null,
    tokensPerSecond: null,
    durationMs: 0,
    stopReason: 'abort',
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
