/**
 * Speculative decoding (`npm run bench -- speculative`, or `node test/bench/speculative.ts` for
 * this section alone): the engine's generation speed with and without it, in turn in one run, at
 * greedy sampling. By input lookup, on a prompt the answer copies and on one it copies nothing of;
 * with a draft model, one that predicts the answer and one of the same vocabulary that is always
 * wrong. The model is the copying fixture (its answer is always COPY_TEXT) with a body of zero
 * weights of the Qwen2.5-0.5B shape, so each token costs what a real 0.5B model's does; the draft
 * models are fixtures of the same vocabulary with the default small body (one layer). Runs the
 * engine's own class (electron/engine/process/engine.ts) in a child process started with the
 * engine's UV_THREADPOOL_SIZE=1, on the GPU when there is one.
 */
import { engineBuildChoice } from '../../electron/engine/local-build/manifest.ts';
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { getLlama, LlamaLogLevel } from 'node-llama-cpp';
import { Engine } from '../../electron/engine/process/engine.ts';
import type { EngineToHost } from '../../electron/engine/protocol.ts';
import type { GenerationStats } from '#shared/chat.ts';
import { COPY_TEXT, COPY_TEXT_TOKENS, ensureReversedCopyingModel, writeCopyingModel, type BigramBody } from '../fixtures/gguf/scripted.ts';
import { BENCH_MODELS_DIR } from './models.ts';
import { formatSummary, summarize, type Summary } from './stats.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** The body of Qwen2.5-0.5B (its vocabulary aside): 24 layers of 896, 14 heads, 2 KV heads. */
const BODY: BigramBody = { nEmbd: 896, nLayer: 24, nHead: 14, nHeadKv: 2, nFf: 4864, type: 'Q8_0' };
const BODY_VERSION = 1;

/** Asked to rewrite a text, the answer repeats it: what input lookup predicts. */
export const COPY_PROMPT = `Please fix the typos in this email and send it back:\n${COPY_TEXT}`;
/** The same words in another order: every token of the answer is in the prompt, none of its sequences, so each draft is refuted. */
export const NO_COPY_PROMPT = `Sort these words: ${[...COPY_TEXT_TOKENS.slice(1, -1)].sort().join('')}`;
/** For the draft models: nothing of the answer in the prompt. */
export const DRAFT_PROMPT = 'Write the email to Anna about the contract.';

const CASE_LABELS = {
  copy: 'copies its prompt | input lookup',
  'no-copy': 'copies nothing (same words, other order) | input lookup',
  draft: 'copies nothing | draft model that predicts it (1 layer)',
  'wrong-draft': 'copies nothing | draft model, same vocabulary, always wrong',
} as const;

export interface SpeculativeCase {
  prompt: keyof typeof CASE_LABELS;
  off: Summary;
  on: Summary;
  /** on / off, run by run. */
  ratio: Summary;
  drafted: number;
  accepted: number;
  tokens: number;
  identical: boolean;
}

export interface SpeculativeBenchResult {
  model: string;
  threads: number;
  runs: number;
  cases: SpeculativeCase[];
  /** What checking drafts costs: one decode step of n tokens, ms, median of the runs, for n = 1, 2, 4. */
  batchMs: { tokens: number; ms: Summary }[];
}

const BATCH_STEPS = 10;

/**
 * One decode step of 1, 2 and 4 tokens on the same model and threads, in turn: a draft is checked
 * in the step of the token before it, so it pays only where a step of 2 costs little more than 1.
 */
async function measureBatchCost(modelPath: string, threads: number): Promise<SpeculativeBenchResult['batchMs']> {
  const llama = await getLlama({ gpu: 'auto', build: 'never', progressLogs: false, logLevel: LlamaLogLevel.error, maxThreads: threads });
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({ contextSize: 1024, threads });
  const sequence = context.getSequence();
  const tokens = model.tokenize(COPY_TEXT);
  const sizes = [1, 2, 4];
  const ms = new Map<number, number[]>(sizes.map((size) => [size, []]));
  await sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(0, 8));
  for (let run = 0; run < RUNS; run++) {
    for (const size of sizes) {
      const started = performance.now();
      for (let step = 0; step < BATCH_STEPS; step++) {
        await sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(8, 8 + size));
        await sequence.eraseContextTokenRanges([{ start: 8, end: 8 + size }]);
      }
      ms.get(size)?.push((performance.now() - started) / BATCH_STEPS);
    }
  }
  await context.dispose();
  await model.dispose();
  await llama.dispose();
  return sizes.map((size) => ({ tokens: size, ms: summarize(ms.get(size) ?? []) }));
}

/** The draft model that predicts the copying model's answer: the copying fixture itself with its small default body. */
async function copyingDraftModel(): Promise<string> {
  const path = join(BENCH_MODELS_DIR, 'copying-draft.gguf');
  if (existsSync(path)) return path;
  await mkdir(BENCH_MODELS_DIR, { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeCopyingModel(temporary);
  await rename(temporary, path);
  return path;
}

async function copyingBenchModel(): Promise<string> {
  const path = join(BENCH_MODELS_DIR, `copying-qwen05b-body-v${BODY_VERSION}.gguf`);
  if (existsSync(path)) return path;
  await mkdir(BENCH_MODELS_DIR, { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeCopyingModel(temporary, BODY);
  await rename(temporary, path);
  return path;
}

export async function runSpeculativeBench(log: (line: string) => void = console.log): Promise<SpeculativeBenchResult> {
  const modelPath = await copyingBenchModel();
  const drafts = [await copyingDraftModel(), await ensureReversedCopyingModel(BENCH_MODELS_DIR)];
  const child = fork(import.meta.filename, [modelPath, ...drafts], { env: { ...process.env, UV_THREADPOOL_SIZE: '1' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.on('message', (message: { type: 'log'; line: string } | { type: 'result'; result: SpeculativeBenchResult } | { type: 'error'; message: string }) => {
      if (message.type === 'log') log(message.line);
      else if (message.type === 'result') resolve(message.result);
      else reject(new Error(message.message));
    });
    child.on('exit', (code) => reject(new Error(`the speculative bench process exited (${code})`)));
  });
}

export function speculativeMarkdown(result: SpeculativeBenchResult): string {
  const rows = result.cases.map(
    (c) =>
      `| ${CASE_LABELS[c.prompt]} | ${c.tokens} | ${formatSummary(c.off, 1)} | ${formatSummary(c.on, 1)} | ${formatSummary(c.ratio, 2)} | ${c.accepted} / ${c.drafted} | ${c.identical ? 'yes' : '**no**'} |`,
  );
  return [
    `${result.model}, ${result.threads} threads, temperature 0, the engine's decode tokens/s (first token to last), median (min–max) of ${result.runs} runs, with and without in turn:`,
    '',
    '| answer | drafts by | tokens | without | with | with / without | accepted / drafted (last run) | same text |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `One decode step on the same model and threads, ms, median (min–max) of ${result.runs} runs of ${BATCH_STEPS} steps (a draft is checked in the step of the token before it):`,
    '',
    `| tokens in the step | ${result.batchMs.map((row) => row.tokens).join(' | ')} |`,
    `| --- | ${result.batchMs.map(() => '---').join(' | ')} |`,
    `| ms | ${result.batchMs.map((row) => formatSummary(row.ms, 1)).join(' | ')} |`,
    `| × one token | ${result.batchMs.map((row) => (row.ms.median / (result.batchMs[0]?.ms.median ?? Number.NaN)).toFixed(2)).join(' | ')} |`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// The child process

async function measure(modelPath: string, draftPath: string, wrongDraftPath: string): Promise<SpeculativeBenchResult> {
  const log = (line: string): void => void process.send?.({ type: 'log', line });
  const cores = availableParallelism();
  const pending = new Map<string, (outcome: { text: string; stats: GenerationStats }) => void>();
  const engine = new Engine(
    (message: EngineToHost) => {
      if (message.type === 'done') pending.get(message.jobId)?.({ text: message.text, stats: message.stats });
      if (message.type === 'error') throw new Error(`${message.error.code}: ${message.error.message}`);
    },
    { cores, threadOverride: null, gpu: 'auto', engineBuild: engineBuildChoice(process.env) },
  );
  const { threads } = await engine.start();
  let job = 0;
  const answer = (prompt: string, speculative: boolean, draft?: string): Promise<{ text: string; stats: GenerationStats }> => {
    const jobId = `bench-${job++}`;
    const done = new Promise<{ text: string; stats: GenerationStats }>((resolve) => pending.set(jobId, resolve));
    const draftModel = speculative && draft !== undefined ? { draftModelPath: draft } : {};
    void engine.generate({ jobId, modelId: 'copying', modelPath, messages: [{ role: 'user', content: prompt }], sampling: { temperature: 0 }, speculative: speculative ? 'on' : 'off', ...draftModel });
    return done;
  };
  await answer('Hello', false); // load and warm up
  // The draft models loaded and warmed up too (the engine keeps one at a time: the first answers of a case load it).
  const cases: SpeculativeCase[] = [];
  for (const [name, prompt, draft] of [
    ['copy', COPY_PROMPT, undefined],
    ['no-copy', NO_COPY_PROMPT, undefined],
    ['draft', DRAFT_PROMPT, draftPath],
    ['wrong-draft', DRAFT_PROMPT, wrongDraftPath],
  ] as const) {
    if (draft !== undefined) await answer('Hello', true, draft);
    const off: number[] = [];
    const on: number[] = [];
    const ratio: number[] = [];
    let last = { drafted: 0, accepted: 0, tokens: 0, identical: true };
    for (let run = 0; run < RUNS; run++) {
      // Alternate which goes first, so both see the machine alike.
      const order = run % 2 === 0 ? [false, true] : [true, false];
      const outcomes = new Map<boolean, { text: string; stats: GenerationStats }>();
      for (const speculative of order) outcomes.set(speculative, await answer(prompt, speculative, draft));
      const without = outcomes.get(false);
      const drafting = outcomes.get(true);
      if (without === undefined || drafting === undefined) throw new Error('an answer is missing');
      if (drafting.stats.draftRefused !== undefined) throw new Error(`the draft model was refused: ${drafting.stats.draftRefused.message}`);
      const a = without.stats.tokensPerSecond ?? 0;
      const b = drafting.stats.tokensPerSecond ?? 0;
      off.push(a);
      on.push(b);
      ratio.push(b / a);
      last = { ...(drafting.stats.draftTokens ?? { drafted: 0, accepted: 0 }), tokens: drafting.stats.tokens, identical: last.identical && without.text === drafting.text };
      log(`speculative ${name} run ${run + 1}: without ${a.toFixed(1)} tok/s, with ${b.toFixed(1)} tok/s (${last.accepted}/${last.drafted} accepted)`);
    }
    cases.push({ prompt: name, off: summarize(off), on: summarize(on), ratio: summarize(ratio), ...last });
  }
  await engine.dispose();
  const batchMs = await measureBatchCost(modelPath, threads);
  return { model: 'copying model, Qwen2.5-0.5B body (zero weights) Q8_0', threads, runs: RUNS, cases, batchMs };
}

if (import.meta.main && process.send === undefined) {
  // This section alone: `node test/bench/speculative.ts` (BENCH_RUNS runs).
  const started = performance.now();
  console.log(speculativeMarkdown(await runSpeculativeBench()));
  console.log(`\n${((performance.now() - started) / 1000).toFixed(0)} s`);
  process.exit(0);
} else if (import.meta.main) {
  const [modelPath, draftPath, wrongDraftPath] = process.argv.slice(2);
  if (modelPath === undefined || draftPath === undefined || wrongDraftPath === undefined || process.send === undefined) {
    console.error('run through test/bench/run.ts: npm run bench -- speculative');
    process.exit(2);
  }
  try {
    process.send({ type: 'result', result: await measure(modelPath, draftPath, wrongDraftPath) });
  } catch (error) {
    process.send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
  process.disconnect();
}
