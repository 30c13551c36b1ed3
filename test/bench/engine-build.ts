/**
 * The `engine-build` section: the engine built on this machine by `npm run engine:build` (llama.cpp
 * with OpenMP threads and this CPU's instructions) against node-llama-cpp's prebuilt binaries, each
 * next to llama-bench built the same way.
 *
 * For each model and thread count, round by round in turn, one answer on each of:
 *  - raw node-llama-cpp's LlamaChat (as the engine uses it) on the prebuilt binaries and on the
 *    local build, both with the engine's UV_THREADPOOL_SIZE=1, and on the local build with libuv's
 *    default pool of 4 (node-llama-cpp's own default);
 *  - the local API with the official `openai` client, on an Enclave whose engine loads the prebuilt
 *    binaries (ENCLAVE_ENGINE_BUILD=prebuilt) and on one whose engine loads the local build;
 * tokens/s after the first token, as each client receives them. Then prompt evaluation of 512
 * tokens (raw, each build) and llama-bench's tg and pp512: the `prebuilt` variant (node-llama-cpp's
 * own CPU kernels) and the `openmp` one (OpenMP, as a user builds llama.cpp), when they were built
 * (llama-bench-build.ts).
 *
 * Skipped, saying why, when no local build exists. Knobs: BENCH_RUNS (rounds, default 3),
 * BENCH_ENGINE_BUILD_MODELS (bench model ids; default the tiny and 0.5B Q8_0 shapes, with `--full`
 * the 135M and 1B Q4_0 ones too).
 */
import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import type OpenAI from 'openai';
import { readLocalEngineBuild, type LocalEngineBuild } from '../../electron/engine/local-build/manifest.ts';
import type { ChatMessage } from '#shared/chat.ts';
import { findLlamaBench, LLAMA_BENCH_VARIANTS, type LlamaBenchVariant } from './llama-bench-build.ts';
import { BENCH_MODEL_SPECS, ensureBenchModel } from './models.ts';
import { localApiClient, streamedAnswer } from './openai-stream.ts';
import { decodeRate, openRaw, rawEnvironment, type AnswerRun, type RawSession } from './raw-generate.ts';
import { FULL_BENCH } from './scope.ts';
import { formatSummary, summarize, type Summary } from './stats.ts';
import { openWholePath, type WholePathSession } from './whole-path.ts';
import { freePort } from '../support/loopback.ts';

const execFileAsync = promisify(execFile);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CORES = availableParallelism();
const PROMPT = 'Write a story.';
/** llama-bench's pp512, and the same number of tokens evaluated raw (the first 512 of a longer text). */
const PROMPT_TOKENS = 512;
const PROMPT_TEXT = Array.from({ length: 200 }, (_, i) => `Rule ${i + 1}: answer briefly and kindly.`).join(' ');

interface ModelPlan {
  id: string;
  /** Tokens per answer. */
  tokens: number;
  threads: number[];
}

/**
 * The small shapes at 1 thread as well: the engine decodes models under 300M parameters on one
 * thread with the prebuilt binaries. The default run (under 15 minutes in all) measures the tiny and
 * 0.5B shapes, about 3 minutes; the full one the 135M and 1B shapes too.
 */
const PLANS: ModelPlan[] = [
  { id: 'tiny-q8_0', tokens: 256, threads: [...new Set([1, CORES])] },
  { id: 'smollm135m-q8_0', tokens: 128, threads: [...new Set([1, CORES])] },
  { id: 'qwen05b-q8_0', tokens: 64, threads: [CORES] },
  { id: 'llama1b-q4_0', tokens: 32, threads: [CORES] },
];
const DEFAULT_PLAN_IDS = ['tiny-q8_0', 'qwen05b-q8_0'];

export type EngineBuildWay = 'raw-prebuilt' | 'raw-local' | 'raw-local-uv4' | 'api-prebuilt' | 'api-local';
const WAYS: readonly EngineBuildWay[] = ['raw-prebuilt', 'raw-local', 'raw-local-uv4', 'api-prebuilt', 'api-local'];

export interface EngineBuildRow {
  model: string;
  threads: number;
  tokens: number;
  /** Tokens/s after the first token, per way. */
  decode: Record<EngineBuildWay, Summary>;
  /** Raw prompt evaluation of PROMPT_TOKENS, tokens/s, per build. */
  prompt: { prebuilt: Summary; local: Summary };
  llamaBench: { variant: LlamaBenchVariant; tg: number; pp: number }[];
}

export type EngineBuildBenchResult = { skipped: string } | { build: LocalEngineBuild; rows: EngineBuildRow[]; llamaBenchMissing: string[] };

function log(line: string): void {
  console.log(`[engine-build] ${line}`);
}

async function llamaBench(path: string, threads: number, tokens: number): Promise<{ variant: LlamaBenchVariant; tg: number; pp: number }[]> {
  const results: { variant: LlamaBenchVariant; tg: number; pp: number }[] = [];
  for (const variant of LLAMA_BENCH_VARIANTS) {
    const found = await findLlamaBench(variant);
    if ('missing' in found) continue;
    const { stdout } = await execFileAsync(found.path, ['-m', path, '-t', String(threads), '-p', String(PROMPT_TOKENS), '-n', String(tokens), '-r', String(RUNS), '-o', 'json'], {
      maxBuffer: 16 << 20,
    });
    const rows = JSON.parse(stdout) as { n_prompt: number; n_gen: number; avg_ts: number }[];
    results.push({ variant, tg: rows.find((row) => row.n_gen > 0)?.avg_ts ?? Number.NaN, pp: rows.find((row) => row.n_prompt > 0)?.avg_ts ?? Number.NaN });
  }
  return results;
}

async function benchOne(plan: ModelPlan, path: string, threads: number): Promise<EngineBuildRow> {
  const messages: ChatMessage[] = [{ role: 'user', content: PROMPT }];
  const raws: Partial<Record<EngineBuildWay, RawSession>> = {};
  const wholes: { session: WholePathSession; client: OpenAI }[] = [];
  try {
    raws['raw-prebuilt'] = await openRaw({ modelPath: path, threads, engineBuild: 'prebuilt' }, rawEnvironment());
    raws['raw-local'] = await openRaw({ modelPath: path, threads, engineBuild: 'local' }, rawEnvironment());
    raws['raw-local-uv4'] = await openRaw({ modelPath: path, threads, engineBuild: 'local' }, rawEnvironment({ UV_THREADPOOL_SIZE: '4' }));
    const openApi = async (build: 'prebuilt' | 'auto'): Promise<OpenAI> => {
      const port = await freePort();
      const session = await openWholePath([path], { ...process.env, ENCLAVE_THREADS: String(threads), ENCLAVE_API_PORT: String(port), ENCLAVE_ENGINE_BUILD: build });
      const client = localApiClient(port);
      wholes.push({ session, client });
      return client;
    };
    const apiPrebuilt = await openApi('prebuilt');
    const apiLocal = await openApi('auto');
    const viaApi = (client: OpenAI): Promise<AnswerRun> => streamedAnswer(client, basename(path), messages, plan.tokens);
    const rawWay = (way: EngineBuildWay) => (): Promise<AnswerRun> => {
      const session = raws[way];
      if (session === undefined) throw new Error(`no ${way} process`);
      return session.answer(messages, plan.tokens);
    };
    const ways: Record<EngineBuildWay, () => Promise<AnswerRun>> = {
      'raw-prebuilt': rawWay('raw-prebuilt'),
      'raw-local': rawWay('raw-local'),
      'raw-local-uv4': rawWay('raw-local-uv4'),
      'api-prebuilt': () => viaApi(apiPrebuilt),
      'api-local': () => viaApi(apiLocal),
    };
    const runs = new Map<EngineBuildWay, number[]>(WAYS.map((way) => [way, []]));
    let tokens = 0;
    for (const way of WAYS) await ways[way](); // warm-up (loads the model in the engines)
    for (let round = 0; round < RUNS; round++) {
      // Each round starts with another way, so none always follows the same one.
      for (let i = 0; i < WAYS.length; i++) {
        const way = WAYS[(round + i) % WAYS.length] as EngineBuildWay;
        const run = await ways[way]();
        tokens = Math.max(tokens, run.tokens);
        runs.get(way)?.push(decodeRate(run));
      }
    }
    const decode = Object.fromEntries(WAYS.map((way) => [way, summarize(runs.get(way) ?? [])])) as Record<EngineBuildWay, Summary>;
    const promptRate = async (way: 'raw-prebuilt' | 'raw-local'): Promise<Summary> => {
      const session = raws[way];
      if (session === undefined) throw new Error(`no ${way} process`);
      const evaluated = await session.promptEval(PROMPT_TEXT, session.batchSize, RUNS, PROMPT_TOKENS);
      if (evaluated.tokens !== PROMPT_TOKENS) throw new Error(`the prompt has ${evaluated.tokens} tokens, not ${PROMPT_TOKENS}`);
      return summarize(evaluated.ms.map((ms) => (evaluated.tokens * 1000) / ms));
    };
    const prompt = { prebuilt: await promptRate('raw-prebuilt'), local: await promptRate('raw-local') };
    for (const session of Object.values(raws)) await session.close();
    for (const whole of wholes.splice(0)) await whole.session.close();
    const bench = await llamaBench(path, threads, plan.tokens);
    const row: EngineBuildRow = { model: plan.id, threads, tokens, decode, prompt, llamaBench: bench };
    log(
      `${plan.id} at ${threads} thread(s): ${WAYS.map((way) => `${way} ${formatSummary(decode[way], 1)}`).join(', ')} tok/s; prompt prebuilt ${prompt.prebuilt.median.toFixed(0)}, local ${prompt.local.median.toFixed(0)} tok/s; ` +
        bench.map((result) => `llama-bench ${result.variant} tg ${result.tg.toFixed(1)} pp ${result.pp.toFixed(0)}`).join(', '),
    );
    return row;
  } finally {
    for (const session of Object.values(raws)) await session.close();
    for (const whole of wholes) await whole.session.close();
  }
}

export async function runEngineBuildBench(): Promise<EngineBuildBenchResult> {
  const build = await readLocalEngineBuild();
  if (build === null) {
    const skipped = 'no engine built on this machine (run `npm run engine:build`, about 10 minutes on 2 cores): only the prebuilt binaries can be measured';
    log(`skipped: ${skipped}`);
    return { skipped };
  }
  const only = process.env.BENCH_ENGINE_BUILD_MODELS?.split(',').filter((id) => id !== '');
  const ids = only ?? (FULL_BENCH ? PLANS.map((plan) => plan.id) : DEFAULT_PLAN_IDS);
  const plans = ids.map((id) => PLANS.find((plan) => plan.id === id) ?? { id, tokens: 64, threads: [CORES] });
  const rows: EngineBuildRow[] = [];
  for (const plan of plans) {
    const spec = BENCH_MODEL_SPECS.find((candidate) => candidate.id === plan.id);
    if (spec === undefined) throw new Error(`no bench model ${plan.id}`);
    const path = await ensureBenchModel(spec);
    for (const threads of plan.threads) rows.push(await benchOne(plan, path, threads));
  }
  const llamaBenchMissing: string[] = [];
  for (const variant of LLAMA_BENCH_VARIANTS) {
    const found = await findLlamaBench(variant);
    if ('missing' in found) llamaBenchMissing.push(found.missing);
  }
  return { build, rows, llamaBenchMissing };
}

function cell(summary: Summary): string {
  return formatSummary(summary, 1);
}

export function engineBuildMarkdown(result: EngineBuildBenchResult): string {
  if ('skipped' in result) return `Skipped: ${result.skipped}.`;
  const variants = LLAMA_BENCH_VARIANTS.filter((variant) => result.rows.some((row) => row.llamaBench.some((bench) => bench.variant === variant)));
  const lines = [
    `Local build: llama.cpp ${result.build.release} through node-llama-cpp ${result.build.nodeLlamaCpp}, CPU ${result.build.cpuVariant}, CMake options ${Object.entries(result.build.cmakeOptions)
      .map(([key, value]) => `${key}=${value}`)
      .join(' ')}, built ${result.build.builtAt}.`,
    '',
    `**Generation**, tokens/s after the first token, median (min–max) of ${RUNS} rounds taken in turn; raw = node-llama-cpp's LlamaChat in one process (UV_THREADPOOL_SIZE=1 unless said); API = Enclave's local API with the official \`openai\` client:`,
    '',
    `| model | threads | tokens | raw prebuilt | raw local | raw local, UV pool 4 | API prebuilt | API local | local / prebuilt (raw) | API / raw (local) |${variants.map((variant) => ` llama-bench tg (${variant}) |`).join('')}${variants.map((variant) => ` API local / llama-bench (${variant}) |`).join('')}`,
    `| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |${variants.map(() => ' --- |').join('')}${variants.map(() => ' --- |').join('')}`,
    ...result.rows.map((row) => {
      const tg = (variant: LlamaBenchVariant): number | undefined => row.llamaBench.find((bench) => bench.variant === variant)?.tg;
      return (
        `| ${row.model} | ${row.threads} | ${row.tokens} | ${cell(row.decode['raw-prebuilt'])} | ${cell(row.decode['raw-local'])} | ${cell(row.decode['raw-local-uv4'])} | ${cell(row.decode['api-prebuilt'])} | ${cell(row.decode['api-local'])} | ` +
        `${(row.decode['raw-local'].median / row.decode['raw-prebuilt'].median).toFixed(2)} | ${(row.decode['api-local'].median / row.decode['raw-local'].median).toFixed(2)} |` +
        variants.map((variant) => ` ${tg(variant)?.toFixed(1) ?? '–'} |`).join('') +
        variants.map((variant) => ` ${(row.decode['api-local'].median / (tg(variant) ?? Number.NaN)).toFixed(2)} |`).join('')
      );
    }),
    '',
    `**Prompt evaluation** of ${PROMPT_TOKENS} tokens, raw, tokens/s, against llama-bench's pp${PROMPT_TOKENS}:`,
    '',
    `| model | threads | raw prebuilt | raw local | local / prebuilt |${variants.map((variant) => ` llama-bench pp${PROMPT_TOKENS} (${variant}) |`).join('')}`,
    `| --- | --- | --- | --- | --- |${variants.map(() => ' --- |').join('')}`,
    ...result.rows.map(
      (row) =>
        `| ${row.model} | ${row.threads} | ${formatSummary(row.prompt.prebuilt)} | ${formatSummary(row.prompt.local)} | ${(row.prompt.local.median / row.prompt.prebuilt.median).toFixed(2)} |` +
        variants.map((variant) => ` ${row.llamaBench.find((bench) => bench.variant === variant)?.pp.toFixed(0) ?? '–'} |`).join(''),
    ),
  ];
  if (result.llamaBenchMissing.length > 0) lines.push('', ...result.llamaBenchMissing.map((missing) => `llama-bench: ${missing}.`));
  return lines.join('\n');
}

if (import.meta.main) {
  const result = await runEngineBuildBench();
  console.log(engineBuildMarkdown(result));
}
