/**
 * The performance section of `npm run bench` (run.ts): Enclave's generation speed on this machine.
 *
 * For each benchmark model (generated with the project's GGUF writer, cached under
 * test/.fixtures/bench-models/) and each thread count 1..cores, side by side in one run:
 *  - raw node-llama-cpp in one process (raw-generate.ts) and Enclave's whole path (host process,
 *    engine process, contract over a WebSocket, a client receiving the batched deltas; whole-path.ts),
 *    answer by answer in turn, so a busy moment of the machine falls on both alike;
 *  - generation tokens/s, time to first token and prompt tokens/s for a ~1,000-token system prompt,
 *    time to first token of the second turn of that conversation (cache reuse), load to ready and
 *    peak memory of each process;
 *  - the thread count Enclave picks by itself (no ENCLAVE_THREADS), measured the same way;
 *  - at that thread count, the paths users take, in turn, round by round: the local API with the
 *    official `openai` client (streamed chat completion), the WebSocket as the renderer uses it,
 *    raw LlamaChat as the engine uses it and raw LlamaCompletion, tokens/s after the first token
 *    as each client sees it, next to llama-bench's tg;
 * then prompt evaluation per batch size, llama.cpp's own llama-bench when it was built
 * (llama-bench-build.ts), and the cost of the engine's UV_THREADPOOL_SIZE=1.
 * Every figure is the median of several runs with the spread; run.ts writes them to results/bench.{json,md}.
 *
 * The default run (scope.ts) measures the tiny, 0.5B Q8_0 and 1B Q4_0 models at Enclave's own
 * thread choice only, llama-bench at that thread count, and leaves out the batch sizes and
 * UV_THREADPOOL_SIZE; the full run (`--full`, BENCH_FULL=1) every model, every thread count 1..cores
 * (the 1,000-token conversation at each for the models up to 0.5B) and both of those parts.
 *
 * Environment: BENCH_RUNS (default 3), BENCH_MODELS (comma-separated ids; ids in models.ts, plus
 * stories260K), BENCH_SKIP (comma-separated sections: batch, llama-bench, uv, paths),
 * BENCH_LLAMA_BENCH (llama-bench builds to compare with, default `prebuilt`; `prebuilt,openmp`).
 * Timings depend on what else the machine runs: the figures to quote come from a quiet machine.
 */
import { execFile } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { localApiClient, streamedAnswer } from './openai-stream.ts';
import type { ChatMessage } from '#shared/chat.ts';
import type { EngineBuild } from '#shared/models.ts';
import { engineBuildChoice, nodeLlamaCppVersion, readLocalEngineBuild } from '../../electron/engine/local-build/manifest.ts';
import { findLlamaBench, LLAMA_BENCH_VARIANTS, type LlamaBenchVariant } from './llama-bench-build.ts';
import { BENCH_MODEL_SPECS, ensureBenchModel } from './models.ts';
import { decodeRate, openRaw, rawEnvironment, type AnswerRun } from './raw-generate.ts';
import { FULL_BENCH } from './scope.ts';
import { formatSummary, summarize, type Summary } from './stats.ts';
import { openWholePath, type WholePathRun, type WholePathSession } from './whole-path.ts';
import { freePort } from '../support/loopback.ts';

const execFileAsync = promisify(execFile);
const CORES = availableParallelism();
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SKIP = new Set((process.env.BENCH_SKIP ?? '').split(',').filter((part) => part !== ''));
const RESULTS_DIR = join(import.meta.dirname, 'results');
const SHARED_STORIES = join(import.meta.dirname, '..', '..', '..', 'shared', 'models', 'stories260K-chatml.gguf');
const benchStarted = performance.now();

interface BenchModel {
  id: string;
  label: string;
  path: string;
  /** The most tokens per measured answer. */
  genTokens: number;
  /** The 1,000-token conversation (prompt speed, first and second turn): at every thread count, at Enclave's choice only, or never. */
  conversation: 'all' | 'auto' | 'none';
  /** Compared with llama-bench: generation, and prompt (LLAMA_BENCH_PROMPT_TOKENS) when true. */
  llamaBench: { prompt: boolean } | null;
}

/** Same text for every path: a short question, and a long system prompt (~1,000 tokens on the byte-level benchmark vocabulary). */
const SHORT_PROMPT = 'Write a story.';
const LONG_SYSTEM = Array.from({ length: 25 }, (_, i) => `Rule ${i + 1}: answer briefly and kindly. `)
  .join('')
  .padEnd(990, '.');
const FIRST_QUESTION = 'Hello!';
const FOLLOW_UP = 'And then?';
const OTHER_QUESTION = 'What does rule 7 say?';
const CONVERSATION_ANSWER_TOKENS = 8;
const WARM_UP_TOKENS = 16;
/** Measured answers last about this long, with at least MIN_ANSWER_TOKENS (and at most the model's genTokens). */
const ANSWER_SECONDS = 2;
const MIN_ANSWER_TOKENS = 32;
/** llama-bench's prompt: about the conversation's first-turn prompt (~1,017 tokens with the chat template). */
const LLAMA_BENCH_PROMPT_TOKENS = 1000;

// ---------------------------------------------------------------------------------------------
// One measurement of each path

interface PathMeasurement {
  threads: number;
  loadMs: number;
  /** Tokens / (request to last token), short prompt. */
  genTokensPerSecond: Summary;
  /** (tokens - 1) / (first token to last): the decode rate, comparable with llama-bench's tg. */
  decodeTokensPerSecond: Summary;
  genTokens: number;
  firstTurnTtftMs: Summary | null;
  promptTokensPerSecond: Summary | null;
  promptTokens: number | null;
  secondTurnTtftMs: number | null;
  secondTurnPromptTokens: number | null;
  /** Another question in a new conversation with the same ~1,000-token system prompt (a document asked about again). */
  sameDocumentTtftMs: number | null;
  sameDocumentPromptTokens: number | null;
  peakRssKb: { host: number | null; engine: number | null };
}

interface WholeMeasurement extends PathMeasurement {
  startMs: number;
  loadClientMs: number | null;
  deltaMessagesPerAnswer: number;
  /** The engine's own decode rate for the same answers (no transport). */
  engineTokensPerSecond: Summary | null;
}

function summarizeAnswers(runs: readonly AnswerRun[]): Pick<PathMeasurement, 'genTokensPerSecond' | 'decodeTokensPerSecond' | 'genTokens'> {
  return {
    genTokensPerSecond: summarize(runs.map((run) => (run.tokens * 1000) / run.ms)),
    decodeTokensPerSecond: summarize(runs.map(decodeRate)),
    genTokens: summarize(runs.map((run) => run.tokens)).median,
  };
}

function summarizeConversation(
  firstTurns: readonly AnswerRun[],
  secondTurn: AnswerRun | null,
  sameDocument: AnswerRun | null,
): Pick<PathMeasurement, 'firstTurnTtftMs' | 'promptTokensPerSecond' | 'promptTokens' | 'secondTurnTtftMs' | 'secondTurnPromptTokens' | 'sameDocumentTtftMs' | 'sameDocumentPromptTokens'> {
  if (firstTurns.length === 0) {
    return { firstTurnTtftMs: null, promptTokensPerSecond: null, promptTokens: null, secondTurnTtftMs: null, secondTurnPromptTokens: null, sameDocumentTtftMs: null, sameDocumentPromptTokens: null };
  }
  return {
    firstTurnTtftMs: summarize(firstTurns.map((run) => run.ttftMs ?? Number.NaN)),
    // Time to first token covers the prompt and one decode step: a slight underestimate of prompt speed.
    promptTokensPerSecond: summarize(firstTurns.map((run) => (run.promptTokens * 1000) / (run.ttftMs ?? Number.NaN))),
    promptTokens: summarize(firstTurns.map((run) => run.promptTokens)).median,
    secondTurnTtftMs: secondTurn?.ttftMs ?? null,
    secondTurnPromptTokens: secondTurn?.promptTokens ?? null,
    sameDocumentTtftMs: sameDocument?.ttftMs ?? null,
    sameDocumentPromptTokens: sameDocument?.promptTokens ?? null,
  };
}

/** One conversation's first turn, with a system prompt no earlier conversation shares (its first character). */
function firstTurn(run: number): ChatMessage[] {
  return [
    { role: 'system', content: `${String.fromCharCode(65 + (run % 26))}${LONG_SYSTEM}` },
    { role: 'user', content: FIRST_QUESTION },
  ];
}

function secondTurn(first: ChatMessage[], answer: string): ChatMessage[] {
  return [...first, { role: 'assistant', content: answer }, { role: 'user', content: FOLLOW_UP }];
}

/** A new conversation about the same document: the first turn's system prompt, another question. */
function sameDocument(first: ChatMessage[]): ChatMessage[] {
  return [...first.filter((message) => message.role === 'system'), { role: 'user', content: OTHER_QUESTION }];
}

/**
 * Raw node-llama-cpp and the whole path at one thread count, answer by answer in turn (raw, whole,
 * raw, whole...), so a busy moment of the machine falls on both alike.
 */
async function measurePair(model: BenchModel, threads: number, whole: WholePathSession, conversation: boolean): Promise<{ raw: PathMeasurement; whole: WholeMeasurement }> {
  const raw = await openRaw({ modelPath: model.path, threads }, rawEnvironment());
  try {
    const short: ChatMessage[] = [{ role: 'user', content: SHORT_PROMPT }];
    // Warm-up answers (the whole path's first one also loads the model), which size the measured
    // ones: about ANSWER_SECONDS each, so a thread count that collapses (tiny models on every
    // core) costs seconds, not minutes.
    const warmUp = await raw.answer(short, WARM_UP_TOKENS);
    await whole.generate(model.path, short, WARM_UP_TOKENS);
    const warmRate = (warmUp.tokens * 1000) / warmUp.ms;
    const tokens = Math.min(model.genTokens, Math.max(MIN_ANSWER_TOKENS, Math.round(warmRate * ANSWER_SECONDS)));
    const rawGeneration: AnswerRun[] = [];
    const wholeGeneration: WholePathRun[] = [];
    for (let run = 0; run < RUNS; run++) {
      rawGeneration.push(await raw.answer(short, tokens));
      wholeGeneration.push(await whole.generate(model.path, short, tokens));
    }
    const rawFirst: AnswerRun[] = [];
    const wholeFirst: WholePathRun[] = [];
    let rawSecond: AnswerRun | null = null;
    let wholeSecond: WholePathRun | null = null;
    let rawSameDocument: AnswerRun | null = null;
    let wholeSameDocument: WholePathRun | null = null;
    if (conversation) {
      let rawLast = '';
      let wholeLast = '';
      for (let run = 0; run < RUNS; run++) {
        const rawRun = await raw.answer(firstTurn(run), CONVERSATION_ANSWER_TOKENS);
        const wholeRun = await whole.generate(model.path, firstTurn(run), CONVERSATION_ANSWER_TOKENS);
        rawFirst.push(rawRun);
        wholeFirst.push(wholeRun);
        rawLast = rawRun.text;
        wholeLast = wholeRun.text;
      }
      rawSecond = await raw.answer(secondTurn(firstTurn(RUNS - 1), rawLast), CONVERSATION_ANSWER_TOKENS);
      wholeSecond = await whole.generate(model.path, secondTurn(firstTurn(RUNS - 1), wholeLast), CONVERSATION_ANSWER_TOKENS);
      rawSameDocument = await raw.answer(sameDocument(firstTurn(RUNS - 1)), CONVERSATION_ANSWER_TOKENS);
      wholeSameDocument = await whole.generate(model.path, sameDocument(firstTurn(RUNS - 1)), CONVERSATION_ANSWER_TOKENS);
    }
    const rawMemory = await raw.memory();
    const wholeMemory = await whole.memory();
    const engineRates = wholeGeneration.map((run) => run.engineStats.tokensPerSecond).filter((rate): rate is number => rate !== null);
    return {
      raw: {
        threads,
        loadMs: raw.loadMs,
        ...summarizeAnswers(rawGeneration),
        ...summarizeConversation(rawFirst, rawSecond, rawSameDocument),
        peakRssKb: { host: null, engine: rawMemory.maxRssKb },
      },
      whole: {
        threads: whole.threads ?? threads,
        startMs: whole.startMs,
        loadMs: whole.load?.engineMs ?? Number.NaN,
        loadClientMs: whole.load?.clientMs ?? null,
        ...summarizeAnswers(wholeGeneration),
        ...summarizeConversation(wholeFirst, wholeSecond, wholeSameDocument),
        peakRssKb: { host: wholeMemory.hostMaxRssKb, engine: wholeMemory.engineMaxRssKb },
        deltaMessagesPerAnswer: summarize(wholeGeneration.map((run) => run.deltaMessages)).median,
        engineTokensPerSecond: engineRates.length === 0 ? null : summarize(engineRates),
      },
    };
  } finally {
    await raw.close();
  }
}

/** The whole path with ENCLAVE_THREADS=threads, or without it (Enclave's own choice) when null. */
function openWhole(model: BenchModel, threads: number | null): Promise<WholePathSession> {
  return openWholePath([model.path], { ...process.env, ENCLAVE_THREADS: threads === null ? undefined : String(threads) });
}

/** One path users take: tokens/s after the first token, as its client sees it, per round. */
interface UserPathRow {
  path: 'api' | 'websocket' | 'raw-chat' | 'raw-completion';
  tokens: number;
  decodeTokensPerSecond: Summary;
  ttftMs: Summary;
}

interface UserPathsResult {
  threads: number;
  rows: UserPathRow[];
}

/**
 * The paths users take at Enclave's own thread choice, round by round in turn: the local API with
 * the official `openai` client (a streamed chat completion, as a program would ask it), the
 * WebSocket as the renderer uses it, raw node-llama-cpp's LlamaChat as the engine uses it, and
 * LlamaCompletion (no chat template). Every answer is as long; tokens/s from the first token the
 * client receives to the last, so the host's batching and the transport count.
 */
async function measureUserPaths(model: BenchModel, threads: number): Promise<UserPathsResult> {
  const apiPort = await freePort();
  const whole = await openWholePath([model.path], { ...process.env, ENCLAVE_THREADS: undefined, ENCLAVE_API_PORT: String(apiPort) });
  const raw = await openRaw({ modelPath: model.path, threads }, rawEnvironment());
  const api = localApiClient(apiPort);
  const short: ChatMessage[] = [{ role: 'user', content: SHORT_PROMPT }];
  try {
    const tokens = model.genTokens;
    const paths: Record<UserPathRow['path'], () => Promise<AnswerRun>> = {
      api: () => streamedAnswer(api, basename(model.path), short, tokens),
      websocket: () => whole.generate(model.path, short, tokens),
      'raw-chat': () => raw.answer(short, tokens),
      'raw-completion': () => raw.complete(SHORT_PROMPT, tokens),
    };
    const names = Object.keys(paths) as UserPathRow['path'][];
    const runs = new Map<UserPathRow['path'], AnswerRun[]>(names.map((name) => [name, []]));
    for (const name of names) await paths[name](); // warm-up (loads the model in the engine)
    for (let round = 0; round < RUNS; round++) {
      // Each round starts with another path, so none always follows the same one.
      for (let i = 0; i < names.length; i++) {
        const name = names[(round + i) % names.length] as UserPathRow['path'];
        runs.get(name)?.push(await paths[name]());
      }
    }
    const rows = names.map((name): UserPathRow => {
      const measured = runs.get(name) ?? [];
      return {
        path: name,
        tokens: summarize(measured.map((run) => run.tokens)).median,
        decodeTokensPerSecond: summarize(measured.map(decodeRate)),
        ttftMs: summarize(measured.map((run) => run.ttftMs ?? Number.NaN)),
      };
    });
    log(`${model.id}, user paths at ${threads} thread(s): ${rows.map((row) => `${row.path} ${formatSummary(row.decodeTokensPerSecond, 1)}`).join(', ')} tok/s`);
    return { threads, rows };
  } finally {
    await raw.close();
    await whole.close();
  }
}

/** Loads the model in a whole path without ENCLAVE_THREADS, to learn the thread count Enclave picks. */
async function openAuto(model: BenchModel): Promise<{ session: WholePathSession; threads: number }> {
  const session = await openWhole(model, null);
  await session.generate(model.path, [{ role: 'user', content: SHORT_PROMPT }], 1);
  if (session.threads === null) throw new Error('the engine did not report its thread count');
  return { session, threads: session.threads };
}

// ---------------------------------------------------------------------------------------------
// Sections

interface ThreadRow {
  threads: number;
  raw: PathMeasurement;
  whole: WholeMeasurement;
  /** whole / raw, generation (end to end per answer). */
  genRatio: number;
  /** whole / raw, prompt tokens/s of the 1,000-token first turn. */
  promptRatio: number | null;
}

interface ModelResult {
  id: string;
  label: string;
  sweep: ThreadRow[];
  auto: { threads: number; genTokensPerSecond: number; bestThreads: number; bestGenTokensPerSecond: number; ratioToBest: number };
  llamaBench: LlamaBenchResult[];
  /** The paths users take, at Enclave's own thread choice (null when skipped). */
  userPaths: UserPathsResult | null;
  /** Enclave's whole path at its own thread choice against llama-bench's best generation. */
  vsLlamaBench: { llamaBench: NonNullable<ReturnType<typeof bestLlamaBenchTg>>; wholeDecodeTokensPerSecond: number; ratio: number } | null;
}

/** Reads the file once, so every load in the comparison finds it in the page cache (disk speed is not the subject). */
async function warmPageCache(path: string): Promise<void> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 24 })) void chunk;
}

async function benchModel(model: BenchModel): Promise<ModelResult> {
  await warmPageCache(model.path);
  // Enclave's own choice first; at that thread count the sweep measures this very session.
  const auto = await openAuto(model);
  log(`${model.id}: Enclave picks ${auto.threads} thread(s)`);
  const sweep: ThreadRow[] = [];
  let autoRow: ThreadRow | null = null;
  const threadCounts = FULL_BENCH ? Array.from({ length: CORES }, (_, i) => i + 1) : [auto.threads];
  for (const threads of threadCounts) {
    const conversation = (model.conversation === 'all' && FULL_BENCH) || (model.conversation !== 'none' && threads === auto.threads);
    const session = threads === auto.threads ? auto.session : await openWhole(model, threads);
    let pair: Awaited<ReturnType<typeof measurePair>>;
    try {
      pair = await measurePair(model, threads, session, conversation);
    } finally {
      await session.close();
    }
    const { raw, whole } = pair;
    const row: ThreadRow = {
      threads,
      raw,
      whole,
      genRatio: whole.genTokensPerSecond.median / raw.genTokensPerSecond.median,
      promptRatio: whole.promptTokensPerSecond === null || raw.promptTokensPerSecond === null ? null : whole.promptTokensPerSecond.median / raw.promptTokensPerSecond.median,
    };
    sweep.push(row);
    if (threads === auto.threads) autoRow = row;
    log(
      `${model.id}, ${threads} thread(s): generation raw ${formatSummary(raw.genTokensPerSecond)} / whole ${formatSummary(whole.genTokensPerSecond)} tok/s (${row.genRatio.toFixed(3)})` +
        (raw.firstTurnTtftMs === null || whole.firstTurnTtftMs === null
          ? ''
          : `; 1k-prompt TTFT raw ${formatSummary(raw.firstTurnTtftMs)} / whole ${formatSummary(whole.firstTurnTtftMs)} ms, 2nd turn ${fmt(raw.secondTurnTtftMs)} / ${fmt(whole.secondTurnTtftMs)} ms`),
    );
  }
  if (autoRow === null) {
    await auto.session.close();
    throw new Error(`Enclave picked ${auto.threads} threads, outside the sweep ${threadCounts.join(', ')}`);
  }
  const autoWhole = autoRow.whole;
  const best = sweep.reduce((a, b) => (b.whole.genTokensPerSecond.median > a.whole.genTokensPerSecond.median ? b : a));
  const llamaBench = model.llamaBench !== null && !SKIP.has('llama-bench') ? await runLlamaBench(model, model.llamaBench.prompt, threadCounts) : [];
  const bestTg = bestLlamaBenchTg(llamaBench);
  const userPaths = SKIP.has('paths') ? null : await measureUserPaths(model, auto.threads);
  return {
    id: model.id,
    label: model.label,
    sweep,
    userPaths,
    auto: {
      threads: auto.threads,
      genTokensPerSecond: autoWhole.genTokensPerSecond.median,
      bestThreads: best.threads,
      bestGenTokensPerSecond: best.whole.genTokensPerSecond.median,
      ratioToBest: autoWhole.genTokensPerSecond.median / best.whole.genTokensPerSecond.median,
    },
    llamaBench,
    vsLlamaBench:
      bestTg === null || autoWhole.engineTokensPerSecond === null
        ? null
        : { llamaBench: bestTg, wholeDecodeTokensPerSecond: autoWhole.engineTokensPerSecond.median, ratio: autoWhole.engineTokensPerSecond.median / bestTg.tokensPerSecond },
  };
}

interface LlamaBenchResult {
  variant: LlamaBenchVariant;
  binary: string;
  /** Per thread count: tg (decode) and pp (prompt) tokens/s, mean and standard deviation over its repetitions. */
  rows: { threads: number; test: string; tokensPerSecond: number; stddev: number }[];
}

const llamaBenchMissing: string[] = [];

/** The llama-bench builds to compare with: `prebuilt` (node-llama-cpp's own kernels) unless BENCH_LLAMA_BENCH names others. */
const LLAMA_BENCH_RUN = (process.env.BENCH_LLAMA_BENCH ?? 'prebuilt').split(',').filter((name): name is LlamaBenchVariant => (LLAMA_BENCH_VARIANTS as readonly string[]).includes(name));

async function runLlamaBench(model: BenchModel, prompt: boolean, threadCounts: readonly number[]): Promise<LlamaBenchResult[]> {
  const results: LlamaBenchResult[] = [];
  for (const variant of LLAMA_BENCH_RUN) {
    const found = await findLlamaBench(variant);
    if ('missing' in found) {
      if (!llamaBenchMissing.includes(found.missing)) llamaBenchMissing.push(found.missing);
      continue;
    }
    const threads = threadCounts.join(',');
    const { stdout } = await execFileAsync(
      found.path,
      // The prompt as long as the conversation's (prompt speed falls with length: attention).
      ['-m', model.path, '-t', threads, '-p', prompt ? String(LLAMA_BENCH_PROMPT_TOKENS) : '0', '-n', String(model.genTokens), '-r', String(RUNS), '-o', 'json'],
      { maxBuffer: 16 << 20 },
    );
    const rows = (JSON.parse(stdout) as { n_threads: number; n_prompt: number; n_gen: number; avg_ts: number; stddev_ts: number }[]).map((row) => ({
      threads: row.n_threads,
      test: row.n_prompt > 0 ? `pp${row.n_prompt}` : `tg${row.n_gen}`,
      tokensPerSecond: row.avg_ts,
      stddev: row.stddev_ts,
    }));
    log(`${model.id}: llama-bench (${variant}) ${rows.map((row) => `${row.test}@${row.threads}t ${row.tokensPerSecond.toFixed(1)}`).join(', ')}`);
    results.push({ variant, binary: found.path, rows });
  }
  return results;
}

/** llama-bench's best generation figure over its variants and thread counts. */
function bestLlamaBenchTg(results: readonly LlamaBenchResult[]): { variant: LlamaBenchVariant; threads: number; tokensPerSecond: number } | null {
  let best: { variant: LlamaBenchVariant; threads: number; tokensPerSecond: number } | null = null;
  for (const result of results) {
    for (const row of result.rows) {
      if (row.test.startsWith('tg') && (best === null || row.tokensPerSecond > best.tokensPerSecond)) {
        best = { variant: result.variant, threads: row.threads, tokensPerSecond: row.tokensPerSecond };
      }
    }
  }
  return best;
}

interface BatchResult {
  model: string;
  threads: number;
  engineBatchSize: number;
  rows: { batchSize: number; tokens: number; tokensPerSecond: Summary }[];
}

async function batchSweep(model: BenchModel, threads: number): Promise<BatchResult> {
  const batchSizes = [64, 128, 256, 512, 1024];
  const raw = await openRaw({ modelPath: model.path, threads }, rawEnvironment());
  try {
    const engineBatchSize = raw.batchSize;
    const rows: BatchResult['rows'] = [];
    for (const batchSize of batchSizes) {
      const result = await raw.promptEval(LONG_SYSTEM, batchSize, RUNS);
      rows.push({ batchSize: result.batchSize, tokens: result.tokens, tokensPerSecond: summarize(result.ms.map((ms) => (result.tokens * 1000) / ms)) });
    }
    log(`${model.id}: prompt tok/s by batch size (${threads} threads): ${rows.map((row) => `${row.batchSize}: ${row.tokensPerSecond.median.toFixed(0)}`).join(', ')}`);
    return { model: model.id, threads, engineBatchSize, rows };
  } finally {
    await raw.close();
  }
}

interface UvResult {
  model: string;
  threads: number;
  rows: {
    uvThreadpoolSize: string;
    genTokensPerSecond: Summary;
    loadMs: Summary;
    /** A small file read while a 1,000-token prompt is evaluated: the wait for a pool thread. */
    fsReadMs: { median: number; max: number; reads: number };
  }[];
}

/**
 * The engine process starts with UV_THREADPOOL_SIZE=1: what it buys for generation, and what it
 * costs the rest of that process's pool work (model loading, and file reads, which queue behind
 * llama.cpp's batches on the one pool thread).
 */
async function uvSweep(model: BenchModel, threads: number): Promise<UvResult> {
  const sizes = ['1', '4'];
  const loads = new Map<string, number[]>(sizes.map((size) => [size, []]));
  const rates = new Map<string, number[]>(sizes.map((size) => [size, []]));
  const reads = new Map<string, number[]>(sizes.map((size) => [size, []]));
  // One fresh process per run (the setting applies at process start), alternating the settings.
  for (let run = 0; run < RUNS; run++) {
    for (const size of sizes) {
      const raw = await openRaw({ modelPath: model.path, threads }, rawEnvironment({ UV_THREADPOOL_SIZE: size }));
      try {
        loads.get(size)?.push(raw.loadMs);
        const answer = await raw.answer([{ role: 'user', content: SHORT_PROMPT }], model.genTokens);
        rates.get(size)?.push((answer.tokens * 1000) / answer.ms);
        if (run === 0) reads.get(size)?.push(...(await raw.fsProbe(LONG_SYSTEM)).latenciesMs);
      } finally {
        await raw.close();
      }
    }
  }
  const rows = sizes.map((size) => {
    const latencies = reads.get(size) ?? [];
    return {
      uvThreadpoolSize: size,
      genTokensPerSecond: summarize(rates.get(size) ?? []),
      loadMs: summarize(loads.get(size) ?? []),
      fsReadMs: { median: latencies.length === 0 ? Number.NaN : summarize(latencies).median, max: Math.max(...latencies), reads: latencies.length },
    };
  });
  log(
    `${model.id}: UV_THREADPOOL_SIZE ${rows.map((row) => `${row.uvThreadpoolSize}: ${row.genTokensPerSecond.median.toFixed(1)} tok/s, load ${row.loadMs.median.toFixed(0)} ms, file read during a prompt ${row.fsReadMs.median.toFixed(1)} ms (max ${row.fsReadMs.max.toFixed(0)})`).join('; ')}`,
  );
  return { model: model.id, threads, rows };
}

// ---------------------------------------------------------------------------------------------
// Report

function fmt(value: number | null | undefined, digits = 0): string {
  return value === null || value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits);
}

function fmtSummary(summary: Summary | null, digits = 0): string {
  return summary === null ? '–' : formatSummary(summary, digits);
}

function mb(kb: number | null): string {
  return kb === null ? '–' : (kb / 1024).toFixed(0);
}

function llamaBenchCell(model: ModelResult, variant: LlamaBenchVariant, threads: number, test: 'tg' | 'pp', digits: number): string {
  const row = model.llamaBench.find((result) => result.variant === variant)?.rows.find((r) => r.threads === threads && r.test.startsWith(test));
  return row === undefined ? '–' : `${row.tokensPerSecond.toFixed(digits)} ± ${row.stddev.toFixed(digits)}`;
}

function toMarkdown(report: Report): string {
  const variants = LLAMA_BENCH_VARIANTS.filter((variant) => report.models.some((model) => model.llamaBench.some((result) => result.variant === variant)));
  const lines: string[] = [
    `Machine: ${report.machine.cpu}, ${report.machine.cores} cores, ${report.machine.memoryGiB} GiB; node-llama-cpp ${report.nodeLlamaCpp} (${report.engineBuild === 'local' ? 'the CPU build `npm run engine:build` made here, OpenMP' : 'prebuilt CPU binaries'}). Each figure: median (min–max) of ${RUNS} runs; ${report.minutes.toFixed(1)} minutes in all. Command: \`${FULL_BENCH ? 'npm run bench -- --full' : 'npm run bench'}\`${FULL_BENCH ? '' : " (the default run: Enclave's own thread choice only; `--full` sweeps every thread count and model)"}.`,
    '',
    "**Generation**, tokens/s. Raw and whole: per answer to a short prompt, request to last token. Decode: first to last token, as llama-bench's tg (whole path: measured in the engine).",
    '',
    `| model | threads | tokens | raw node-llama-cpp | Enclave whole path | whole / raw | raw decode | whole decode |${variants.map((variant) => ` llama-bench tg (${variant}) |`).join('')}`,
    `| --- | --- | --- | --- | --- | --- | --- | --- |${variants.map(() => ' --- |').join('')}`,
  ];
  for (const model of report.models) {
    for (const row of model.sweep) {
      const auto = row.threads === model.auto.threads ? ' (auto)' : '';
      lines.push(
        `| ${model.label} | ${row.threads}${auto} | ${row.whole.genTokens} | ${fmtSummary(row.raw.genTokensPerSecond, 1)} | ${fmtSummary(row.whole.genTokensPerSecond, 1)} | ${row.genRatio.toFixed(3)} | ${fmtSummary(row.raw.decodeTokensPerSecond, 1)} | ${fmtSummary(row.whole.engineTokensPerSecond, 1)} |${variants.map((variant) => ` ${llamaBenchCell(model, variant, row.threads, 'tg', 1)} |`).join('')}`,
      );
    }
  }
  const withPaths = report.models.filter((model) => model.userPaths !== null);
  if (withPaths.length > 0) {
    const pathNames: [UserPathRow['path'], string][] = [
      ['api', 'local API, `openai` client'],
      ['websocket', 'WebSocket (renderer)'],
      ['raw-chat', 'raw LlamaChat'],
      ['raw-completion', 'raw LlamaCompletion'],
    ];
    const rate = (model: ModelResult, path: UserPathRow['path']): number => model.userPaths?.rows.find((row) => row.path === path)?.decodeTokensPerSecond.median ?? Number.NaN;
    lines.push(
      '',
      `**The paths users take**, at Enclave's own thread choice, each round in turn: tokens/s after the first token as the client receives them (streamed chat completion at temperature 0 through the local API with the official \`openai\` client; \`chat.generate\` over the WebSocket; raw node-llama-cpp's LlamaChat as the engine uses it, and LlamaCompletion), median (min–max) of ${RUNS} rounds; llama-bench's tg at the same threads:`,
      '',
      `| model | threads | tokens |${pathNames.map(([, label]) => ` ${label} |`).join('')} API / raw LlamaChat | API / WebSocket |${variants.map((variant) => ` llama-bench tg (${variant}) | API / llama-bench (${variant}) |`).join('')}`,
      `| --- | --- | --- |${pathNames.map(() => ' --- |').join('')} --- | --- |${variants.map(() => ' --- | --- |').join('')}`,
      ...withPaths.map((model) => {
        const paths = model.userPaths as UserPathsResult;
        const cells = pathNames.map(([path]) => ` ${fmtSummary(paths.rows.find((row) => row.path === path)?.decodeTokensPerSecond ?? null, 1)} |`).join('');
        const bench = variants
          .map((variant) => {
            const tg = model.llamaBench.find((result) => result.variant === variant)?.rows.find((row) => row.threads === paths.threads && row.test.startsWith('tg'));
            return ` ${llamaBenchCell(model, variant, paths.threads, 'tg', 1)} | ${tg === undefined ? '–' : (rate(model, 'api') / tg.tokensPerSecond).toFixed(3)} |`;
          })
          .join('');
        return `| ${model.label} | ${paths.threads} | ${paths.rows[0]?.tokens ?? '–'} |${cells} ${(rate(model, 'api') / rate(model, 'raw-chat')).toFixed(3)} | ${(rate(model, 'api') / rate(model, 'websocket')).toFixed(3)} |${bench}`;
      }),
    );
  }
  lines.push(
    '',
    "**Thread choice and llama.cpp** (Enclave without ENCLAVE_THREADS; best of the sweep, whole path; Enclave's decode rate at its own choice against llama-bench's best generation over its builds and thread counts):",
    '',
    '| model | Enclave picks | its tok/s | best in sweep | best tok/s | picked / best | Enclave decode | llama-bench best tg | Enclave / llama-bench |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...report.models.map((model) => {
      const vs = model.vsLlamaBench;
      return `| ${model.label} | ${model.auto.threads} | ${model.auto.genTokensPerSecond.toFixed(1)} | ${model.auto.bestThreads} | ${model.auto.bestGenTokensPerSecond.toFixed(1)} | ${model.auto.ratioToBest.toFixed(3)} | ${vs === null ? '–' : vs.wholeDecodeTokensPerSecond.toFixed(1)} | ${vs === null ? '–' : `${vs.llamaBench.tokensPerSecond.toFixed(1)} (${vs.llamaBench.variant}, ${vs.llamaBench.threads} t)`} | ${vs === null ? '–' : vs.ratio.toFixed(3)} |`;
    }),
    '',
    `**Prompt** (a ${CONVERSATION_ANSWER_TOKENS}-token answer after a ~1,000-token system prompt; TTFT = time to first token, ms; prompt tok/s = prompt tokens / TTFT; 2nd turn: the same conversation one question later, its prefix reused from the KV cache; same document: a new conversation with the same system prompt and another question, the system prompt reused from the cache):`,
    '',
    `| model | threads | prompt tokens | raw TTFT | whole TTFT | raw prompt tok/s | whole prompt tok/s | whole / raw | 2nd-turn new tokens | raw 2nd-turn TTFT | whole 2nd-turn TTFT | same-document new tokens | raw same-document TTFT | whole same-document TTFT |${variants.map((variant) => ` llama-bench pp${LLAMA_BENCH_PROMPT_TOKENS} (${variant}) |`).join('')}`,
    `| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |${variants.map(() => ' --- |').join('')}`,
  );
  for (const model of report.models) {
    for (const row of model.sweep) {
      if (row.raw.firstTurnTtftMs === null) continue;
      // At Enclave's own choice the whole path evaluates prompts on every math core, whatever it generates on.
      const threads = row.threads === model.auto.threads && row.threads < CORES ? `${row.threads} (auto: prompt on ${CORES})` : String(row.threads);
      lines.push(
        `| ${model.label} | ${threads} | ${fmt(row.raw.promptTokens)} | ${fmtSummary(row.raw.firstTurnTtftMs)} | ${fmtSummary(row.whole.firstTurnTtftMs)} | ${fmtSummary(row.raw.promptTokensPerSecond)} | ${fmtSummary(row.whole.promptTokensPerSecond)} | ${fmt(row.promptRatio, 3)} | ${fmt(row.whole.secondTurnPromptTokens)} | ${fmt(row.raw.secondTurnTtftMs)} | ${fmt(row.whole.secondTurnTtftMs)} | ${fmt(row.whole.sameDocumentPromptTokens)} | ${fmt(row.raw.sameDocumentTtftMs)} | ${fmt(row.whole.sameDocumentTtftMs)} |${variants.map((variant) => ` ${llamaBenchCell(model, variant, row.threads, 'pp', 0)} |`).join('')}`,
      );
    }
  }
  lines.push(
    '',
    '**Load and memory** (load: model and context to ready, ms, the file in the page cache, measured in the raw process and in the engine; client: request to `chat.loaded`; host start: host process start to engine ready; peak resident memory, MB):',
    '',
    '| model | threads | raw load | engine load | client wait | host start | raw peak | host peak | engine peak |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const model of report.models) {
    for (const row of model.sweep) {
      lines.push(
        `| ${model.label} | ${row.threads} | ${fmt(row.raw.loadMs)} | ${fmt(row.whole.loadMs)} | ${fmt(row.whole.loadClientMs)} | ${fmt(row.whole.startMs)} | ${mb(row.raw.peakRssKb.engine)} | ${mb(row.whole.peakRssKb.host)} | ${mb(row.whole.peakRssKb.engine)} |`,
      );
    }
  }
  for (const batch of report.batch) {
    lines.push(
      '',
      `**Prompt evaluation by batch size** (${batch.model}, ${batch.threads} threads, raw, ${batch.rows[0]?.tokens ?? 0} tokens, tok/s; the engine uses ${batch.engineBatchSize}):`,
      '',
      `| batch size | ${batch.rows.map((row) => row.batchSize).join(' | ')} |`,
      `| --- | ${batch.rows.map(() => '---').join(' | ')} |`,
      `| prompt tok/s | ${batch.rows.map((row) => formatSummary(row.tokensPerSecond)).join(' | ')} |`,
    );
  }
  for (const uv of report.uv) {
    lines.push(
      '',
      `**UV_THREADPOOL_SIZE of the engine process** (${uv.model}, ${uv.threads} threads, raw node-llama-cpp, one process per run):`,
      '',
      '| UV_THREADPOOL_SIZE | generation tok/s | model load ms | file read while a prompt is evaluated: median ms | max ms | reads |',
      '| --- | --- | --- | --- | --- | --- |',
      ...uv.rows.map(
        (row) =>
          `| ${row.uvThreadpoolSize} | ${formatSummary(row.genTokensPerSecond, 1)} | ${formatSummary(row.loadMs)} | ${fmt(row.fsReadMs.median, 2)} | ${fmt(row.fsReadMs.max)} | ${row.fsReadMs.reads} |`,
      ),
    );
  }
  for (const missing of report.llamaBenchMissing) lines.push('', `llama-bench: ${missing}.`);
  return `${lines.join('\n')}\n`;
}

interface Report {
  date: string;
  machine: { cpu: string; cores: number; memoryGiB: number };
  nodeLlamaCpp: string;
  /** The llama.cpp both raw node-llama-cpp and the engine loaded (ENCLAVE_ENGINE_BUILD=prebuilt ignores a local build). */
  engineBuild: EngineBuild;
  runs: number;
  minutes: number;
  models: ModelResult[];
  batch: BatchResult[];
  uv: UvResult[];
  llamaBenchMissing: string[];
}

function log(line: string): void {
  console.log(`[${((performance.now() - benchStarted) / 1000).toFixed(0).padStart(4)} s] ${line}`);
}

// ---------------------------------------------------------------------------------------------

/**
 * Per model: the most tokens per measured answer (answers last about ANSWER_SECONDS within that;
 * llama-bench's tg uses it as is), where the 1,000-token conversation runs, and what llama-bench
 * measures. The 1B-class models' prompts take 5-15 s each on 2 cores: measured at Enclave's own
 * thread choice only, so the whole benchmark stays under 15 minutes.
 */
const PLAN: Record<string, Pick<BenchModel, 'genTokens' | 'conversation' | 'llamaBench'>> = {
  'tiny-q8_0': { genTokens: 500, conversation: 'all', llamaBench: null },
  'smollm135m-q8_0': { genTokens: 128, conversation: 'all', llamaBench: { prompt: false } },
  'qwen05b-q8_0': { genTokens: 64, conversation: 'all', llamaBench: { prompt: true } },
  'qwen05b-q4_0': { genTokens: 64, conversation: 'all', llamaBench: { prompt: true } },
  'llama1b-q8_0': { genTokens: 32, conversation: 'auto', llamaBench: { prompt: false } },
  'llama1b-q4_0': { genTokens: 32, conversation: 'auto', llamaBench: { prompt: false } },
};

/** The default run's models: the tiny one (the fastest tokens, where the path's own work weighs most) and the 0.5B and 1B shapes of the issue's goals. */
const DEFAULT_MODELS = ['tiny-q8_0', 'qwen05b-q8_0', 'llama1b-q4_0'];

async function benchModels(): Promise<BenchModel[]> {
  const only = process.env.BENCH_MODELS?.split(',').filter((id) => id !== '') ?? (FULL_BENCH ? undefined : DEFAULT_MODELS);
  const models: BenchModel[] = [];
  for (const spec of BENCH_MODEL_SPECS) {
    if (only !== undefined && !only.includes(spec.id)) continue;
    const plan = PLAN[spec.id];
    // Models without a plan are other sections' (the comparison's second tiny model).
    if (plan === undefined) continue;
    models.push({ id: spec.id, label: spec.label, path: await ensureBenchModel(spec), ...plan });
  }
  if (existsSync(SHARED_STORIES) && (only === undefined || only.includes('stories260K'))) {
    models.push({ id: 'stories260K', label: 'stories260K (real, F32)', path: SHARED_STORIES, genTokens: 500, conversation: 'none', llamaBench: null });
  } else if (only === undefined) {
    log(`${SHARED_STORIES} not found (a fresh clone has no ../shared): the real stories260K model is left out`);
  }
  return models;
}

/** The whole performance section: every model, the thread sweep, batch sizes, UV_THREADPOOL_SIZE. */
export async function runPerformanceBench(): Promise<{ report: Report; markdown: string }> {
  const started = performance.now();
  const models = await benchModels();
  const report: Report = {
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: CORES, memoryGiB: Math.round(totalmem() / 2 ** 30) },
    nodeLlamaCpp: await nodeLlamaCppVersion(),
    engineBuild: engineBuildChoice(process.env) === 'auto' && (await readLocalEngineBuild()) !== null ? 'local' : 'prebuilt',
    runs: RUNS,
    minutes: 0,
    models: [],
    batch: [],
    uv: [],
    llamaBenchMissing: [],
  };
  for (const model of models) report.models.push(await benchModel(model));
  function autoThreads(model: BenchModel): number {
    return report.models.find((result) => result.id === model.id)?.auto.threads ?? CORES;
  }

  // Batch sizes on the 0.5B class, both quantizations (their matrix kernels differ); UV_THREADPOOL_SIZE on Q8_0.
  if (FULL_BENCH && !SKIP.has('batch')) {
    for (const model of models.filter((m) => m.id.startsWith('qwen05b-'))) report.batch.push(await batchSweep(model, autoThreads(model)));
  }
  const reference = models.find((model) => model.id === 'qwen05b-q8_0');
  if (reference !== undefined && FULL_BENCH && !SKIP.has('uv')) report.uv.push(await uvSweep(reference, CORES));
  report.llamaBenchMissing = llamaBenchMissing;
  report.minutes = (performance.now() - started) / 60_000;
  return { report, markdown: toMarkdown(report) };
}

if (import.meta.main) {
  const { report, markdown } = await runPerformanceBench();
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(join(RESULTS_DIR, 'performance.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n${markdown}`);
  process.exit(0);
}
