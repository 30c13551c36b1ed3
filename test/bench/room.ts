/**
 * A room under load: aggregate tokens/s and time to first token with 1, 4 and 8
 * workshop participants asking at once (WebSocket clients that joined with the code, as their
 * browsers do), then with 1 and 4 local API clients (the official `openai` client, streaming; 4 is
 * the API's cap). The whole path: client → workshop server or local API → ChatService's fair queue →
 * engine process, on one loaded model.
 *
 *   node test/bench/room.ts [--model tiny-q8_0] [--requests 3] [--max-tokens 32]
 *
 * `npm run bench` calls runRoomBench().
 *
 * Each client sends `--requests` answers one after another; all clients start together. While the
 * room is open the engine writes several answers at once (one context sequence each); the API alone
 * runs them one after another.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { localApiClient, streamCompletion } from './openai-stream.ts';
import type { WorkshopStatus } from '#shared/workshop.ts';
import { MAX_API_JOBS } from '../../electron/services/api/api-server.ts';
import { directDispatcher, directFetch, freePort } from '../support/loopback.ts';
import { createTestHost } from '../support/test-host.ts';
import { ContractClient } from '../support/web-host-process.ts';
import { BENCH_MODEL_SPECS, benchModelFile, ensureBenchModel } from './models.ts';
import { percentile } from './stats.ts';
import { newJobId } from '#shared/chat.ts';

export interface RoomBenchOptions {
  /** A bench model id (models.ts). */
  model?: string;
  /** Answers each client asks for, one after another. */
  requests?: number;
  maxTokens?: number;
  participants?: readonly number[];
  apiClients?: readonly number[];
}

export interface RoomBenchRow {
  through: 'workshop participants' | 'local API clients';
  clients: number;
  answers: number;
  tokens: number;
  aggregateTokensPerSecond: number;
  p50TtftMs: number;
  p95TtftMs: number;
}

export interface RoomBenchResult {
  model: string;
  requestsPerClient: number;
  maxTokens: number;
  /** The most answers the engine ran at once in the room. */
  parallel: number;
  rows: RoomBenchRow[];
}

export interface Answer {
  ttftMs: number;
  tokens: number;
}

/** All clients at once, each `requestsPerClient` answers in a row: one table row. */
export async function measureClients<T extends string>(
  through: T,
  clients: number,
  requestsPerClient: number,
  answerOnce: (client: number, request: number) => Promise<Answer>,
): Promise<{ through: T; clients: number; answers: number; tokens: number; aggregateTokensPerSecond: number; p50TtftMs: number; p95TtftMs: number }> {
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      const mine: Answer[] = [];
      for (let r = 0; r < requestsPerClient; r++) mine.push(await answerOnce(c, r));
      return mine;
    }),
  );
  const wallMs = performance.now() - started;
  const all = results.flat();
  const tokens = all.reduce((sum, result) => sum + result.tokens, 0);
  const ttfts = all.map((result) => result.ttftMs).filter((value) => !Number.isNaN(value));
  return { through, clients, answers: all.length, tokens, aggregateTokensPerSecond: (tokens * 1000) / wallMs, p50TtftMs: percentile(ttfts, 0.5), p95TtftMs: percentile(ttfts, 0.95) };
}

/** A participant joined with the code, as the browser form does. */
export async function joinRoom(room: WorkshopStatus, name: string): Promise<ContractClient> {
  const joined = await directFetch(`${room.url}/workshop/join`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ code: room.joinCode ?? '', name }).toString(),
  });
  if (joined.status !== 303) throw new Error(`joining failed with HTTP ${joined.status}`);
  return ContractClient.connect(room.url ?? '', { Cookie: joined.headers.get('set-cookie')?.split(';')[0] ?? '' });
}

/** One answer a participant asks for over the room's WebSocket, as their browser does: its time to first token and tokens. */
export async function askInRoom(client: ContractClient, modelId: string, prompt: string, maxTokens: number): Promise<Answer> {
  const started = performance.now();
  const frame = await client.call('chat.generate', { jobId: newJobId(), modelId, sampling: { maxTokens, temperature: 0 }, messages: [{ role: 'user', content: prompt }] });
  if (!frame.ok) throw new Error(`${frame.error.code}: ${frame.error.message}`);
  const { jobId } = frame.result as { jobId: string };
  const ofJob = (event: { event: string; payload: unknown }, name: string) => event.event === name && (event.payload as { jobId: string }).jobId === jobId;
  // Generous: in a crowded room an answer waits its turn in the queue for minutes.
  const first = client.waitForEvent((event) => ofJob(event, 'chat.delta') && (event.payload as { text: string }).text !== '', 600_000).then(() => performance.now() - started);
  // Awaited only after the end: until then its failure must not end the process as unhandled.
  first.catch(() => undefined);
  const done = await client.waitForEvent((event) => ofJob(event, 'chat.done') || ofJob(event, 'chat.error'), 600_000);
  if (done.event === 'chat.error') throw new Error(`answer failed: ${JSON.stringify(done.payload)}`);
  const tokens = (done.payload as { stats: { tokens: number } }).stats.tokens;
  return { ttftMs: tokens > 0 ? await first : Number.NaN, tokens };
}

export async function runRoomBench(options: RoomBenchOptions = {}): Promise<RoomBenchResult> {
  const spec = BENCH_MODEL_SPECS.find((candidate) => candidate.id === (options.model ?? 'tiny-q8_0'));
  if (spec === undefined) throw new Error(`unknown bench model ${options.model}; one of ${BENCH_MODEL_SPECS.map((s) => s.id).join(', ')}`);
  const requestsPerClient = options.requests ?? 3;
  const maxTokens = options.maxTokens ?? 32;

  const measure = (through: RoomBenchRow['through'], clients: number, answerOnce: (client: number, request: number) => Promise<Answer>): Promise<RoomBenchRow> =>
    measureClients(through, clients, requestsPerClient, answerOnce);

  const modelPath = await ensureBenchModel(spec);
  const model = benchModelFile(spec);
  const rendererDir = await mkdtemp(join(tmpdir(), 'enclave-bench-renderer-'));
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Enclave</title>');
  const apiPort = await freePort();
  const testHost = await createTestHost([modelPath], { ENCLAVE_API_PORT: String(apiPort) }, { rendererDir });

  async function trainer<T>(command: string, input: unknown = {}): Promise<T> {
    const outcome = await testHost.host.call(command, input);
    if (!outcome.ok) throw new Error(`${command}: ${outcome.error.code} ${outcome.error.message}`);
    return outcome.result as T;
  }

  const participantAnswer = (client: ContractClient, prompt: string): Promise<Answer> => askInRoom(client, model, prompt, maxTokens);

  // The clients stand for other programs: they connect around the host's egress gate.
  const api = localApiClient(apiPort);

  async function apiAnswer(prompt: string): Promise<Answer> {
    const { startedAt, firstAt, tokens } = await streamCompletion(api, model, [{ role: 'user', content: prompt }], maxTokens);
    return { ttftMs: firstAt === null ? Number.NaN : firstAt - startedAt, tokens };
  }

  const rows: RoomBenchRow[] = [];
  let parallel = 1;
  try {
    await apiAnswer('Warm up: load the model.');
    const room = await trainer<WorkshopStatus>('workshop.start', { address: '127.0.0.1', port: await freePort() });
    // Opening the room gives the model's context more sequences: made again on the first answer.
    const warm = await joinRoom(room, 'Warm-up');
    await participantAnswer(warm, 'Warm up: the room context.');
    warm.close();
    for (const count of options.participants ?? [1, 4, 8]) {
      // Fresh participants for each row: the rate limit (answers a minute) is per participant.
      const clients = await Promise.all(Array.from({ length: count }, (_, i) => joinRoom(room, `P${count}-${i}`)));
      rows.push(await measure('workshop participants', count, (c, r) => participantAnswer(clients[c] as ContractClient, `Participant ${c}, question ${r}: tell me a story.`)));
      parallel = Math.max(parallel, ...testHost.host.services.engine.status.loaded.map((loaded) => loaded.parallel));
      for (const client of clients) client.close();
    }
    await trainer('workshop.stop');
    for (const count of options.apiClients ?? [1, MAX_API_JOBS]) {
      rows.push(await measure('local API clients', count, (c, r) => apiAnswer(`Client ${c}, request ${r}: tell me a story.`)));
    }
  } finally {
    await testHost.dispose();
  }
  return { model: spec.label, requestsPerClient, maxTokens, parallel, rows };
}

export function roomBenchMarkdown(result: RoomBenchResult): string {
  return [
    `${result.model}, ${result.requestsPerClient} answers per client in a row, max_tokens ${result.maxTokens}, up to ${result.parallel} answers at once in the room:`,
    '',
    '| through | clients | answers | tokens | aggregate tokens/s | p50 TTFT (ms) | p95 TTFT (ms) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...result.rows.map(
      (row) => `| ${row.through} | ${row.clients} | ${row.answers} | ${row.tokens} | ${row.aggregateTokensPerSecond.toFixed(1)} | ${row.p50TtftMs.toFixed(0)} | ${row.p95TtftMs.toFixed(0)} |`,
    ),
  ].join('\n');
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: 'tiny-q8_0' },
      requests: { type: 'string', default: '3' },
      'max-tokens': { type: 'string', default: '32' },
      participants: { type: 'string', default: '1,4,8' },
      'api-clients': { type: 'string', default: `1,${MAX_API_JOBS}` },
    },
  });
  const result = await runRoomBench({
    model: values.model,
    requests: Number(values.requests),
    maxTokens: Number(values['max-tokens']),
    participants: values.participants.split(',').map(Number),
    apiClients: values['api-clients'].split(',').map(Number),
  });
  await directDispatcher.close();
  console.log(roomBenchMarkdown(result));
}
