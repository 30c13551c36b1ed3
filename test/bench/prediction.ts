/**
 * Speeds predicted before download (`npm run bench -- prediction`): the engine's speed calibration
 * (electron/engine/process/calibration.ts, as the Models page runs it) against the speed the engine
 * then reaches on synthetic models of real shapes from 0.1B to 1.5B parameters (random weights,
 * written by the same writer), answer by answer, at the calibration's thread count (the engine's
 * own choice from the 0.5B class up, or ENCLAVE_THREADS). The calibration runs again before each
 * model, so that the error measures the method rather than how the machine's other work changed
 * between the calibration and the answers (the app calibrates once). Runs the engine's class in a child process started with the
 * engine's UV_THREADPOOL_SIZE=1, on the GPU when there is one (then the prediction is the GPU's).
 * Reports predicted and measured tokens/s and the error per model.
 */
import { engineBuildChoice } from '../../electron/engine/local-build/manifest.ts';
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { getLlama, LlamaLogLevel } from 'node-llama-cpp';
import type { GenerationStats } from '#shared/chat.ts';
import { predictTokensPerSecond, type SpeedLine } from '#shared/speed.ts';
import { bytesReadPerToken, writeSyntheticModel, type SyntheticShape } from '../../electron/engine/process/calibration.ts';
import { Engine } from '../../electron/engine/process/engine.ts';
import type { EngineToHost } from '../../electron/engine/protocol.ts';
import { chooseThreads, DECODE_ALONE_BELOW_PARAMETERS, parseThreadOverride } from '../../electron/engine/process/threads.ts';
import { FULL_BENCH } from './scope.ts';
import { formatSummary, summarize, type Summary } from './stats.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ANSWER_TOKENS = 48;

const SMOLLM2_135M: SyntheticShape = { nEmbd: 576, nLayer: 30, nHead: 9, nHeadKv: 3, nFf: 1536, nVocab: 49_152 };
const QWEN25_05B: SyntheticShape = { nEmbd: 896, nLayer: 24, nHead: 14, nHeadKv: 2, nFf: 4864, nVocab: 151_936 };
const LLAMA32_1B: SyntheticShape = { nEmbd: 2048, nLayer: 16, nHead: 32, nHeadKv: 8, nFf: 8192, nVocab: 128_256 };
const QWEN25_15B: SyntheticShape = { nEmbd: 1536, nLayer: 28, nHead: 12, nHeadKv: 2, nFf: 8960, nVocab: 151_936 };

const MODELS: { label: string; shape: SyntheticShape; type: 'Q8_0' | 'Q4_0'; full?: boolean }[] = [
  { label: 'SmolLM2-135M shape Q8_0', shape: SMOLLM2_135M, type: 'Q8_0' },
  { label: 'Qwen2.5-0.5B shape Q8_0', shape: QWEN25_05B, type: 'Q8_0' },
  { label: 'Qwen2.5-0.5B shape Q4_0', shape: QWEN25_05B, type: 'Q4_0', full: true },
  { label: 'Llama-3.2-1B shape Q4_0', shape: LLAMA32_1B, type: 'Q4_0' },
  { label: 'Llama-3.2-1B shape Q8_0', shape: LLAMA32_1B, type: 'Q8_0', full: true },
  { label: 'Qwen2.5-1.5B shape Q4_0', shape: QWEN25_15B, type: 'Q4_0' },
];

export interface PredictionRow {
  label: string;
  bytesPerToken: number;
  /** The calibration just before this model's answers. */
  calibration: { seconds: number; line: SpeedLine };
  predicted: number;
  measured: Summary;
  /** predicted / measured median - 1. */
  error: number;
}

export interface PredictionBenchResult {
  backend: string;
  threads: number;
  runs: number;
  rows: PredictionRow[];
}

export async function runPredictionBench(log: (line: string) => void = console.log): Promise<PredictionBenchResult> {
  const child = fork(import.meta.filename, [], { env: { ...process.env, UV_THREADPOOL_SIZE: '1' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.on('message', (message: { type: 'log'; line: string } | { type: 'result'; result: PredictionBenchResult } | { type: 'error'; message: string }) => {
      if (message.type === 'log') log(message.line);
      else if (message.type === 'result') resolve(message.result);
      else reject(new Error(message.message));
    });
    child.on('exit', (code) => reject(new Error(`the prediction bench process exited (${code})`)));
  });
}

export function predictionMarkdown(result: PredictionBenchResult): string {
  const gb = (bytes: number): string => (bytes / 1e9).toFixed(2);
  const errors = result.rows.map((row) => Math.abs(row.error));
  const gbps = (line: SpeedLine): string => `${line.overheadMs.toFixed(2)} ms + ${(line.bytesPerMs / 1e6).toFixed(1)} GB/s`;
  return [
    `On ${result.backend} at ${result.threads} thread(s): the calibration (just before each model: fixed ms per token + weights read per second, and how long it took), then the engine's answers (${ANSWER_TOKENS} tokens at most, temperature 0, same threads), decode tokens/s, median (min–max) of ${result.runs}:`,
    '',
    '| model | GB read per token | calibration | predicted tok/s | measured tok/s | error |',
    '| --- | --- | --- | --- | --- | --- |',
    ...result.rows.map(
      (row) =>
        `| ${row.label} | ${gb(row.bytesPerToken)} | ${gbps(row.calibration.line)} (${row.calibration.seconds.toFixed(1)} s) | ${row.predicted.toFixed(1)} | ${formatSummary(row.measured, 1)} | ${(row.error * 100).toFixed(0)}% |`,
    ),
    '',
    `Largest error: ${(Math.max(...errors) * 100).toFixed(0)}%; within ±25%: ${errors.filter((error) => error <= 0.25).length} of ${errors.length}.`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// The child process

async function measure(): Promise<PredictionBenchResult> {
  const log = (line: string): void => void process.send?.({ type: 'log', line });
  const dir = await mkdtemp(join(tmpdir(), 'enclave-bench-prediction-'));
  const pending = new Map<string, (stats: GenerationStats) => void>();
  const send = (message: EngineToHost): void => {
    if (message.type === 'done') pending.get(message.jobId)?.(message.stats);
    if (message.type === 'error') throw new Error(`${message.error.code}: ${message.error.message}`);
  };
  const cores = availableParallelism();
  try {
    // The calibration's threads (the engine's choice from the 0.5B class up, or ENCLAVE_THREADS) for every
    // model: the engine would generate a model under 300M parameters on one.
    const probe = await getLlama({ gpu: false, build: 'never', progressLogs: false, logLevel: LlamaLogLevel.error });
    const threads = chooseThreads({ cores, mathCores: probe.cpuMathCores, override: parseThreadOverride(process.env.ENCLAVE_THREADS), parameterCount: DECODE_ALONE_BELOW_PARAMETERS }).decode;
    await probe.dispose();
    const engine = new Engine(send, { cores, threadOverride: threads, gpu: 'auto', engineBuild: engineBuildChoice(process.env) });
    const { backend } = await engine.start();
    let job = 0;
    const answer = (modelPath: string): Promise<GenerationStats> => {
      const jobId = `prediction-${job++}`;
      const done = new Promise<GenerationStats>((resolve) => pending.set(jobId, resolve));
      void engine.generate({ jobId, modelId: 'prediction', modelPath, messages: [{ role: 'user', content: 'Write a story.' }], sampling: { temperature: 0, maxTokens: ANSWER_TOKENS } });
      return done;
    };
    const rows: PredictionRow[] = [];
    for (const model of MODELS.filter((candidate) => FULL_BENCH || candidate.full !== true)) {
      const started = performance.now();
      const calibration = await engine.calibrate(dir);
      const seconds = (performance.now() - started) / 1000;
      const line = calibration.gpu ?? calibration.cpu;
      const path = join(dir, `${model.type}-${model.shape.nEmbd}-${model.shape.nLayer}.gguf`);
      await writeSyntheticModel(path, model.shape, model.type);
      await answer(path); // load and warm up
      const rates: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const stats = await answer(path);
        if (stats.tokensPerSecond !== null) rates.push(stats.tokensPerSecond);
      }
      await engine.unload();
      await rm(path, { force: true });
      const bytesPerToken = bytesReadPerToken(model.shape, model.type);
      const predicted = predictTokensPerSecond(calibration, bytesPerToken, calibration.gpu === null ? 0 : 1);
      const measured = summarize(rates);
      rows.push({ label: model.label, bytesPerToken, calibration: { seconds, line }, predicted, measured, error: predicted / measured.median - 1 });
      log(
        `prediction: ${model.label}: calibration ${line.overheadMs.toFixed(2)} ms + ${(line.bytesPerMs / 1e6).toFixed(1)} GB/s (${seconds.toFixed(1)} s), predicted ${predicted.toFixed(1)}, measured ${formatSummary(measured, 1)} tok/s`,
      );
    }
    await engine.dispose();
    return { backend, threads, runs: RUNS, rows };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  if (process.send === undefined) {
    console.error('run through test/bench/run.ts: npm run bench -- prediction');
    process.exit(2);
  }
  try {
    process.send({ type: 'result', result: await measure() });
  } catch (error) {
    process.send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
  process.disconnect();
}
