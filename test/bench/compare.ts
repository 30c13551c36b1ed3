/**
 * Comparison workbench benchmark: the same prompts answered by two models, (1) as a prompt-set
 * batch with the app's scheduling, against (2) what a careful user does by hand in the chat: every
 * prompt to model A, then every prompt to model B (one load per model, like the app today). The
 * app wins where it can run models side by side (its capacity, see compare/schedule.ts); with one
 * answer at a time the ratio shows what the workbench's own bookkeeping costs.
 *
 *   node test/bench/compare.ts                         # the two scripted fixture models (seconds)
 *   ENCLAVE_BENCH_COMPARE_MODELS=a.gguf,b.gguf ENCLAVE_BENCH_PROMPTS=6 node test/bench/compare.ts
 *
 * Alone it prints one JSON line; test/bench/run.ts calls runCompareBench.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { CommandInput, CommandName, CommandResult } from '#shared/contract.ts';
import { ALPHA, BRAVO, writeCompareModels } from '../support/compare-models.ts';
import { createTestHost, type TestHost } from '../support/test-host.ts';
import { summarize, type Summary } from './stats.ts';
import { newJobId } from '#shared/chat.ts';

export interface CompareBenchOptions {
  /** Two GGUF files; the two scripted fixture models when absent. */
  modelFiles?: readonly string[] | undefined;
  prompts?: number;
  maxTokens?: number;
  /** ENCLAVE_THREADS for the engine; Enclave's own choice when absent. */
  threads?: string | undefined;
  /** Measurements of each way, alternating which goes first (a busy moment falls on both alike). */
  runs?: number;
}

export interface CompareBenchResult {
  bench: 'compare';
  models: string[];
  prompts: number;
  maxTokens: number;
  threads: string;
  runs: number;
  /** The batch with the app's scheduling, first request to last answer. */
  app: { totalMs: Summary; modelLoads: number; answers: number; allDone: boolean };
  /** Every prompt to the first model, then every prompt to the second, through the chat. */
  byHand: { totalMs: Summary; modelLoads: number };
  /** By hand / app, on the medians: above 1, the app is faster. */
  ratio: number;
}

async function call<C extends CommandName>(testHost: TestHost, command: C, input: CommandInput<C>): Promise<CommandResult<C>> {
  const outcome = await testHost.host.call(command, input);
  if (!outcome.ok) throw new Error(`${command}: ${outcome.error.code} ${outcome.error.message}`);
  return outcome.result as CommandResult<C>;
}

async function fixtureModels(): Promise<{ files: string[]; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'enclave-bench-compare-'));
  await writeCompareModels(dir);
  return { files: [join(dir, ALPHA.file), join(dir, BRAVO.file)], cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function runCompareBench(options: CompareBenchOptions = {}): Promise<CompareBenchResult> {
  const prompts = Array.from({ length: options.prompts ?? 6 }, (_, i) => `Question ${i + 1}: write a short reply to a customer.`);
  const maxTokens = options.maxTokens ?? 64;
  const threads = options.threads;
  const runs = options.runs ?? 3;
  const given = options.modelFiles !== undefined && options.modelFiles.length === 2 ? { files: [...options.modelFiles], cleanup: async () => undefined } : await fixtureModels();
  const testHost = await createTestHost(given.files, threads === undefined ? {} : { ENCLAVE_THREADS: threads });
  try {
    const modelIds = given.files.map((file) => basename(file));
    const sampling = { maxTokens, temperature: 0 };
    const csv = ['category,prompt', ...prompts.map((prompt) => `bench,${prompt}`)].join('\n');
    const set = await call(testHost, 'compare.importSet', { content: csv, format: 'csv', name: 'bench' });
    const loadsOf = (jobIds: ReadonlySet<string>): number => testHost.events.filter((event) => event.event === 'chat.loaded' && jobIds.has(event.payload.jobId)).length;

    const app = async (): Promise<{ ms: number; loads: number; answers: number; allDone: boolean }> => {
      await testHost.host.services.engine.unload();
      const start = performance.now();
      const run = await call(testHost, 'compare.startBatch', { setId: set.id, modelIds, sampling });
      await testHost.host.services.compare.runner.idle();
      const ms = performance.now() - start;
      const stored = await call(testHost, 'compare.get', { id: run.id });
      return { ms, loads: stored.answers.filter((answer) => (answer.loadMs ?? 0) > 0).length, answers: stored.answers.length, allDone: stored.answers.every((answer) => answer.state === 'done') };
    };
    const byHand = async (): Promise<{ ms: number; loads: number }> => {
      await testHost.host.services.engine.unload();
      const jobs = new Set<string>();
      const start = performance.now();
      for (const modelId of modelIds) {
        for (const prompt of prompts) {
          const { jobId } = await call(testHost, 'chat.generate', { jobId: newJobId(), modelId, messages: [{ role: 'user', content: prompt }], sampling });
          jobs.add(jobId);
          const ended = await Promise.race([
            testHost.waitFor('chat.done', (payload) => payload.jobId === jobId, 600_000),
            testHost.waitFor('chat.error', (payload) => payload.jobId === jobId, 600_000),
          ]);
          if ('error' in ended) throw new Error(ended.error.message);
        }
      }
      return { ms: performance.now() - start, loads: loadsOf(jobs) };
    };

    const appRuns: Awaited<ReturnType<typeof app>>[] = [];
    const handRuns: Awaited<ReturnType<typeof byHand>>[] = [];
    for (let i = 0; i < runs; i++) {
      if (i % 2 === 0) {
        appRuns.push(await app());
        handRuns.push(await byHand());
      } else {
        handRuns.push(await byHand());
        appRuns.push(await app());
      }
    }
    const appMs = summarize(appRuns.map((run) => run.ms));
    const handMs = summarize(handRuns.map((run) => run.ms));
    return {
      bench: 'compare',
      models: modelIds,
      prompts: prompts.length,
      maxTokens,
      threads: threads ?? 'auto',
      runs,
      app: { totalMs: appMs, modelLoads: Math.max(...appRuns.map((run) => run.loads)), answers: appRuns[0]?.answers ?? 0, allDone: appRuns.every((run) => run.allDone) },
      byHand: { totalMs: handMs, modelLoads: Math.max(...handRuns.map((run) => run.loads)) },
      ratio: Number((handMs.median / appMs.median).toFixed(2)),
    };
  } finally {
    await testHost.dispose();
    await given.cleanup();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = process.env.ENCLAVE_BENCH_COMPARE_MODELS?.split(',').filter((file) => file !== '');
  const result = await runCompareBench({
    modelFiles: files,
    prompts: Number(process.env.ENCLAVE_BENCH_PROMPTS ?? '6'),
    maxTokens: Number(process.env.ENCLAVE_BENCH_MAX_TOKENS ?? '64'),
    threads: process.env.ENCLAVE_THREADS,
    runs: Number(process.env.ENCLAVE_BENCH_RUNS ?? '3'),
  });
  console.log(JSON.stringify(result));
}
