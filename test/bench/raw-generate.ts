/**
 * Raw node-llama-cpp in one process, the baseline of the benchmark: the same chat history,
 * sampling, context and threads as the engine, without the engine process or the contract.
 *
 * Forked with IPC by the benchmark (openRaw below), which alternates its answers with the whole
 * path's, so both see the same machine. argv[2]: { modelPath, threads, batchSize? } (JSON).
 * Every answer is timed here, inside the process, from the call to the last token.
 */
import { fork } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { getLlama, LlamaChat, LlamaCompletion, LlamaLogLevel, type LlamaContext, type LlamaModel } from 'node-llama-cpp';
import { engineEnvironment } from '../../electron/engine/client/engine-process.ts';
import { contextOptions, toChatHistory } from '../../electron/engine/process/engine.ts';
import { engineBuildOf } from '../../electron/engine/process/llama-build.ts';
import { engineBuildChoice, readLocalEngineBuild } from '../../electron/engine/local-build/manifest.ts';
import { DEFAULT_SAMPLING, type ChatMessage } from '#shared/chat.ts';
import type { EngineBuild } from '#shared/models.ts';

export interface RawOptions {
  modelPath: string;
  threads: number;
  /** The context's batch size; the engine's own choice when absent. */
  batchSize?: number;
  /** Which llama.cpp to load: as the engine does when absent (the build made by `npm run engine:build` when there is one). */
  engineBuild?: EngineBuild;
}

export interface AnswerRun {
  tokens: number;
  /** Request to last token. */
  ms: number;
  ttftMs: number | null;
  /** First token to last. */
  decodeMs: number;
  /** Prompt tokens evaluated for this answer (after reuse of the cache). */
  promptTokens: number;
}

type Command =
  | { type: 'answer'; messages: ChatMessage[]; maxTokens: number }
  | { type: 'complete'; prompt: string; maxTokens: number }
  | { type: 'promptEval'; text: string; batchSize: number; runs: number; limit?: number }
  | { type: 'fsProbe'; text: string }
  | { type: 'memory' }
  | { type: 'close' };

type Reply =
  | { type: 'ready'; loadMs: number; contextSize: number; batchSize: number; build: EngineBuild }
  | { type: 'answer'; run: AnswerRun & { text: string } }
  | { type: 'promptEval'; batchSize: number; tokens: number; ms: number[] }
  | { type: 'fsProbe'; evalMs: number; latenciesMs: number[] }
  | { type: 'memory'; maxRssKb: number }
  | { type: 'error'; message: string };

/** (tokens − 1) / (first token to last): the decode rate, comparable with llama-bench's tg; NaN without one. */
export function decodeRate(run: AnswerRun): number {
  return run.decodeMs > 0 ? ((run.tokens - 1) * 1000) / run.decodeMs : Number.NaN;
}

/** The engine process's own environment (UV_THREADPOOL_SIZE=1), so raw and the whole path differ only by the path. */
export function rawEnvironment(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...engineEnvironment(process.env), ...overrides };
}

export interface RawSession {
  /** The llama.cpp loaded. */
  build: EngineBuild;
  loadMs: number;
  contextSize: number;
  batchSize: number;
  answer(messages: ChatMessage[], maxTokens: number): Promise<AnswerRun & { text: string }>;
  /** The text continued as it is, with LlamaCompletion (no chat template), on the same sequence. */
  complete(prompt: string, maxTokens: number): Promise<AnswerRun & { text: string }>;
  /** Prompt evaluation alone (no sampling) of `text` (its first `limit` tokens) on a cleared sequence, `runs` times, with this batch size. */
  promptEval(text: string, batchSize: number, runs: number, limit?: number): Promise<{ batchSize: number; tokens: number; ms: number[] }>;
  /**
   * What the libuv pool costs the process: evaluates `text` as a prompt (one batch at a time on a
   * pool thread) while reading a small file in a loop, as the engine's other work would.
   */
  fsProbe(text: string): Promise<{ evalMs: number; latenciesMs: number[] }>;
  memory(): Promise<{ maxRssKb: number }>;
  close(): Promise<void>;
}

/** Starts a raw process; `env` is its whole environment (the engine's UV_THREADPOOL_SIZE included). */
export async function openRaw(options: RawOptions, env: NodeJS.ProcessEnv): Promise<RawSession> {
  const child = fork(import.meta.filename, [JSON.stringify(options)], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const replies: Reply[] = [];
  let wake: (() => void) | null = null;
  child.on('message', (reply: Reply) => {
    replies.push(reply);
    wake?.();
  });
  child.on('exit', () => wake?.());
  const next = async <T extends Reply['type']>(type: T): Promise<Extract<Reply, { type: T }>> => {
    for (;;) {
      const reply = replies.shift();
      if (reply?.type === 'error') throw new Error(`raw node-llama-cpp: ${reply.message}`);
      if (reply !== undefined) {
        if (reply.type !== type) throw new Error(`raw node-llama-cpp: expected ${type}, got ${reply.type}`);
        return reply as Extract<Reply, { type: T }>;
      }
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`raw node-llama-cpp exited (${child.exitCode ?? child.signalCode})`);
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = null;
    }
  };
  const call = <T extends Reply['type']>(command: Command, type: T): Promise<Extract<Reply, { type: T }>> => {
    child.send(command);
    return next(type);
  };
  const ready = await next('ready');
  return {
    build: ready.build,
    loadMs: ready.loadMs,
    contextSize: ready.contextSize,
    batchSize: ready.batchSize,
    answer: async (messages, maxTokens) => (await call({ type: 'answer', messages, maxTokens }, 'answer')).run,
    complete: async (prompt, maxTokens) => (await call({ type: 'complete', prompt, maxTokens }, 'answer')).run,
    promptEval: async (text, batchSize, runs, limit) => {
      const result = await call({ type: 'promptEval', text, batchSize, runs, limit }, 'promptEval');
      return { batchSize: result.batchSize, tokens: result.tokens, ms: result.ms };
    },
    fsProbe: async (text) => {
      const result = await call({ type: 'fsProbe', text }, 'fsProbe');
      return { evalMs: result.evalMs, latenciesMs: result.latenciesMs };
    },
    memory: async () => ({ maxRssKb: (await call({ type: 'memory' }, 'memory')).maxRssKb }),
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'close' } satisfies Command);
      await exited;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The child process

async function answer(chat: LlamaChat, messages: ChatMessage[], maxTokens: number): Promise<AnswerRun & { text: string }> {
  const sequence = chat.sequence;
  const inputBefore = sequence.tokenMeter.usedInputTokens;
  let tokens = 0;
  let firstTokenAt: number | null = null;
  let lastTokenAt = 0;
  const started = performance.now();
  // The engine's sampling: its defaults under the benchmark's greedy temperature.
  const { topK, topP, minP } = DEFAULT_SAMPLING;
  const result = await chat.generateResponse(toChatHistory(messages), {
    temperature: 0,
    topK,
    topP,
    minP,
    repeatPenalty: false,
    maxTokens,
    // As the engine does: every chunk, with its tokens and segments (which pays for detokenizing).
    onResponseChunk: (chunk) => {
      if (chunk.tokens.length === 0) return;
      const now = performance.now();
      firstTokenAt ??= now;
      lastTokenAt = now;
      tokens += chunk.tokens.length;
    },
  });
  return {
    text: result.response,
    tokens,
    ms: performance.now() - started,
    ttftMs: firstTokenAt === null ? null : firstTokenAt - started,
    decodeMs: firstTokenAt === null ? 0 : lastTokenAt - firstTokenAt,
    promptTokens: sequence.tokenMeter.usedInputTokens - inputBefore,
  };
}

async function complete(completion: LlamaCompletion, sequenceTokens: () => number, prompt: string, maxTokens: number): Promise<AnswerRun & { text: string }> {
  const inputBefore = sequenceTokens();
  let tokens = 0;
  let firstTokenAt: number | null = null;
  let lastTokenAt = 0;
  const started = performance.now();
  const { topK, topP, minP } = DEFAULT_SAMPLING;
  const text = await completion.generateCompletion(prompt, {
    temperature: 0,
    topK,
    topP,
    minP,
    repeatPenalty: false,
    maxTokens,
    onToken: (generated) => {
      if (generated.length === 0) return;
      const now = performance.now();
      firstTokenAt ??= now;
      lastTokenAt = now;
      tokens += generated.length;
    },
  });
  return {
    text,
    tokens,
    ms: performance.now() - started,
    ttftMs: firstTokenAt === null ? null : firstTokenAt - started,
    decodeMs: firstTokenAt === null ? 0 : lastTokenAt - firstTokenAt,
    promptTokens: sequenceTokens() - inputBefore,
  };
}

async function serve(options: RawOptions): Promise<void> {
  const reply = (message: Reply): void => {
    process.send?.(message);
  };
  // As the engine: ENCLAVE_ENGINE_BUILD=prebuilt ignores a local build.
  const asked = options.engineBuild ?? (engineBuildChoice(process.env) === 'prebuilt' ? 'prebuilt' : undefined);
  const local = asked === 'prebuilt' ? null : await readLocalEngineBuild();
  if (options.engineBuild === 'local' && local === null) throw new Error('no engine built here (npm run engine:build)');
  const llama = await getLlama({ gpu: false, build: 'never', cmakeOptions: local?.cmakeOptions, progressLogs: false, logLevel: LlamaLogLevel.error, maxThreads: options.threads });
  const build = engineBuildOf(llama);
  if (asked !== undefined && build !== asked) throw new Error(`asked for the ${asked} engine build, loaded the ${build} one`);
  const createContext = (model: LlamaModel, batchSize: number | undefined): Promise<LlamaContext> =>
    model.createContext({ ...contextOptions(model, options.threads), ...(batchSize === undefined ? {} : { batchSize }) });
  const loadStarted = performance.now();
  const model = await llama.loadModel({ modelPath: options.modelPath });
  let context = await createContext(model, options.batchSize);
  // One chat on one sequence for every answer, as the engine keeps it, so both reuse the cache alike.
  let chat: LlamaChat | null = new LlamaChat({ contextSequence: context.getSequence(), autoDisposeSequence: true });
  reply({ type: 'ready', loadMs: performance.now() - loadStarted, contextSize: context.contextSize, batchSize: context.batchSize, build });

  process.on('message', (command: Command) => {
    void (async () => {
      try {
        switch (command.type) {
          case 'answer': {
            if (chat === null) throw new Error('no chat after a prompt evaluation');
            reply({ type: 'answer', run: await answer(chat, command.messages, command.maxTokens) });
            return;
          }
          case 'complete': {
            if (chat === null) throw new Error('no chat after a prompt evaluation');
            const { sequence } = chat;
            const completion = new LlamaCompletion({ contextSequence: sequence });
            reply({ type: 'answer', run: await complete(completion, () => sequence.tokenMeter.usedInputTokens, command.prompt, command.maxTokens) });
            return;
          }
          case 'promptEval': {
            chat?.dispose();
            chat = null;
            if (command.batchSize !== context.batchSize) {
              await context.dispose();
              context = await createContext(model, command.batchSize);
            }
            const tokens = model.tokenize(command.text).slice(0, command.limit);
            const sequence = context.getSequence();
            await sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(0, 16)); // warm-up
            const ms: number[] = [];
            for (let run = 0; run < command.runs; run++) {
              await sequence.clearHistory();
              const started = performance.now();
              await sequence.evaluateWithoutGeneratingNewTokens(tokens);
              ms.push(performance.now() - started);
            }
            sequence.dispose();
            reply({ type: 'promptEval', batchSize: context.batchSize, tokens: tokens.length, ms });
            return;
          }
          case 'fsProbe': {
            chat?.dispose();
            chat = null;
            const sequence = context.getSequence();
            const started = performance.now();
            let evaluating = true;
            const evaluation = sequence.evaluateWithoutGeneratingNewTokens(model.tokenize(command.text)).finally(() => {
              evaluating = false;
            });
            const latenciesMs: number[] = [];
            while (evaluating) {
              const readStarted = performance.now();
              await readFile(import.meta.filename);
              latenciesMs.push(performance.now() - readStarted);
            }
            await evaluation;
            const evalMs = performance.now() - started;
            sequence.dispose();
            reply({ type: 'fsProbe', evalMs, latenciesMs });
            return;
          }
          case 'memory':
            reply({ type: 'memory', maxRssKb: process.resourceUsage().maxRSS });
            return;
          case 'close':
            chat?.dispose();
            await context.dispose();
            await model.dispose();
            await llama.dispose();
            process.exit(0);
            return;
          default:
            throw new Error(`unknown command ${JSON.stringify(command satisfies never)}`);
        }
      } catch (error) {
        reply({ type: 'error', message: error instanceof Error ? error.message : String(error) });
      }
    })();
  });
  process.on('disconnect', () => process.exit(0));
}

if (import.meta.main) await serve(JSON.parse(process.argv[2] ?? '{}') as RawOptions);
