/**
 * An inference server against the local engine, with the same bench model in both:
 *  - one answer at a time, streamed with the official `openai` client: llama-server directly (its
 *    own OpenAI endpoint), Enclave's local API answering with that server's model, and Enclave's
 *    local API answering with its own engine; time to first token and tokens/s (first token to
 *    last), runs alternating which way goes first, and the ratios of each run;
 *  - workshop rooms of 8 and 20 participants asking at once over the room's WebSocket (as their
 *    browsers do), answered by llama-server with `--parallel` slots, then by the local engine.
 * llama-server runs with the same threads as the local engine (ENCLAVE_THREADS).
 *
 *   node test/bench/servers.ts [--model smollm135m-q8_0] [--runs 5] [--threads 2] [--participants 8,20]
 *
 * `npm run bench -- servers` calls runServersBench(). Needs llama-server (.ci/build-llama-server.sh).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import OpenAI, { type ClientOptions } from 'openai';
import { streamCompletion } from './openai-stream.ts';
import type { WorkshopStatus } from '#shared/workshop.ts';
import { llamaServerMissing, startLlamaServer } from '../support/llama-server.ts';
import { directDispatcher, freePort } from '../support/loopback.ts';
import { createTestHost } from '../support/test-host.ts';
import type { ContractClient } from '../support/web-host-process.ts';
import { BENCH_MODEL_SPECS, benchModelFile, ensureBenchModel } from './models.ts';
import { askInRoom, joinRoom, measureClients } from './room.ts';
import { formatSummary, summarize } from './stats.ts';

export interface ServersBenchOptions {
  /** A bench model id (models.ts). */
  model?: string;
  /** Answers per way in the one-at-a-time part. */
  runs?: number;
  maxTokens?: number;
  threads?: number;
  /** llama-server's slots. */
  parallel?: number;
  /** Room sizes, each answered by llama-server, then by the local engine. */
  participants?: readonly number[];
  /** Answers each participant asks for, one after another. */
  requests?: number;
}

type Way = 'llama-server directly' | 'Enclave → llama-server' | 'Enclave, local engine';
const WAYS: readonly Way[] = ['llama-server directly', 'Enclave → llama-server', 'Enclave, local engine'];

interface Streamed {
  ttftMs: number;
  tokens: number;
  tokensPerSecond: number;
}

export interface ServersBenchResult {
  model: string;
  threads: number;
  maxTokens: number;
  runs: number;
  /** Per way, each run's figures. */
  single: Record<Way, Streamed[]>;
  room: {
    requestsPerParticipant: number;
    parallel: number;
    rows: Awaited<ReturnType<typeof measureClients<'llama-server' | 'local engine'>>>[];
  };
}

async function streamed(client: OpenAI, model: string, prompt: string, maxTokens: number): Promise<Streamed> {
  const { startedAt, firstAt, lastAt, tokens } = await streamCompletion(client, model, [{ role: 'user', content: prompt }], maxTokens);
  const seconds = firstAt === null || lastAt === null ? Number.NaN : (lastAt - firstAt) / 1000;
  return { ttftMs: firstAt === null ? Number.NaN : firstAt - startedAt, tokens, tokensPerSecond: seconds > 0 && tokens > 1 ? (tokens - 1) / seconds : Number.NaN };
}

export async function runServersBench(options: ServersBenchOptions = {}): Promise<ServersBenchResult> {
  const missing = llamaServerMissing();
  if (missing !== null) throw new Error(missing);
  const spec = BENCH_MODEL_SPECS.find((candidate) => candidate.id === (options.model ?? 'smollm135m-q8_0'));
  if (spec === undefined) throw new Error(`unknown bench model ${options.model}; one of ${BENCH_MODEL_SPECS.map((s) => s.id).join(', ')}`);
  const runs = options.runs ?? 5;
  const maxTokens = options.maxTokens ?? 64;
  const threads = options.threads ?? 2;
  const parallel = options.parallel ?? 4;
  const roomSizes = options.participants ?? [8, 20];
  const requestsPerParticipant = options.requests ?? 2;

  const modelPath = await ensureBenchModel(spec);
  const localModel = benchModelFile(spec);
  const server = await startLlamaServer({ model: modelPath, parallel, threads, contextSize: 1024 * parallel });
  const rendererDir = await mkdtemp(join(tmpdir(), 'enclave-bench-renderer-'));
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Enclave</title>');
  const apiPort = await freePort();
  const testHost = await createTestHost([modelPath], { ENCLAVE_API_PORT: String(apiPort), ENCLAVE_SERVERS: server.url, ENCLAVE_THREADS: String(threads) }, { rendererDir });
  // The clients stand for other programs: they connect around the host's egress gate.
  const fetchOptions = { dispatcher: directDispatcher } as ClientOptions['fetchOptions'];
  const direct = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'bench', maxRetries: 0, fetchOptions });
  const enclave = new OpenAI({ baseURL: `http://127.0.0.1:${apiPort}/v1`, apiKey: 'bench', maxRetries: 0, fetchOptions });
  try {
    await testHost.waitFor('servers.changed', () => testHost.host.services.servers.modelInfos().length === 1);
    const serverModel = testHost.host.services.servers.modelInfos()[0]?.id ?? '';
    const ask: Record<Way, (prompt: string) => Promise<Streamed>> = {
      'llama-server directly': (prompt) => streamed(direct, modelPath, prompt, maxTokens),
      'Enclave → llama-server': (prompt) => streamed(enclave, serverModel, prompt, maxTokens),
      'Enclave, local engine': (prompt) => streamed(enclave, localModel, prompt, maxTokens),
    };
    for (const way of WAYS) await ask[way]('Warm up.');
    const single = Object.fromEntries(WAYS.map((way) => [way, [] as Streamed[]])) as Record<Way, Streamed[]>;
    for (let run = 0; run < runs; run++) {
      // Each run starts with another way, so none always goes first.
      for (let i = 0; i < WAYS.length; i++) {
        const way = WAYS[(run + i) % WAYS.length] as Way;
        // A prompt of its own: llama-server would otherwise reuse the one the way before it evaluated.
        single[way].push(await ask[way](`Story ${run * WAYS.length + i}: tell me a story.`));
      }
    }

    const trainer = async (command: 'workshop.start' | 'workshop.reset', input: object): Promise<WorkshopStatus> => {
      const outcome = await testHost.host.call(command, input);
      if (!outcome.ok) throw new Error(`${command}: ${outcome.error.code}`);
      return outcome.result as WorkshopStatus;
    };
    const opened = await trainer('workshop.start', { address: '127.0.0.1', port: await freePort() });
    const ways = [
      ['llama-server', serverModel],
      ['local engine', localModel],
    ] as const;
    for (const [through, modelId] of ways) {
      const warm = await joinRoom(opened, `Warm-up ${through}`);
      await askInRoom(warm, modelId, 'Warm up: the room context.', maxTokens);
      warm.close();
    }
    const rows: ServersBenchResult['room']['rows'] = [];
    for (const participants of roomSizes) {
      for (const [through, modelId] of ways) {
        // Fresh participants for each row (the rate limit is per participant), in a room emptied
        // first (it holds at most MAX_PARTICIPANTS).
        const room = await trainer('workshop.reset', {});
        const clients: ContractClient[] = await Promise.all(Array.from({ length: participants }, (_, i) => joinRoom(room, `${through}-${participants}-${i}`)));
        rows.push(
          await measureClients(through, participants, requestsPerParticipant, (c, r) =>
            askInRoom(clients[c] as ContractClient, modelId, `Participant ${c}, question ${r}: tell me a story.`, maxTokens),
          ),
        );
        for (const client of clients) client.close();
      }
    }
    await testHost.host.call('workshop.stop', {});
    return { model: spec.label, threads, maxTokens, runs, single, room: { requestsPerParticipant, parallel, rows } };
  } finally {
    await testHost.dispose();
    await server.stop();
    await rm(rendererDir, { recursive: true, force: true });
  }
}

const fixed = (value: number, digits = 0): string => (Number.isNaN(value) ? 'n/a' : value.toFixed(digits));

/** Median (min–max) of the figures that exist. */
function spread(values: readonly number[], digits = 0): string {
  const known = values.filter((value) => !Number.isNaN(value));
  return known.length === 0 ? 'n/a' : formatSummary(summarize(known), digits);
}

export function serversBenchMarkdown(result: ServersBenchResult): string {
  const direct = result.single['llama-server directly'];
  const ratio = (way: Way, figure: 'tokensPerSecond' | 'ttftMs'): string =>
    spread(
      result.single[way].map((run, i) => run[figure] / (direct[i]?.[figure] ?? Number.NaN)),
      2,
    );
  return [
    `${result.model}, ENCLAVE_THREADS=${result.threads} and llama-server -t ${result.threads}, max_tokens ${result.maxTokens}, temperature 0, streamed with the official openai client; median (min–max) of ${result.runs} runs, ratios taken run by run against llama-server directly:`,
    '',
    '| way | tokens/s | time to first token (ms) | tokens/s ÷ direct | TTFT ÷ direct |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...WAYS.map(
      (way) =>
        `| ${way} | ${spread(
          result.single[way].map((run) => run.tokensPerSecond),
          1,
        )} | ${spread(result.single[way].map((run) => run.ttftMs))} | ${ratio(way, 'tokensPerSecond')} | ${ratio(way, 'ttftMs')} |`,
    ),
    '',
    `A workshop room, its participants asking at once (${result.room.requestsPerParticipant} answers each in a row, over the room's WebSocket), llama-server with --parallel ${result.room.parallel}:`,
    '',
    '| participants | answered by | answers | tokens | aggregate tokens/s | p50 TTFT (ms) | p95 TTFT (ms) |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: |',
    ...result.room.rows.map(
      (row) => `| ${row.clients} | ${row.through} | ${row.answers} | ${row.tokens} | ${fixed(row.aggregateTokensPerSecond, 1)} | ${fixed(row.p50TtftMs)} | ${fixed(row.p95TtftMs)} |`,
    ),
  ].join('\n');
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: 'smollm135m-q8_0' },
      runs: { type: 'string', default: '5' },
      threads: { type: 'string', default: '2' },
      participants: { type: 'string', default: '8,20' },
    },
  });
  const result = await runServersBench({ model: values.model, runs: Number(values.runs), threads: Number(values.threads), participants: values.participants.split(',').map(Number) });
  await directDispatcher.close();
  console.log(serversBenchMarkdown(result));
}
