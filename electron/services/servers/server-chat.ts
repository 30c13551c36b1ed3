/**
 * One answer from a server: POST /v1/chat/completions with `stream: true`, read as server-sent
 * events and turned into the messages an engine process sends (delta, thought, done, error), so the
 * fair queue and everything after it treat it like a local answer. Stopping aborts the request (the
 * server stops generating when the connection closes); a stream silent for too long is a timeout;
 * 503 and 429 are tried again after the server's Retry-After.
 */
import { fetch, type Dispatcher } from 'undici';
import { EnclaveError, toErrorPayload } from '#shared/errors.ts';
import type { ChatMessage, GenerationStats, Sampling, StopReason } from '#shared/chat.ts';
import type { JobMessage } from '../../engine/client/engine-client.ts';
import type { EgressGate, EgressHandle } from '../privacy/egress.ts';
import { connectionError, statusError } from './server-errors.ts';
import { serverHeaders, type ServerConnection } from './server-connection.ts';
import { sseData } from './sse.ts';

export interface ServerChatTimings {
  /** No byte of the stream for this long: the answer ends as SERVER_TIMEOUT (the text so far is kept by the caller). */
  stallMs: number;
  /** Tries for an overloaded server (503, 429), waiting its Retry-After (at most `maxRetryWaitMs`) between them. */
  tries: number;
  maxRetryWaitMs: number;
}

export const DEFAULT_SERVER_CHAT_TIMINGS: ServerChatTimings = { stallMs: 60_000, tries: 3, maxRetryWaitMs: 30_000 };

export interface ServerChatJob {
  jobId: string;
  /** Enclave's id of the model (server and model), reported in the statistics. */
  modelId: string;
  /** The server's own id of the model. */
  serverModel: string;
  messages: ChatMessage[];
  sampling: Sampling;
}

interface StreamChunk {
  choices?: { delta?: { content?: string | null; reasoning_content?: string | null }; finish_reason?: string | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: { message?: string };
}

/** The request body: the chat and the sampling settings OpenAI's API (and llama-server's extensions) know. */
export function chatBody(job: ServerChatJob): Record<string, unknown> {
  const { sampling } = job;
  const body: Record<string, unknown> = { model: job.serverModel, messages: job.messages, stream: true, stream_options: { include_usage: true } };
  if (sampling.temperature !== undefined) body.temperature = sampling.temperature;
  if (sampling.topP !== undefined) body.top_p = sampling.topP;
  if (sampling.topK !== undefined) body.top_k = sampling.topK;
  if (sampling.minP !== undefined) body.min_p = sampling.minP;
  if (sampling.repeatPenalty !== undefined) body.repeat_penalty = sampling.repeatPenalty;
  if (sampling.maxTokens !== undefined) body.max_tokens = sampling.maxTokens;
  if (sampling.seed !== undefined) body.seed = sampling.seed;
  return body;
}

export class ServerChat {
  private readonly connection: ServerConnection;
  private readonly gate: EgressGate;
  private readonly timings: ServerChatTimings;
  private readonly running = new Map<string, AbortController>();

  constructor(connection: ServerConnection, gate: EgressGate, timings: ServerChatTimings = DEFAULT_SERVER_CHAT_TIMINGS) {
    this.connection = connection;
    this.gate = gate;
    this.timings = timings;
  }

  /**
   * Resolves once the request is under way; the answer arrives through `listener`. Throws when the
   * egress gate refuses it (Offline, a server no longer configured).
   */
  generate(job: ServerChatJob, listener: (message: JobMessage) => void): Promise<void> {
    const handle = this.gate.authorize({ url: `${this.connection.baseUrl}/v1/chat/completions`, purpose: 'server', userInitiated: true, model: job.serverModel });
    const abort = new AbortController();
    this.running.set(job.jobId, abort);
    void this.stream(job, handle, abort, listener).finally(() => this.running.delete(job.jobId));
    return Promise.resolve();
  }

  stop(jobId: string): boolean {
    const abort = this.running.get(jobId);
    if (abort === undefined) return false;
    abort.abort();
    return true;
  }

  private async stream(job: ServerChatJob, handle: EgressHandle, abort: AbortController, listener: (message: JobMessage) => void): Promise<void> {
    const body = JSON.stringify(chatBody(job));
    const bytesSent = Buffer.byteLength(body);
    const started = performance.now();
    let received = 0;
    let text = '';
    let reasoning = '';
    let firstAt: number | null = null;
    let lastAt: number | null = null;
    let reasoningEndedAt: number | null = null;
    let finishReason: string | null = null;
    let usage: StreamChunk['usage'] = null;
    let stalled = false;
    let timer: NodeJS.Timeout | undefined;
    const dispatcher = this.connection.openDispatcher();
    const watch = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stalled = true;
        abort.abort();
      }, this.timings.stallMs);
    };
    const stats = (stopReason: StopReason): GenerationStats => {
      const tokens = usage?.completion_tokens ?? 0;
      const seconds = firstAt !== null && lastAt !== null ? (lastAt - firstAt) / 1000 : 0;
      const result: GenerationStats = {
        modelId: job.modelId,
        tokens,
        promptTokens: usage?.prompt_tokens ?? 0,
        timeToFirstTokenMs: firstAt === null ? null : Math.round(firstAt - started),
        tokensPerSecond: seconds > 0 && tokens > 1 ? (tokens - 1) / seconds : null,
        durationMs: Math.round(performance.now() - started),
        stopReason,
      };
      if (reasoning !== '' && firstAt !== null) result.reasoningMs = Math.round((reasoningEndedAt ?? lastAt ?? firstAt) - firstAt);
      return result;
    };

    try {
      watch();
      const response = await this.send(body, dispatcher, abort.signal);
      if (!response.ok) {
        const answer = await response.text();
        received += Buffer.byteLength(answer);
        throw response.status === 404 ? modelMissing(job, this.connection.name, answer) : statusError(response.status, answer, this.connection.name);
      }
      if (response.body === null) throw new EnclaveError('SERVER_FAILED', `${this.connection.name} answered no stream`, { server: this.connection.name });
      const counted = countBytes(response.body, (bytes) => {
        received += bytes;
        watch();
      });
      for await (const data of sseData(counted)) {
        if (data === '[DONE]') break;
        const chunk = parseChunk(data, this.connection.name);
        if (chunk.error !== undefined) throw new EnclaveError('SERVER_FAILED', `${this.connection.name}: ${chunk.error.message ?? 'error in the stream'}`, { server: this.connection.name });
        if (chunk.usage !== undefined && chunk.usage !== null) usage = chunk.usage;
        for (const choice of chunk.choices ?? []) {
          const thought = choice.delta?.reasoning_content ?? '';
          const delta = choice.delta?.content ?? '';
          if (thought !== '' || delta !== '') {
            const now = performance.now();
            firstAt ??= now;
            lastAt = now;
            if (delta !== '' && reasoning !== '') reasoningEndedAt ??= now;
          }
          if (thought !== '') {
            reasoning += thought;
            listener({ type: 'thought', jobId: job.jobId, text: thought });
          }
          if (delta !== '') {
            text += delta;
            listener({ type: 'delta', jobId: job.jobId, text: delta });
          }
          if (choice.finish_reason !== undefined && choice.finish_reason !== null) finishReason = choice.finish_reason;
        }
      }
      if (finishReason === null) throw new EnclaveError('SERVER_UNREACHABLE', `${this.connection.name} closed the stream before the answer ended`, { server: this.connection.name, reason: 'cut' });
      handle.finish('completed', undefined, { bytesSent, bytesReceived: received });
      listener({ type: 'done', jobId: job.jobId, text, reasoning, stats: stats(finishReason === 'length' ? 'maxTokens' : 'eogToken') });
    } catch (error) {
      if (abort.signal.aborted && !stalled) {
        handle.finish('cancelled', undefined, { bytesSent, bytesReceived: received });
        listener({ type: 'done', jobId: job.jobId, text, reasoning, stats: stats('abort') });
        return;
      }
      const reported = stalled
        ? new EnclaveError('SERVER_TIMEOUT', `${this.connection.name} sent nothing for ${this.timings.stallMs} ms`, { server: this.connection.name })
        : error instanceof EnclaveError
          ? error
          : connectionError(error, this.connection.name);
      handle.finish('failed', reported.message, { bytesSent, bytesReceived: received });
      listener({ type: 'error', jobId: job.jobId, error: toErrorPayload(reported) });
    } finally {
      clearTimeout(timer);
      await dispatcher.destroy().catch(() => undefined);
    }
  }

  /** Sends the request, trying again while the server says it is overloaded. */
  private async send(body: string, dispatcher: Dispatcher, signal: AbortSignal): Promise<Awaited<ReturnType<typeof fetch>>> {
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(`${this.connection.baseUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: serverHeaders(this.connection, { 'content-type': 'application/json', accept: 'text/event-stream' }),
        body,
        dispatcher,
        signal,
      });
      if ((response.status !== 503 && response.status !== 429) || attempt >= this.timings.tries) return response;
      await response.body?.cancel();
      await delay(retryAfterMs(response.headers.get('retry-after'), this.timings.maxRetryWaitMs), signal);
    }
  }
}

function modelMissing(job: ServerChatJob, server: string, body: string): EnclaveError {
  const error = statusError(404, body, server);
  return new EnclaveError('SERVER_MODEL_MISSING', `${server} has no model ${job.serverModel}`, { ...error.details, model: job.serverModel });
}

function parseChunk(data: string, server: string): StreamChunk {
  try {
    return JSON.parse(data) as StreamChunk;
  } catch {
    throw new EnclaveError('SERVER_FAILED', `${server} sent a stream that is not JSON`, { server });
  }
}

async function* countBytes(body: AsyncIterable<Uint8Array>, onBytes: (bytes: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of body) {
    onBytes(chunk.byteLength);
    yield chunk;
  }
}

/** Retry-After in seconds or as a date; 1 s when absent or unreadable. */
export function retryAfterMs(header: string | null, maxMs: number): number {
  if (header === null) return Math.min(1000, maxMs);
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  return Math.max(0, Math.min(Number.isFinite(ms) ? ms : 1000, maxMs));
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });
}
