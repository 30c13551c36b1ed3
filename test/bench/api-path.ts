/**
 * The local API against raw node-llama-cpp, round by round in turn: a streamed chat completion
 * through the official `openai` client (Enclave's host, engine process and local API), the same
 * request read by a plain fetch and eventsource-parser, the WebSocket as the renderer uses it, and
 * raw `LlamaChat` in one process with the engine's environment (raw-generate.ts), on one bench
 * model at Enclave's own thread choice. Not part of `npm run bench`: a tool for finding where the API
 * path's time goes (docs/performance.md, "Where the time goes on the API path").
 *
 *   node test/bench/api-path.ts [model id, default qwen05b-q4_0]
 *
 * Knobs: API_PATH_ROUNDS (default 6), API_PATH_TOKENS (default 64), API_PATH_PROFILE=<dir>: the
 * host and engine processes write CPU profiles there (node --cpu-prof, through NODE_OPTIONS) and
 * only the API path runs: API_PATH_ROUNDS answers counting the context switches of the host,
 * engine and benchmark processes per token, then API_PATH_ROUNDS answers with the engine
 * profiled (API_PATH_HOST_PROFILE=1 profiles the host too, from its start). The engine process is killed when the host
 * closes, so --cpu-prof cannot write its profile: the benchmark opens its inspector instead
 * (SIGUSR1, port 9229) and records it with the inspector's Profiler while the answers stream.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { WebSocket } from 'ws';
import type { ChatMessage } from '#shared/chat.ts';
import { directDispatcher, freePort } from '../support/loopback.ts';
import { BENCH_MODEL_SPECS, ensureBenchModel } from './models.ts';
import { localApiClient, streamedAnswer } from './openai-stream.ts';
import { sseData } from '../../electron/services/servers/sse.ts';
import { decodeRate, openRaw, rawEnvironment } from './raw-generate.ts';
import { formatSummary, summarize } from './stats.ts';
import { openWholePath } from './whole-path.ts';

const modelId = process.argv[2] ?? 'qwen05b-q4_0';
const spec = BENCH_MODEL_SPECS.find((candidate) => candidate.id === modelId);
if (spec === undefined) throw new Error(`unknown bench model ${modelId}`);
const ROUNDS = Number(process.env.API_PATH_ROUNDS ?? 6);
const TOKENS = Number(process.env.API_PATH_TOKENS ?? 64);
const PROFILE_DIR = process.env.API_PATH_PROFILE;
const messages: ChatMessage[] = [{ role: 'user', content: 'Write a story.' }];

const modelPath = await ensureBenchModel(spec);
const apiPort = await freePort();
const wholeEnv = {
  ...process.env,
  ENCLAVE_THREADS: undefined,
  ENCLAVE_API_PORT: String(apiPort),
  ...(PROFILE_DIR !== undefined && process.env.API_PATH_HOST_PROFILE === '1' ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${PROFILE_DIR}` } : {}),
};
const whole = await openWholePath([modelPath], wholeEnv);
const api = localApiClient(apiPort);

type Way = 'api' | 'api-plain-sse' | 'websocket' | 'raw';

/**
 * The same streamed request read without the `openai` client: fetch and eventsource-parser (as the
 * servers feature reads other servers), so the client's own cost can be told from the host's.
 */
async function viaPlainSse(): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${apiPort}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer bench' },
    body: JSON.stringify({ model: basename(modelPath), messages, max_tokens: TOKENS, temperature: 0, stream: true, stream_options: { include_usage: true } }),
    ...({ dispatcher: directDispatcher } as RequestInit),
  });
  if (response.body === null) throw new Error(`no body (${response.status})`);
  let firstAt: number | null = null;
  let lastAt: number | null = null;
  let tokens = 0;
  for await (const data of sseData(response.body)) {
    if (data === '[DONE]') break;
    const chunk = JSON.parse(data) as { choices: { delta?: { content?: string } }[]; usage?: { completion_tokens: number } };
    if ((chunk.choices[0]?.delta?.content ?? '') !== '') {
      lastAt = performance.now();
      firstAt ??= lastAt;
    }
    tokens = chunk.usage?.completion_tokens ?? tokens;
  }
  if (firstAt === null || lastAt === null || lastAt === firstAt) return Number.NaN;
  return ((tokens - 1) * 1000) / (lastAt - firstAt);
}

/** Tokens/s after the first token, as the client receives them. */
async function viaApi(): Promise<number> {
  return decodeRate(await streamedAnswer(api, basename(modelPath), messages, TOKENS));
}

try {
  await viaApi(); // loads the model; tells the thread choice
  const threads = whole.threads ?? 2;
  if (PROFILE_DIR !== undefined) {
    // First without a profiler in the engine (a profiler's own thread adds context switches), then with.
    const pids = { engine: enginePid(), host: hostPid(), bench: process.pid };
    const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, contextSwitches(pid)]));
    let tokens = 0;
    const rates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const rate = await viaApi();
      rates.push(rate);
      tokens += TOKENS;
    }
    const switches = Object.entries(pids).map(([name, pid]) => `${name} ${((contextSwitches(pid) - (before[name] ?? 0)) / tokens).toFixed(1)}`);
    console.log(`${modelId}, ${threads} thread(s), API path: ${formatSummary(summarize(rates), 1)} tok/s; context switches per token, all threads: ${switches.join(', ')}`);
    const engine = await profileEngine(pids.engine);
    const profiled: number[] = [];
    for (let round = 0; round < ROUNDS; round++) profiled.push(await viaApi());
    writeFileSync(join(PROFILE_DIR, 'engine.cpuprofile'), JSON.stringify(await engine.stop()));
    console.log(`profiled: ${formatSummary(summarize(profiled), 1)} tok/s`);
  } else {
    const raw = await openRaw({ modelPath, threads }, rawEnvironment());
    const ways: Record<Way, () => Promise<number>> = {
      api: viaApi,
      'api-plain-sse': viaPlainSse,
      websocket: async () => decodeRate(await whole.generate(modelPath, messages, TOKENS)),
      raw: async () => decodeRate(await raw.answer(messages, TOKENS)),
    };
    const names = Object.keys(ways) as Way[];
    try {
      for (const name of names) await ways[name]();
      const rates = new Map<Way, number[]>(names.map((name) => [name, []]));
      const ratios = new Map<Way, number[]>(names.map((name) => [name, []]));
      for (let round = 0; round < ROUNDS; round++) {
        // Each round starts with another way, so none always follows the same one.
        const measured = new Map<Way, number>();
        for (let i = 0; i < names.length; i++) {
          const name = names[(round + i) % names.length] as Way;
          measured.set(name, await ways[name]());
        }
        for (const name of names) {
          rates.get(name)?.push(measured.get(name) ?? Number.NaN);
          ratios.get(name)?.push((measured.get(name) ?? Number.NaN) / (measured.get('raw') ?? Number.NaN));
        }
      }
      console.log(`${modelId}, ${threads} thread(s), ${TOKENS} tokens, ${ROUNDS} rounds; tokens/s after the first token as each client receives them, and / raw round by round:`);
      for (const name of names) console.log(`  ${name.padEnd(14)} ${formatSummary(summarize(rates.get(name) ?? []), 1)} tok/s; / raw ${formatSummary(summarize(ratios.get(name) ?? []), 3)}`);
    } finally {
      await raw.close();
    }
  }
} finally {
  await whole.close();
}

/** Context switches of every thread of a process so far, voluntary and not. */
function contextSwitches(pid: number): number {
  let total = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    for (const match of readFileSafe(`/proc/${pid}/task/${task}/status`).matchAll(/ctxt_switches:\s+(\d+)/g)) total += Number(match[1]);
  }
  return total;
}

function hostPid(): number {
  const host = childrenOf(process.pid).find((pid) => readFileSafe(`/proc/${pid}/cmdline`).includes('whole-path-host'));
  if (host === undefined) throw new Error('no host process found');
  return host;
}

function childrenOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      const stat = readFileSafe(`/proc/${entry}/stat`);
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent;
    })
    .map(Number);
}

/** The engine process: the child of this process's child (the host) that runs engine-main. */
function enginePid(): number {
  const engine = childrenOf(hostPid()).find((pid) => readFileSafe(`/proc/${pid}/cmdline`).includes('engine-main'));
  if (engine === undefined) throw new Error('no engine process found');
  return engine;
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Starts the V8 profiler in the engine process through its inspector; stop() returns the profile. */
async function profileEngine(pid: number): Promise<{ stop: () => Promise<unknown> }> {
  process.kill(pid, 'SIGUSR1');
  let targets: { webSocketDebuggerUrl: string }[] = [];
  for (let attempt = 0; attempt < 100 && targets.length === 0; attempt++) {
    targets = (await fetch('http://127.0.0.1:9229/json', { dispatcher: directDispatcher } as RequestInit).then(
      (response) => response.json(),
      () => [],
    )) as typeof targets;
    if (targets.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const socket = new WebSocket(targets[0]?.webSocketDebuggerUrl ?? '');
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  let nextId = 1;
  const call = (method: string): Promise<unknown> =>
    new Promise((resolve) => {
      const id = nextId++;
      const onMessage = (data: Buffer): void => {
        const message = JSON.parse(data.toString()) as { id?: number; result?: unknown };
        if (message.id !== id) return;
        socket.off('message', onMessage);
        resolve(message.result);
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ id, method }));
    });
  await call('Profiler.enable');
  await call('Profiler.start');
  return {
    stop: async () => {
      const { profile } = (await call('Profiler.stop')) as { profile: unknown };
      socket.close();
      return profile;
    },
  };
}
