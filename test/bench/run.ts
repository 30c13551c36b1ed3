/**
 * `npm run bench`: generation speed of raw node-llama-cpp in one process against Enclave's whole
 * path (engine process, contract, WebSocket client), same model, threads and settings, in one run.
 * Writes results/bench.json and results/bench.md.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { engineEnvironment } from '../../electron/engine/engine-process.ts';
import { ensureFixtureModels } from '../fixtures/gguf/scripted.ts';
import { formatSummary, summarize, type Summary } from './stats.ts';
import { openWholePath } from './whole-path.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const RESULTS_DIR = join(import.meta.dirname, 'results');
const SHARED_STORIES = join(import.meta.dirname, '..', '..', '..', 'shared', 'models', 'stories260K-chatml.gguf');

interface BenchModel {
  name: string;
  path: string;
  prompt: string;
  maxTokens: number;
}

interface PathResult {
  tokensPerSecond: Summary;
  ttftMs: Summary;
  tokens: number;
}

interface Row {
  model: string;
  threads: number;
  raw: PathResult;
  whole: PathResult & { deltaMessages: number };
  ratio: number;
}

const execFileAsync = promisify(execFile);

async function runRaw(model: BenchModel, threads: number): Promise<PathResult> {
  const job = JSON.stringify({ modelPath: model.path, threads, prompt: model.prompt, maxTokens: model.maxTokens, runs: RUNS + 1 });
  const { stdout } = await execFileAsync(process.execPath, [join(import.meta.dirname, 'raw-generate.ts'), job], {
    env: { ...process.env, ...engineEnvironment(process.env) },
    maxBuffer: 1 << 20,
  });
  const runs = stdout.trim().split('\n').map((line) => JSON.parse(line) as { tokens: number; ms: number; ttftMs: number | null });
  const measured = runs.slice(1); // the first run warms the cache, as the whole path's does
  return {
    tokensPerSecond: summarize(measured.map((run) => (run.tokens * 1000) / run.ms)),
    ttftMs: summarize(measured.map((run) => run.ttftMs ?? Number.NaN)),
    tokens: measured[0]?.tokens ?? 0,
  };
}

async function runWhole(model: BenchModel, threads: number): Promise<Row['whole']> {
  const session = await openWholePath(model.path, threads);
  try {
    await session.generate(model.prompt, model.maxTokens);
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await session.generate(model.prompt, model.maxTokens));
    return {
      tokensPerSecond: summarize(runs.map((run) => (run.tokens * 1000) / run.ms)),
      ttftMs: summarize(runs.map((run) => run.ttftMs ?? Number.NaN)),
      tokens: runs[0]?.tokens ?? 0,
      deltaMessages: summarize(runs.map((run) => run.deltaMessages)).median,
    };
  } finally {
    await session.close();
  }
}

async function benchModels(): Promise<BenchModel[]> {
  const fixtures = await ensureFixtureModels();
  const models: BenchModel[] = [{ name: 'enclave-endless (fixture)', path: fixtures.endless, prompt: 'Count.', maxTokens: 1000 }];
  if (existsSync(SHARED_STORIES)) {
    models.unshift({ name: 'stories260K-chatml', path: SHARED_STORIES, prompt: 'Once upon a time', maxTokens: 1000 });
  } else {
    console.log(`bench: ${SHARED_STORIES} not found (a fresh clone has no ../shared); benchmarking the fixture only`);
  }
  return models;
}

function toMarkdown(rows: readonly Row[]): string {
  const lines = [
    `Generation, end to end per answer (tokens / wall time from request to last token), median (min–max) of ${RUNS} runs after one warm-up; ${availableParallelism()} cores.`,
    '',
    '| model | threads | tokens | raw node-llama-cpp tok/s | Enclave whole path tok/s | whole / raw | delta messages per answer |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (row) =>
        `| ${row.model} | ${row.threads} | ${row.whole.tokens} | ${formatSummary(row.raw.tokensPerSecond)} | ${formatSummary(row.whole.tokensPerSecond)} | ${row.ratio.toFixed(3)} | ${row.whole.deltaMessages} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

const rows: Row[] = [];
for (const model of await benchModels()) {
  for (let threads = 1; threads <= availableParallelism(); threads++) {
    const raw = await runRaw(model, threads);
    const whole = await runWhole(model, threads);
    const row = { model: model.name, threads, raw, whole, ratio: whole.tokensPerSecond.median / raw.tokensPerSecond.median };
    rows.push(row);
    console.log(`${model.name}, ${threads} thread(s): raw ${formatSummary(raw.tokensPerSecond)} tok/s, whole path ${formatSummary(whole.tokensPerSecond)} tok/s, ratio ${row.ratio.toFixed(3)}`);
  }
}
await mkdir(RESULTS_DIR, { recursive: true });
await writeFile(join(RESULTS_DIR, 'bench.json'), `${JSON.stringify({ date: new Date().toISOString(), cores: availableParallelism(), runs: RUNS, rows }, null, 2)}\n`);
const markdown = toMarkdown(rows);
await writeFile(join(RESULTS_DIR, 'bench.md'), markdown);
console.log(`\n${markdown}`);
process.exit(0);
