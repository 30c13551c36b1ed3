/**
 * Enclave's whole path, in three processes as in the app: the host (a real Host behind the web
 * host's WebSocket server, whole-path-host.ts), the engine process it starts, and this process as
 * the client that sends `chat.generate` and receives the batched `chat.delta` events.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { WebSocket } from 'ws';
import type { ChatMessage, GenerationStats } from '#shared/chat.ts';
import type { ServerFrame } from '#shared/contract.ts';
import type { AnswerRun } from './raw-generate.ts';
import type { BenchToHost, HostToBench } from './whole-path-host.ts';
import { newJobId } from '#shared/chat.ts';

export interface WholePathRun extends AnswerRun {
  deltaMessages: number;
  /** The engine's own figures for the same answer. */
  engineStats: GenerationStats;
  text: string;
}

export interface WholePathSession {
  /** Process start to engine ready (Node, host, engine process, llama.cpp). */
  startMs: number;
  generate(modelPath: string, messages: ChatMessage[], maxTokens: number): Promise<WholePathRun>;
  /** The first generate's wait for the model (request to `chat.loaded`), and the engine's own load time. */
  load: { clientMs: number; engineMs: number } | null;
  /** The thread count the engine reported for the loaded model. */
  threads: number | null;
  memory(): Promise<{ hostMaxRssKb: number; engineMaxRssKb: number | null }>;
  close(): Promise<void>;
}

/** Peak resident memory of another process (Linux), in kB. */
export async function peakRssKb(pid: number | null): Promise<number | null> {
  if (pid === null) return null;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => null);
  const match = status === null ? null : /^VmHWM:\s+(\d+) kB/m.exec(status);
  return match?.[1] === undefined ? null : Number(match[1]);
}

/** `env` reaches the host process and, through it, the engine process (ENCLAVE_THREADS...). */
export async function openWholePath(modelPaths: readonly string[], env: Record<string, string | undefined>): Promise<WholePathSession> {
  const child: ChildProcess = fork(join(import.meta.dirname, 'whole-path-host.ts'), [JSON.stringify(modelPaths.map((path) => resolve(path)))], {
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const messages: HostToBench[] = [];
  let wake: (() => void) | null = null;
  child.on('message', (message: HostToBench) => {
    messages.push(message);
    wake?.();
  });
  child.on('exit', () => wake?.());
  const next = async <T extends HostToBench['type']>(type: T): Promise<Extract<HostToBench, { type: T }>> => {
    for (;;) {
      const index = messages.findIndex((message) => message.type === type);
      if (index !== -1) return messages.splice(index, 1)[0] as Extract<HostToBench, { type: T }>;
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the benchmark host exited (${child.exitCode ?? child.signalCode})`);
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = null;
    }
  };
  const ready = await next('ready');
  const socket = new WebSocket(`ws://127.0.0.1:${ready.port}/ws`);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  let nextId = 1;

  const session: WholePathSession = {
    startMs: ready.startMs,
    load: null,
    threads: null,
    generate: (modelPath, history, maxTokens) =>
      new Promise<WholePathRun>((resolve, reject) => {
        const id = nextId++;
        let jobId: string | null = null;
        let firstDeltaAt: number | null = null;
        let lastDeltaAt = 0;
        let deltaMessages = 0;
        const started = performance.now();
        const onMessage = (data: Buffer): void => {
          const frame = JSON.parse(data.toString()) as ServerFrame;
          if (frame.type === 'result' && frame.id === id) {
            if (!frame.ok) {
              socket.off('message', onMessage);
              reject(new Error(`${frame.error.code}: ${frame.error.message}`));
            } else {
              jobId = (frame.result as { jobId: string }).jobId;
            }
            return;
          }
          if (frame.type !== 'event') return;
          if (frame.event === 'engine.status') {
            const { threads } = frame.payload as { threads: number | null };
            if (threads !== null) session.threads = threads;
            return;
          }
          const payload = frame.payload as { jobId?: string };
          // Events can only come after the result that names the job (the host sends them in order).
          if (payload.jobId !== jobId) return;
          if (frame.event === 'chat.delta') {
            const now = performance.now();
            firstDeltaAt ??= now;
            lastDeltaAt = now;
            deltaMessages++;
          } else if (frame.event === 'chat.loaded') {
            session.load ??= { clientMs: performance.now() - started, engineMs: (frame.payload as { loadMs: number }).loadMs };
          } else if (frame.event === 'chat.done') {
            socket.off('message', onMessage);
            const { stats, text } = frame.payload as { stats: GenerationStats; text: string };
            resolve({
              tokens: stats.tokens,
              ms: performance.now() - started,
              ttftMs: firstDeltaAt === null ? null : firstDeltaAt - started,
              decodeMs: firstDeltaAt === null ? 0 : lastDeltaAt - firstDeltaAt,
              promptTokens: stats.promptTokens,
              deltaMessages,
              engineStats: stats,
              text,
            });
          } else if (frame.event === 'chat.error') {
            socket.off('message', onMessage);
            reject(new Error(JSON.stringify(frame.payload)));
          }
        };
        socket.on('message', onMessage);
        socket.send(
          JSON.stringify({
            type: 'call',
            id,
            command: 'chat.generate',
            input: { jobId: newJobId(), modelId: basename(modelPath), messages: history, sampling: { temperature: 0, maxTokens } },
          }),
        );
      }),
    memory: async () => {
      child.send({ type: 'memory' } satisfies BenchToHost);
      const memory = await next('memory');
      return { hostMaxRssKb: memory.hostMaxRssKb, engineMaxRssKb: await peakRssKb(memory.enginePid) };
    },
    close: async () => {
      socket.close();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'close' } satisfies BenchToHost);
      await exited;
    },
  };
  return session;
}
