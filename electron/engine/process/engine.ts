/**
 * node-llama-cpp behind a small message interface. Runs inside the engine process (engine-main.ts);
 * the benchmarks also run it in-process to compare raw speed with the whole path.
 *
 * One model is loaded at a time. Its context has one sequence per answer that may run at once
 * (`GenerateRequest.parallel`, 1 unless the host shares the engine, as in a workshop): llama.cpp
 * evaluates the running sequences together in one batch, which costs little more than one.
 */
import {
  DraftSequenceTokenPredictor,
  getLlama,
  InputLookupTokenPredictor,
  LlamaChat,
  LlamaCompletion,
  LlamaLogLevel,
  type ChatHistoryItem,
  type GbnfJsonSchema,
  type Llama,
  type LlamaChatResponseChunk,
  type LlamaContext,
  type LlamaContextOptions,
  type LlamaContextSequence,
  type LlamaEmbeddingContext,
  type LlamaGrammar,
  type LlamaModel,
} from 'node-llama-cpp';
import type { ChatMessage, GenerationStats, StopReason } from '#shared/chat.ts';
import { DEFAULT_SAMPLING, MAX_CONTEXT_SIZE } from '#shared/chat.ts';
import { EnclaveError, toErrorPayload, type ErrorPayload } from '#shared/errors.ts';
import type { EngineBuild, GpuBackend } from '#shared/models.ts';
import { readLocalEngineBuild } from '../local-build/manifest.ts';
import { engineBuildOf, hasThreadPool } from './llama-build.ts';
import type { EngineToHost, GenerateRequest } from '../protocol.ts';
import { TextBatcher } from './text-batcher.ts';
import { calibrate, type CalibrationRun } from './calibration.ts';
import { chooseBatchSize, chooseThreads, DECODE_ALONE_BELOW_PARAMETERS, type ThreadChoice } from './threads.ts';

export interface EngineOptions {
  cores: number;
  threadOverride: number | null;
  /** 'auto' tries CUDA, Vulkan or Metal and falls back to the CPU; false forces the CPU. */
  gpu: 'auto' | false;
  /** 'prebuilt' ignores a build made here by `npm run engine:build` (ENCLAVE_ENGINE_BUILD=prebuilt). */
  engineBuild?: 'auto' | 'prebuilt';
  batchIntervalMs?: number;
}

/** How a sequence drafts tokens (speculative decoding): not at all, by input lookup, or with a draft model. */
type Speculation = 'off' | 'lookup' | 'draft';

/** One sequence of the context and the chat on it; `history` is what it holds, for reuse. */
interface Slot {
  sequence: LlamaContextSequence;
  chat: LlamaChat;
  speculation: Speculation;
  /** With a draft model: the model, and the sequence of its context that drafts for this one. */
  draft: { model: DraftModel; sequence: LlamaContextSequence } | null;
  jobId: string | null;
  history: readonly ChatMessage[];
  lastUsed: number;
}

interface LoadedModel {
  modelId: string;
  modelPath: string;
  model: LlamaModel;
  context: LlamaContext;
  /** What the context was created for: a request asking for something else gets a new one. */
  requestedContextSize: number | null;
  slots: Slot[];
  /** For prompts, and for generating tokens (threads.ts). */
  threads: ThreadChoice;
  /** The draft model kept for the next answers while this model stays loaded; disposed with it. */
  draft: DraftModel | null;
  /** Draft models refused for this model (another vocabulary, or unloadable), by path: not tried again while it stays loaded. */
  refusedDrafts: Map<string, ErrorPayload>;
}

/** A smaller model of the same vocabulary that drafts tokens for the loaded one (speculative decoding). */
interface DraftModel {
  modelPath: string;
  model: LlamaModel;
  /** As many sequences as the model's context; null from when that context is disposed until an answer drafts again. */
  context: LlamaContext | null;
}

/** The embedding model (documents' dense retrieval), kept loaded beside the chat model. */
interface EmbeddingModel {
  modelPath: string;
  model: LlamaModel;
  context: LlamaEmbeddingContext;
}

/** The most tokens of one text an embedding covers: a longer passage is embedded by its start. */
const MAX_EMBEDDING_CONTEXT = 2048;

export class Engine {
  private llama: Llama | null = null;
  private loaded: LoadedModel | null = null;
  private embedding: Promise<EmbeddingModel> | null = null;
  /** Embedding requests run one after another (the embedding context has one sequence). */
  private embeddingQueue: Promise<unknown> = Promise.resolve();
  /** Loading, or replacing the context: requests that arrive meanwhile wait for it. */
  private preparing: Promise<void> = Promise.resolve();
  private readonly active = new Map<string, AbortController>();
  /** Answers still evaluating their prompt: while any is, the prompt's thread count applies. */
  private promptPhases = 0;
  /** The host's share of the cores for this process (EnginePool splits them between busy engines). */
  private threadBudget: number;
  private readonly send: (message: EngineToHost) => void;
  private readonly options: EngineOptions;

  constructor(send: (message: EngineToHost) => void, options: EngineOptions) {
    this.send = send;
    this.options = options;
    this.threadBudget = options.cores;
  }

  /** For the hardware fit (model library): the loaded llama.cpp, null before start. */
  get currentLlama(): Llama | null {
    return this.llama;
  }

  /**
   * Loads llama.cpp: the build made on this machine by `npm run engine:build` when there is one for
   * the backend, else node-llama-cpp's prebuilt binaries. Never builds or downloads one at run time.
   */
  async start(): Promise<{ backend: GpuBackend; build: EngineBuild; threads: number }> {
    const local = this.options.engineBuild === 'prebuilt' ? null : await readLocalEngineBuild();
    this.llama = await getLlama({
      gpu: this.options.gpu,
      build: 'never',
      usePrebuiltBinaries: true,
      // node-llama-cpp finds a local build by these options; without one for them, it loads the prebuilt binaries.
      cmakeOptions: local?.cmakeOptions,
      progressLogs: false,
      logLevel: LlamaLogLevel.error,
      maxThreads: Math.max(1, this.options.cores),
    });
    const backend: GpuBackend = this.llama.gpu === false ? 'cpu' : this.llama.gpu;
    const threads = chooseThreads({ cores: this.options.cores, mathCores: this.llama.cpuMathCores, override: this.options.threadOverride, parameterCount: null });
    return { backend, build: engineBuildOf(this.llama), threads: threads.decode };
  }

  async generate(request: GenerateRequest): Promise<void> {
    const { jobId } = request;
    if (this.active.has(jobId)) {
      this.send({ type: 'error', jobId, error: new EnclaveError('BAD_REQUEST', `job ${jobId} is already running`).toPayload() });
      return;
    }
    const abort = new AbortController();
    this.active.set(jobId, abort);
    let slot: Slot | null = null;
    try {
      const loaded = await this.prepare(request);
      slot = takeSlot(loaded, request);
      const draft = this.draftFor(loaded, request);
      const speculation: Speculation = !this.speculates(request) ? 'off' : draft === null ? 'lookup' : 'draft';
      if (slot.speculation !== speculation || (slot.draft?.model ?? null) !== draft) await renewSlot(loaded, slot, speculation, draft);
      if (abort.signal.aborted) {
        this.send({ type: 'done', jobId, text: '', reasoning: '', stats: emptyStats(request.modelId) });
        return;
      }
      this.send({ type: 'generating', jobId });
      await this.runGeneration(loaded, slot, request, abort.signal);
    } catch (error) {
      // node-llama-cpp throws the abort reason when a stop comes before the first token: that is
      // a stop the user asked for, not a failure.
      if (abort.signal.aborted) this.send({ type: 'done', jobId, text: '', reasoning: '', stats: emptyStats(request.modelId) });
      else this.send({ type: 'error', jobId, error: toErrorPayload(error) });
    } finally {
      if (slot !== null) slot.jobId = null;
      this.active.delete(jobId);
    }
  }

  /** Whether the request's answer drafts tokens (by input lookup, or with its draft model): where it pays (a GPU), unless asked otherwise. */
  private speculates(request: GenerateRequest): boolean {
    const mode = request.speculative ?? 'off';
    return mode === 'on' || (mode === 'auto' && this.llama !== null && this.llama.gpu !== false);
  }

  stop(jobId: string): void {
    this.active.get(jobId)?.abort();
  }

  /** The host's share of the cores for this process, from the next batch on. */
  setMaxThreads(maxThreads: number): void {
    this.threadBudget = Math.max(1, Math.min(this.options.cores, Math.floor(maxThreads)));
    this.applyThreads();
  }

  /**
   * node-llama-cpp's thread splitter reads `llama.maxThreads` before every batch: the prompt's
   * count while an answer evaluates its prompt, the generation's once all are generating, within
   * the host's share. The context is made with the prompt's count, the most it may use.
   */
  private applyThreads(): void {
    if (this.llama === null) return;
    const threads = this.loaded?.threads;
    const phase = threads === undefined ? this.options.cores : this.promptPhases > 0 ? threads.prompt : threads.decode;
    this.llama.maxThreads = Math.max(1, Math.min(this.threadBudget, phase));
  }

  /**
   * Speed calibration (calibration.ts), between model loads, at the thread count this engine
   * generates with from the 0.5B class up (every catalog model).
   */
  calibrate(dir: string): Promise<CalibrationRun> {
    return this.exclusively(async () => {
      const llama = this.llama;
      if (llama === null) throw new EnclaveError('ENGINE_UNAVAILABLE', 'the engine has not started');
      const threads = Math.min(
        this.threadBudget,
        chooseThreads({ cores: this.options.cores, mathCores: llama.cpuMathCores, override: this.options.threadOverride, parameterCount: DECODE_ALONE_BELOW_PARAMETERS }).decode,
      );
      llama.maxThreads = threads;
      try {
        return await calibrate(llama, { dir, threads });
      } finally {
        this.applyThreads();
      }
    });
  }

  async unload(): Promise<void> {
    await this.exclusively(() => this.release());
  }

  /**
   * One normalised vector per text, from the embedding model at `modelPath` (loaded on first use,
   * replaced when another is asked for). Texts longer than the context are embedded by their start.
   */
  embed(modelPath: string, texts: readonly string[]): Promise<{ vectors: Float32Array[]; tokens: number }> {
    const run = this.embeddingQueue.then(async () => {
      const { model, context } = await this.embeddingModel(modelPath);
      const limit = embeddingInputLimit(model.trainContextSize);
      const vectors: Float32Array[] = [];
      let tokens = 0;
      for (const text of texts) {
        const input = model.tokenize(text).slice(0, limit);
        tokens += input.length;
        vectors.push(normalised((await context.getEmbeddingFor(input)).vector));
      }
      return { vectors, tokens };
    });
    this.embeddingQueue = run.catch(() => undefined);
    return run;
  }

  private async embeddingModel(modelPath: string): Promise<EmbeddingModel> {
    const current = await this.embedding?.catch(() => null);
    if (current !== null && current !== undefined && current.modelPath === modelPath) return current;
    this.embedding = null;
    if (current) await current.model.dispose();
    const llama = this.llama;
    if (llama === null) throw new EnclaveError('ENGINE_UNAVAILABLE', 'the engine has not started');
    const loading = (async (): Promise<EmbeddingModel> => {
      let model: LlamaModel;
      try {
        model = await llama.loadModel({ modelPath, gpuLayers: 'auto' });
      } catch (error) {
        throw new EnclaveError('MODEL_LOAD_FAILED', errorMessage(error), { modelPath });
      }
      try {
        const size = embeddingContextSize(model.trainContextSize);
        const context = await model.createEmbeddingContext({ contextSize: size, batchSize: size, threads: embeddingThreads(this.options.threadOverride, this.threadBudget) });
        return { modelPath, model, context };
      } catch (error) {
        await model.dispose();
        throw new EnclaveError('MODEL_LOAD_FAILED', errorMessage(error), { modelPath });
      }
    })();
    this.embedding = loading;
    return loading;
  }

  async dispose(): Promise<void> {
    await this.unload();
    const embedding = await this.embedding?.catch(() => null);
    this.embedding = null;
    await embedding?.model.dispose();
    await this.llama?.dispose();
    this.llama = null;
  }

  /** Runs `step` after every load or context change already asked for. */
  private exclusively<T>(step: () => Promise<T>): Promise<T> {
    const result = this.preparing.then(step);
    this.preparing = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** The model and a context fit for the request: loaded, or reused as they are when they fit. */
  private prepare(request: GenerateRequest): Promise<LoadedModel> {
    return this.exclusively(async () => {
      const loaded = this.loaded?.modelPath === request.modelPath ? this.loaded : await this.load(request);
      await this.prepareContext(loaded, request);
      if (request.draftModelPath !== undefined && this.speculates(request)) await prepareDraft(loaded, request.draftModelPath, (model) => this.draftThreads(model));
      return loaded;
    });
  }

  private async prepareContext(loaded: LoadedModel, request: GenerateRequest): Promise<void> {
    const parallel = Math.max(1, request.parallel ?? 1);
    const contextSize = request.sampling.contextSize ?? null;
    if (loaded.slots.length >= parallel && loaded.requestedContextSize === contextSize) return;
    if (loaded.slots.some((slot) => slot.jobId !== null)) {
      // Answers still run on the current context: more sequences wait until they end.
      if (loaded.requestedContextSize === contextSize) return;
      throw new EnclaveError('BUSY', 'other answers are still using this model with another context size');
    }
    await disposeContext(loaded);
    Object.assign(loaded, await newContext(loaded.model, loaded.threads.prompt, parallel, contextSize));
    this.send({ type: 'context', contextSize: loaded.context.contextSize, parallel: loaded.slots.length });
  }

  /**
   * The draft model's threads, chosen for its own size: it only generates, so its decode count (a
   * small model's token costs less than starting a second thread for it, threads.ts).
   */
  private draftThreads(model: LlamaModel): number {
    const llama = model.llama;
    return chooseThreads({
      cores: this.options.cores,
      mathCores: llama.cpuMathCores,
      override: this.options.threadOverride,
      parameterCount: model.fileInsights.totalParameters,
      threadPool: hasThreadPool(llama),
    }).decode;
  }

  /** The draft model the request's answer drafts with: the one it names, when loaded and not refused. */
  private draftFor(loaded: LoadedModel, request: GenerateRequest): DraftModel | null {
    if (request.draftModelPath === undefined || !this.speculates(request)) return null;
    return loaded.draft?.modelPath === request.draftModelPath && loaded.draft.context !== null ? loaded.draft : null;
  }

  private async load(request: GenerateRequest): Promise<LoadedModel> {
    if (this.llama === null) throw new EnclaveError('ENGINE_UNAVAILABLE', 'the engine has not started');
    if (this.active.size > 1) throw new EnclaveError('BUSY', 'another model is still answering');
    await this.release();
    this.send({ type: 'loading', jobId: request.jobId, modelId: request.modelId });
    const started = performance.now();
    let model: LlamaModel;
    try {
      model = await this.llama.loadModel({ modelPath: request.modelPath, gpuLayers: 'auto' });
    } catch (error) {
      throw new EnclaveError('MODEL_LOAD_FAILED', errorMessage(error), { modelId: request.modelId });
    }
    const threads = chooseThreads({
      cores: this.options.cores,
      mathCores: this.llama.cpuMathCores,
      override: this.options.threadOverride,
      parameterCount: model.fileInsights.totalParameters,
      threadPool: hasThreadPool(this.llama),
    });
    let loaded: LoadedModel;
    try {
      const context = await newContext(model, threads.prompt, Math.max(1, request.parallel ?? 1), request.sampling.contextSize ?? null);
      loaded = { modelId: request.modelId, modelPath: request.modelPath, model, threads, ...context, draft: null, refusedDrafts: new Map() };
    } catch (error) {
      await model.dispose();
      throw new EnclaveError('MODEL_LOAD_FAILED', errorMessage(error), { modelId: request.modelId });
    }
    this.loaded = loaded;
    this.applyThreads();
    this.send({
      type: 'loaded',
      jobId: request.jobId,
      modelId: request.modelId,
      loadMs: performance.now() - started,
      contextSize: loaded.context.contextSize,
      threads: threads.decode,
      parallel: loaded.slots.length,
    });
    return loaded;
  }

  private async release(): Promise<void> {
    const loaded = this.loaded;
    this.loaded = null;
    if (loaded === null) return;
    await disposeContext(loaded);
    await loaded.draft?.model.dispose();
    await loaded.model.dispose();
  }

  private async runGeneration(loaded: LoadedModel, slot: Slot, request: GenerateRequest, signal: AbortSignal): Promise<void> {
    const { jobId } = request;
    const sampling = { ...DEFAULT_SAMPLING, ...request.sampling };
    const batcher = new TextBatcher((text, kind) => this.send({ type: kind === 'thought' ? 'thought' : 'delta', jobId, text }), this.options.batchIntervalMs);
    const inputBefore = slot.sequence.tokenMeter.usedInputTokens;
    const predictionsBefore = slot.sequence.tokenPredictions;
    const started = performance.now();
    const timing = { firstTokenAt: null as number | null, lastTokenAt: started, tokens: 0 };
    const reasoning = { startedAt: null as number | null, endedAt: null as number | null };
    // This answer is in its prompt until its first token.
    let inPrompt = false;
    const promptDone = (): void => {
      if (!inPrompt) return;
      inPrompt = false;
      this.promptPhases--;
      this.applyThreads();
    };
    const options = {
      signal,
      stopOnAbortSignal: true,
      temperature: sampling.temperature,
      topP: sampling.topP,
      topK: sampling.topK,
      minP: sampling.minP,
      repeatPenalty: sampling.repeatPenalty > 1 ? { penalty: sampling.repeatPenalty } : (false as const),
      maxTokens: sampling.maxTokens,
      ...(sampling.seed === undefined ? {} : { seed: sampling.seed }),
      ...(await constraintOptions(this.llama, request)),
    };
    // Every generated token counts, the reasoning's too: it is time the user waits.
    const counted = (generated: readonly unknown[]): void => {
      if (generated.length === 0) return;
      promptDone();
      const now = performance.now();
      timing.firstTokenAt ??= now;
      timing.lastTokenAt = now;
      timing.tokens += generated.length;
    };

    let text: string;
    let reasoningText = '';
    let stopReason: StopReason;
    inPrompt = true;
    this.promptPhases++;
    this.applyThreads();
    try {
      if (request.prompt !== undefined) {
        // A raw completion (the local API's /v1/completions): the prompt as it is, no chat template.
        const completion = new LlamaCompletion({ contextSequence: slot.sequence });
        const result = await completion.generateCompletionWithMeta(request.prompt, { ...options, onToken: counted, onTextChunk: (chunk) => batcher.push(chunk, 'answer') });
        text = result.response;
        stopReason = result.metadata.stopReason;
        slot.history = [];
      } else {
        const result = await slot.chat.generateResponse(toChatHistory(request.messages), {
          ...options,
          onResponseChunk: (chunk: LlamaChatResponseChunk) => {
            counted(chunk.tokens);
            if (chunk.type !== 'segment') {
              batcher.push(chunk.text, 'answer');
              return;
            }
            if (chunk.segmentType !== 'thought') return;
            reasoning.startedAt ??= performance.now();
            if (chunk.segmentEndTime !== undefined) reasoning.endedAt = performance.now();
            batcher.push(chunk.text, 'thought');
          },
        });
        text = result.response;
        reasoningText = result.fullResponse
          .filter((part) => typeof part !== 'string' && part.segmentType === 'thought')
          .map((part) => (typeof part === 'string' ? '' : part.text))
          .join('\n\n');
        stopReason = result.metadata.stopReason;
        slot.history = [...request.messages, { role: 'assistant', content: text }];
      }
    } finally {
      promptDone();
    }
    batcher.flush();

    const decodeMs = timing.firstTokenAt === null ? 0 : timing.lastTokenAt - timing.firstTokenAt;
    const stats: GenerationStats = {
      modelId: request.modelId,
      tokens: timing.tokens,
      promptTokens: slot.sequence.tokenMeter.usedInputTokens - inputBefore,
      timeToFirstTokenMs: timing.firstTokenAt === null ? null : timing.firstTokenAt - started,
      tokensPerSecond: timing.tokens > 1 && decodeMs > 0 ? ((timing.tokens - 1) * 1000) / decodeMs : null,
      durationMs: performance.now() - started,
      stopReason,
    };
    if (slot.speculation !== 'off') {
      const predictions = slot.sequence.tokenPredictions;
      const accepted = predictions.validated - predictionsBefore.validated;
      stats.draftTokens = { drafted: accepted + predictions.refuted - predictionsBefore.refuted, accepted };
    }
    const refusedDraft = request.draftModelPath === undefined ? undefined : loaded.refusedDrafts.get(request.draftModelPath);
    if (refusedDraft !== undefined && slot.speculation !== 'off') stats.draftRefused = refusedDraft;
    if (reasoning.startedAt !== null) stats.reasoningMs = (reasoning.endedAt ?? timing.lastTokenAt) - reasoning.startedAt;
    this.send({ type: 'done', jobId, text, reasoning: reasoningText, stats });
  }
}

/** A context with `parallel` sequences, each with its chat; an answer that drafts tokens renews its sequence with a predictor. */
async function newContext(model: LlamaModel, threads: number, parallel: number, contextSize: number | null): Promise<Pick<LoadedModel, 'context' | 'slots' | 'requestedContextSize'>> {
  const context = await model.createContext(contextOptions(model, threads, { parallel, contextSize }));
  const slots = Array.from({ length: parallel }, (): Slot => ({ ...newSequence(context, 'off', null), jobId: null, history: [], lastUsed: 0 }));
  return { context, slots, requestedContextSize: contextSize };
}

function newSequence(context: LlamaContext, speculation: Speculation, draft: DraftModel | null): Pick<Slot, 'sequence' | 'chat' | 'speculation' | 'draft'> {
  let slotDraft: Slot['draft'] = null;
  let options = {};
  if (speculation === 'lookup') options = { tokenPredictor: inputLookup() };
  if (speculation === 'draft' && draft?.context) {
    slotDraft = { model: draft, sequence: draft.context.getSequence() };
    options = { tokenPredictor: draftPredictor(slotDraft.sequence) };
  }
  const sequence = context.getSequence(options);
  return { sequence, chat: new LlamaChat({ contextSequence: sequence, autoDisposeSequence: false }), speculation, draft: slotDraft };
}

/**
 * Speculative decoding by input lookup: where the answer's last tokens appear in the user's
 * message, the token that follows them there is evaluated with the next one, in the same batch,
 * and kept if the model would have chosen it (node-llama-cpp checks it against its own sampling,
 * so the answer is the same). One token at a time: node-llama-cpp 3.21.1 accepts at most the first
 * drafted token of a batch (it never records the ones it validated), so a longer draft only costs.
 * Figures and the choice of backends: docs/performance.md#speculative-decoding.
 */
function inputLookup(): InputLookupTokenPredictor {
  return new InputLookupTokenPredictor({ predictionLength: { max: 1 } });
}

/**
 * Speculative decoding with a draft model: a smaller model of the same vocabulary evaluates the
 * answer on its own sequence and drafts the next tokens, checked as input lookup's are. The model
 * waits for one (`minTokens: 1`; otherwise the draft model runs a step behind and its tokens come
 * too late) and takes the drafts ready when it asks, in practice one a step, which is all
 * node-llama-cpp 3.21.1 can accept of a batch (see `inputLookup`). `maxTokens: 4` lets the draft
 * model run on past that token: with 1 or 2, node-llama-cpp 3.21.1 leaves a draft that reached the
 * limit out of the draft sequence once it is accepted, and a draft model whose tokens depend on the
 * whole context then drafts wrong half the time (measured on the tiny random fixture as its own
 * draft: 15 accepted and 17 refuted with 1, 14 and 14 with 2, 32 and 0 with 4).
 */
function draftPredictor(draftSequence: LlamaContextSequence): DraftSequenceTokenPredictor {
  return new DraftSequenceTokenPredictor(draftSequence, { minTokens: 1, maxTokens: 4 });
}

/**
 * The draft model at `draftModelPath`, loaded for the model unless it was refused, with a context
 * of as many sequences as the model's. A draft model whose vocabulary differs, or that cannot be
 * loaded, is refused (recorded in `refusedDrafts`): the answers go on without it.
 */
async function prepareDraft(loaded: LoadedModel, draftModelPath: string, threadsFor: (model: LlamaModel) => number): Promise<void> {
  if (loaded.refusedDrafts.has(draftModelPath)) return;
  const current = loaded.draft;
  if (current?.modelPath === draftModelPath && current.context !== null) return;
  // Another draft model: replaced only while no answer drafts with the current one.
  if (current !== null && current.modelPath !== draftModelPath && loaded.slots.some((slot) => slot.jobId !== null && slot.draft !== null)) return;
  try {
    if (current?.modelPath === draftModelPath) {
      current.context = await draftContext(loaded, current.model, threadsFor(current.model));
      return;
    }
    loaded.draft = null;
    if (current !== null) await disposeDraft(loaded, current);
    loaded.draft = await loadDraft(loaded, draftModelPath, threadsFor);
  } catch (error) {
    loaded.refusedDrafts.set(
      draftModelPath,
      toErrorPayload(error instanceof EnclaveError ? error : new EnclaveError('MODEL_LOAD_FAILED', `the draft model could not be loaded: ${errorMessage(error)}`, { draftModelPath })),
    );
  }
}

async function loadDraft(loaded: LoadedModel, draftModelPath: string, threadsFor: (model: LlamaModel) => number): Promise<DraftModel> {
  const model = await loaded.model.llama.loadModel({ modelPath: draftModelPath, gpuLayers: 'auto' });
  try {
    const mismatch = vocabularyMismatch(loaded.model, model);
    if (mismatch !== null) throw new EnclaveError('INVALID_MODEL', `the draft model's vocabulary differs from the model's (${mismatch}): answers go on without it`, { draftModelPath });
    return { modelPath: draftModelPath, model, context: await draftContext(loaded, model, threadsFor(model)) };
  } catch (error) {
    await model.dispose();
    throw error;
  }
}

/** The draft model's context: one sequence per slot of the model's, as long as the model's. */
function draftContext(loaded: LoadedModel, model: LlamaModel, threads: number): Promise<LlamaContext> {
  return model.createContext(contextOptions(model, threads, { parallel: loaded.slots.length, contextSize: loaded.context.contextSize }));
}

/** The draft model's context and model disposed; the slots that drafted with it go back to no drafts. */
async function disposeDraft(loaded: LoadedModel, draft: DraftModel): Promise<void> {
  for (const slot of loaded.slots) {
    if (slot.draft?.model === draft) await renewSlot(loaded, slot, 'off', null);
  }
  await draft.context?.dispose();
  await draft.model.dispose();
}

/** A text whose tokens two models of one vocabulary split alike (words, accents, digits, punctuation). */
const VOCABULARY_PROBE = 'Bonjour ! Le préavis est de 3 mois, signé le 12/04. Thank you — naïve café, 42 × 7 = 294.';

/**
 * Why `draft` cannot draft tokens for `model` (their vocabularies differ), or null when it can.
 * Stricter than llama.cpp's own check (node-llama-cpp runs it when an answer starts, and an answer
 * would fail on it): the same type, special tokens, every token's text, and a probe text's tokens.
 */
export function vocabularyMismatch(model: LlamaModel, draft: LlamaModel): string | null {
  if (model.vocabularyType !== draft.vocabularyType) return `type ${draft.vocabularyType}, not ${model.vocabularyType}`;
  if (model.tokens.bos !== draft.tokens.bos || model.tokens.eos !== draft.tokens.eos) return 'other begin or end tokens';
  if (model.tokens.shouldPrependBosToken !== draft.tokens.shouldPrependBosToken || model.tokens.shouldAppendEosToken !== draft.tokens.shouldAppendEosToken) {
    return 'other begin or end token rules';
  }
  const tokens = vocabularyTokens(model);
  const draftTokens = vocabularyTokens(draft);
  if (tokens.length !== draftTokens.length) return `${draftTokens.length} tokens, not ${tokens.length}`;
  const differing = tokens.findIndex((token, id) => draftTokens[id] !== token);
  if (differing !== -1) return `token ${differing} is ${JSON.stringify(draftTokens[differing])}, not ${JSON.stringify(tokens[differing])}`;
  const probe = model.tokenize(VOCABULARY_PROBE);
  const draftProbe = draft.tokenize(VOCABULARY_PROBE);
  if (probe.length !== draftProbe.length || probe.some((token, index) => draftProbe[index] !== token)) return 'another tokenization of the same text';
  return null;
}

function vocabularyTokens(model: LlamaModel): readonly string[] {
  return model.fileInfo.metadata.tokenizer?.ggml?.tokens ?? [];
}

/** The slot's sequence made again with or without a token predictor (a predictor is fixed per sequence); its cache is lost. */
async function renewSlot(loaded: LoadedModel, slot: Slot, speculation: Speculation, draft: DraftModel | null): Promise<void> {
  slot.chat.dispose();
  await slot.sequence.dispose();
  if (slot.draft !== null && !slot.draft.sequence.disposed) await slot.draft.sequence.dispose();
  Object.assign(slot, newSequence(loaded.context, speculation, draft), { history: [] });
}

/** The model's context disposed, and the draft model's context with it (its sequences are the slots'); the draft model stays. */
async function disposeContext(loaded: LoadedModel): Promise<void> {
  for (const slot of loaded.slots) slot.chat.dispose();
  await loaded.context.dispose();
  await loaded.draft?.context?.dispose();
  if (loaded.draft) loaded.draft.context = null;
}

/**
 * A free sequence for the job: the one already holding the longest start of this conversation
 * (its KV cache is reused, so only the new messages are evaluated), else the least recently used.
 */
function takeSlot(loaded: LoadedModel, request: GenerateRequest): Slot {
  const free = loaded.slots.filter((slot) => slot.jobId === null);
  if (free.length === 0) throw new EnclaveError('BUSY', 'every sequence of the model is answering');
  const reuse = (slot: Slot): number => (request.prompt === undefined ? sharedPrefix(slot.history, request.messages) : 0);
  const slot = free.reduce((best, candidate) => {
    const gain = reuse(candidate) - reuse(best);
    return gain > 0 || (gain === 0 && candidate.lastUsed < best.lastUsed) ? candidate : best;
  });
  slot.jobId = request.jobId;
  slot.lastUsed = performance.now();
  return slot;
}

function sharedPrefix(held: readonly ChatMessage[], wanted: readonly ChatMessage[]): number {
  let count = 0;
  while (count < held.length && count < wanted.length && held[count]?.role === wanted[count]?.role && held[count]?.content === wanted[count]?.content) count++;
  return count;
}

/** The engine's context settings; the benchmark's raw baseline uses the same. */
export function contextOptions(model: LlamaModel, threads: number, request: { parallel?: number; contextSize?: number | null } = {}): LlamaContextOptions {
  const maxContextSize = Math.min(model.trainContextSize, request.contextSize ?? MAX_CONTEXT_SIZE);
  const sequences = Math.max(1, request.parallel ?? 1);
  return {
    contextSize: { max: maxContextSize },
    sequences,
    threads,
    // Prompt speed as with node-llama-cpp's 512, for half the compute buffer (threads.ts).
    batchSize: chooseBatchSize(maxContextSize),
  };
}

/** Local API: stop sequences and JSON schema grammars as node-llama-cpp options. */
async function constraintOptions(llama: Llama | null, request: GenerateRequest): Promise<{ customStopTriggers?: string[]; grammar?: LlamaGrammar }> {
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

/** The conversation as node-llama-cpp's chat history; earlier reasoning is never sent back. */
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

/** The embedding context's threads: ENCLAVE_THREADS when set, else the host's share of the cores. */
export function embeddingThreads(override: number | null, budget: number): number {
  return Math.max(1, override ?? budget);
}

/** The embedding context's size: the model's training context, at most MAX_EMBEDDING_CONTEXT tokens. */
export function embeddingContextSize(trainContextSize: number): number {
  return Math.min(trainContextSize || MAX_EMBEDDING_CONTEXT, MAX_EMBEDDING_CONTEXT);
}

/** The most tokens of a text an embedding takes: the context, less the begin and end tokens node-llama-cpp adds, less one (it wants the input shorter than the context). */
export function embeddingInputLimit(trainContextSize: number): number {
  return embeddingContextSize(trainContextSize) - 3;
}

/** The vector scaled to length 1 (cosine becomes a dot product); a zero vector stays zero. */
export function normalised(vector: readonly number[]): Float32Array {
  const out = Float32Array.from(vector);
  let sum = 0;
  for (const value of out) sum += value * value;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < out.length; i++) out[i] = (out[i] ?? 0) / norm;
  return out;
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
