/**
 * Local API under concurrent clients (issue #7): aggregate tokens/s and p95 time to first token
 * with 1, 4 and 8 clients streaming chat completions at once, through the whole path (official
 * `openai` client → local API → ChatService's fair queue → engine process), on one loaded model.
 *
 *   node test/bench/api-concurrency.ts [--model tiny-q8_0] [--requests 3] [--max-tokens 32]
 *
 * Each client sends `--requests` streamed completions one after another; all clients start
 * together. The engine answers one job at a time (no parallel sequences yet), so aggregate
 * throughput should stay flat while time to first token grows with the number of clients.
 */
import { parseArgs } from 'node:util';
import OpenAI, { type ClientOptions } from 'openai';
import { directDispatcher, freePort } from '../support/loopback.ts';
import { createTestHost } from '../support/test-host.ts';
import { BENCH_MODEL_SPECS, benchModelFile, ensureBenchModel } from './models.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'tiny-q8_0' },
    requests: { type: 'string', default: '3' },
    'max-tokens': { type: 'string', default: '32' },
    clients: { type: 'string', default: '1,4,8' },
  },
});
const spec = BENCH_MODEL_SPECS.find((candidate) => candidate.id === values.model);
if (spec === undefined) throw new Error(`unknown bench model ${values.model}; one of ${BENCH_MODEL_SPECS.map((s) => s.id).join(', ')}`);
const requestsPerClient = Number(values.requests);
const maxTokens = Number(values['max-tokens']);
const clientCounts = values.clients.split(',').map(Number);


function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const modelPath = await ensureBenchModel(spec);
const port = await freePort();
const testHost = await createTestHost([modelPath], { ENCLAVE_API_PORT: String(port) });
// The clients stand for other programs: they connect around the host's egress gate.
const client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'bench', maxRetries: 0, fetchOptions: { dispatcher: directDispatcher } as ClientOptions['fetchOptions'] });
const model = benchModelFile(spec);

async function streamOnce(prompt: string): Promise<{ ttftMs: number; tokens: number }> {
  const started = performance.now();
  let ttftMs = Number.NaN;
  let tokens = 0;
  const stream = await client.chat.completions.create({
    model,
    messages: [{ role: 'user', content: prompt }],
    max_tokens: maxTokens,
    temperature: 0,
    stream: true,
    stream_options: { include_usage: true },
  });
  for await (const chunk of stream) {
    if (Number.isNaN(ttftMs) && (chunk.choices[0]?.delta.content ?? '') !== '') ttftMs = performance.now() - started;
    tokens = chunk.usage?.completion_tokens ?? tokens;
  }
  return { ttftMs, tokens };
}

const rows: string[] = [];
try {
  await streamOnce('Warm up: load the model.');
  for (const clients of clientCounts) {
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        const mine: { ttftMs: number; tokens: number }[] = [];
        for (let r = 0; r < requestsPerClient; r++) mine.push(await streamOnce(`Client ${c}, request ${r}: tell me a story.`));
        return mine;
      }),
    );
    const wallMs = performance.now() - started;
    const all = results.flat();
    const tokens = all.reduce((sum, result) => sum + result.tokens, 0);
    const ttfts = all.map((result) => result.ttftMs).filter((value) => !Number.isNaN(value));
    rows.push(`| ${clients} | ${all.length} | ${tokens} | ${((tokens * 1000) / wallMs).toFixed(1)} | ${percentile(ttfts, 50).toFixed(0)} | ${percentile(ttfts, 95).toFixed(0)} |`);
  }
} finally {
  await testHost.dispose();
  await directDispatcher.close();
}

console.log(`Local API, ${spec.label}, ${requestsPerClient} streamed requests per client, max_tokens ${maxTokens}, engine threads ${process.env.ENCLAVE_THREADS ?? 'auto'}`);
console.log('| clients | requests | tokens | aggregate tokens/s | p50 TTFT (ms) | p95 TTFT (ms) |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
for (const row of rows) console.log(row);
