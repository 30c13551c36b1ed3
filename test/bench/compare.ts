/**
 * Comparison workbench benchmark: the same prompts answered by two models, (1) as a prompt-set
 * batch with the app's scheduling (model by model: each model loaded once), against (2) "by hand",
 * the way a user compares in the chat: each prompt asked to one model then the other (a model
 * load at almost every answer, since the engine holds one model at a time).
 *
 *   node test/bench/compare.ts                         # the two scripted fixture models (seconds)
 *   ENCLAVE_BENCH_COMPARE_MODELS=a.gguf,b.gguf ENCLAVE_BENCH_PROMPTS=6 node test/bench/compare.ts
 *
 * Prints one JSON line; the lead wires it into `npm run bench`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CommandInput, CommandName, CommandResult } from '../../shared/contract.ts';
import { ALPHA, BRAVO, writeCompareModels } from '../support/compare-models.ts';
import { createTestHost, type TestHost } from '../support/test-host.ts';

const PROMPTS = Number(process.env.ENCLAVE_BENCH_PROMPTS ?? '6');
const MAX_TOKENS = Number(process.env.ENCLAVE_BENCH_MAX_TOKENS ?? '64');
const THREADS = process.env.ENCLAVE_THREADS ?? '2';

async function call<C extends CommandName>(testHost: TestHost, command: C, input: CommandInput<C>): Promise<CommandResult<C>> {
  const outcome = await testHost.host.call(command, input);
  if (!outcome.ok) throw new Error(`${command}: ${outcome.error.code} ${outcome.error.message}`);
  return outcome.result as CommandResult<C>;
}

async function modelFiles(): Promise<{ files: string[]; cleanup: () => Promise<void> }> {
  const given = process.env.ENCLAVE_BENCH_COMPARE_MODELS?.split(',').filter((file) => file !== '');
  if (given !== undefined && given.length === 2) return { files: given, cleanup: async () => undefined };
  const dir = await mkdtemp(join(tmpdir(), 'enclave-bench-compare-'));
  await writeCompareModels(dir);
  return { files: [join(dir, ALPHA.file), join(dir, BRAVO.file)], cleanup: () => rm(dir, { recursive: true, force: true }) };
}

const { files, cleanup } = await modelFiles();
const testHost = await createTestHost(files, { ENCLAVE_THREADS: THREADS });
try {
  const modelIds = files.map((file) => basename(file));
  const prompts = Array.from({ length: PROMPTS }, (_, i) => `Question ${i + 1}: write a short reply to a customer.`);
  const sampling = { maxTokens: MAX_TOKENS, temperature: 0 };

  // (1) The app: one batch, scheduled model by model.
  const csv = ['category,prompt', ...prompts.map((prompt) => `bench,${prompt}`)].join('\n');
  const set = await call(testHost, 'compare.importSet', { content: csv, format: 'csv', name: 'bench' });
  await testHost.host.engine.unload();
  const appStart = performance.now();
  const run = await call(testHost, 'compare.startBatch', { setId: set.id, modelIds, sampling });
  await testHost.host.compare.runner.idle();
  const appMs = performance.now() - appStart;
  const stored = await call(testHost, 'compare.get', { id: run.id });
  const appLoads = stored.answers.filter((answer) => (answer.loadMs ?? 0) > 0).length;

  // (2) By hand: each prompt to one model, then the other.
  await testHost.host.engine.unload();
  let handLoads = 0;
  const handStart = performance.now();
  for (const prompt of prompts) {
    for (const modelId of modelIds) {
      const { jobId } = await call(testHost, 'chat.generate', { modelId, messages: [{ role: 'user', content: prompt }], sampling });
      const ended = await Promise.race([testHost.waitFor('chat.done', (payload) => payload.jobId === jobId, 600_000), testHost.waitFor('chat.error', (payload) => payload.jobId === jobId, 600_000)]);
      if ('error' in ended) throw new Error(ended.error.message);
      if (testHost.events.some((event) => event.event === 'chat.loaded' && event.payload.jobId === jobId)) handLoads++;
    }
  }
  const handMs = performance.now() - handStart;
  console.log(
    JSON.stringify({
      bench: 'compare',
      models: modelIds,
      prompts: PROMPTS,
      maxTokens: MAX_TOKENS,
      threads: THREADS,
      app: { totalMs: Math.round(appMs), modelLoads: appLoads, answers: stored.answers.length, allDone: stored.answers.every((answer) => answer.state === 'done') },
      byHand: { totalMs: Math.round(handMs), modelLoads: handLoads },
      speedup: Number((handMs / appMs).toFixed(2)),
    }),
  );
} finally {
  await testHost.dispose();
  await cleanup();
}
