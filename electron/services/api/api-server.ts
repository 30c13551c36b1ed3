/**
 * The local OpenAI-compatible API over node:http, on 127.0.0.1 only. Every generation goes through
 * the app's ChatService (same engine, same fair queue); each request is its own caller there, so
 * concurrent requests wait their turn instead of failing, but all of them together hold at most
 * MAX_API_JOBS places, so one script cannot fill the queue ahead of the app and a workshop room.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import type { ChatMessage, GenerationStats, Sampling } from '#shared/chat.ts';
import { toErrorPayload, type ErrorPayload } from '#shared/errors.ts';
import type { ModelInfo } from '#shared/models.ts';
import type { OutputConstraints } from '../../engine/protocol.ts';
import type { ChatService, GenerateInput } from '../chat/chat-service.ts';
import { listen } from '../platform/listen.ts';
import { fromEnclaveError, openAiError, type OpenAiError } from './openai-errors.ts';
import { chatCompletionBodySchema, completionBodySchema, messageText, type ChatCompletionBody, type CompletionBody } from './openai-schemas.ts';

const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** API jobs running or waiting at once, all clients together; beyond, 429. */
export const MAX_API_JOBS = 4;

export type ApiEndpoint = 'models' | 'chatCompletions' | 'completions';

export interface ApiServerOptions {
  port: number;
  chat: ChatService;
  /** The library's models; only usable ones are listed. */
  models: () => ModelInfo[];
  /** Read on every request, so a new key applies at once; empty: no key asked. */
  apiKey: () => string;
  /** Counts for the settings panel. */
  onRequest: (endpoint: ApiEndpoint) => void;
  onSettled: (ok: boolean) => void;
}

export interface ApiServer {
  port: number;
  close(): Promise<void>;
}

/** The options, and this server's count of API jobs in the chat queue. */
interface Context extends ApiServerOptions {
  jobs: { active: number };
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const context: Context = { ...options, jobs: { active: 0 } };
  const server: Server = createServer((req, res) => {
    void handle(req, res, server, context).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, fromEnclaveError(toErrorPayload(error)));
      else res.end();
    });
  });
  await listen(server, options.port, '127.0.0.1');
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, server: Server, options: Context): Promise<void> {
  // DNS rebinding: a web page whose name resolves to 127.0.0.1 must not reach the API.
  if (!isLoopbackHost(req, server)) {
    sendError(res, openAiError(421, 'misdirected request', 'misdirected_request'));
    return;
  }
  const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname.replace(/\/+$/, '');
  const route = routeOf(req.method ?? 'GET', path);
  if (route === null) {
    sendError(res, openAiError(404, `unknown endpoint ${req.method} ${path}`, 'unknown_url'));
    return;
  }
  options.onRequest(route.endpoint);
  let ok = false;
  try {
    ok = isAuthorized(req, options.apiKey()) ? await route.serve(req, res, options) : sendError(res, openAiError(401, 'Incorrect API key provided.', 'invalid_api_key'));
  } finally {
    options.onSettled(ok);
  }
}

type Route = { endpoint: ApiEndpoint; serve: (req: IncomingMessage, res: ServerResponse, options: Context) => Promise<boolean> };

function routeOf(method: string, path: string): Route | null {
  if (method === 'GET' && path === '/v1/models') return { endpoint: 'models', serve: async (_req, res, options) => listModels(res, options) };
  if (method === 'GET' && path.startsWith('/v1/models/')) {
    const id = decodeURIComponent(path.slice('/v1/models/'.length));
    return { endpoint: 'models', serve: async (_req, res, options) => getModel(res, options, id) };
  }
  if (method === 'POST' && path === '/v1/chat/completions') return { endpoint: 'chatCompletions', serve: chatCompletions };
  if (method === 'POST' && path === '/v1/completions') return { endpoint: 'completions', serve: completions };
  return null;
}

function modelObject(model: ModelInfo): { id: string; object: 'model'; created: number; owned_by: string } {
  return { id: model.id, object: 'model', created: 0, owned_by: 'enclave' };
}

function listModels(res: ServerResponse, options: ApiServerOptions): boolean {
  const data = options
    .models()
    .filter((model) => model.problem === null)
    .map(modelObject);
  sendJson(res, 200, { object: 'list', data });
  return true;
}

function getModel(res: ServerResponse, options: ApiServerOptions, id: string): boolean {
  const model = options.models().find((candidate) => candidate.id === id && candidate.problem === null);
  if (model === undefined) return sendError(res, openAiError(404, `The model '${id}' does not exist`, 'model_not_found', 'model'));
  sendJson(res, 200, modelObject(model));
  return true;
}

async function chatCompletions(req: IncomingMessage, res: ServerResponse, options: Context): Promise<boolean> {
  const body = await readBody(req, res, chatCompletionBodySchema);
  if (body === null) return false;
  const messages: ChatMessage[] = body.messages.map((message) => ({
    role: message.role === 'developer' ? 'system' : message.role,
    content: messageText(message.content),
  }));
  const constraints = constraintsOf(body);
  if (body.response_format?.type === 'json_schema') constraints.jsonSchema = body.response_format.json_schema.schema;
  const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? undefined;
  return generate(res, options, {
    kind: 'chat',
    model: body.model,
    stream: body.stream === true,
    includeUsage: body.stream_options?.include_usage === true,
    input: { modelId: body.model, messages, sampling: samplingOf(body, maxTokens), constraints },
  });
}

/** A raw completion: the model continues the prompt as it is, without a chat template. */
async function completions(req: IncomingMessage, res: ServerResponse, options: Context): Promise<boolean> {
  const body = await readBody(req, res, completionBodySchema);
  if (body === null) return false;
  const prompt = typeof body.prompt === 'string' ? body.prompt : (body.prompt[0] ?? '');
  return generate(res, options, {
    kind: 'text',
    model: body.model,
    stream: body.stream === true,
    includeUsage: body.stream_options?.include_usage === true,
    input: { modelId: body.model, messages: [], prompt, sampling: samplingOf(body, body.max_tokens ?? undefined), constraints: constraintsOf(body) },
  });
}

function samplingOf(body: ChatCompletionBody | CompletionBody, maxTokens: number | undefined): Sampling {
  // OpenAI clients send null for "not set".
  const given = { temperature: body.temperature ?? undefined, topP: body.top_p ?? undefined, seed: body.seed ?? undefined, maxTokens };
  return Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)) as Sampling;
}

function constraintsOf(body: ChatCompletionBody | CompletionBody): OutputConstraints {
  const stop = body.stop ?? undefined;
  if (stop === undefined) return {};
  return { stop: typeof stop === 'string' ? [stop] : stop };
}

interface Generation {
  kind: 'chat' | 'text';
  model: string;
  stream: boolean;
  includeUsage: boolean;
  input: GenerateInput;
}

type Outcome = { ok: true; text: string; stats: GenerationStats } | { ok: false; error: ErrorPayload };

/** Runs one job through ChatService, within the API's places in the queue. */
async function generate(res: ServerResponse, options: Context, generation: Generation): Promise<boolean> {
  if (options.jobs.active >= MAX_API_JOBS) {
    res.setHeader('Retry-After', '1');
    return sendError(res, openAiError(429, `at most ${MAX_API_JOBS} API requests may run or wait at once; retry when one has finished`, 'rate_limit_exceeded'));
  }
  options.jobs.active++;
  try {
    return await answer(res, options, generation);
  } finally {
    options.jobs.active--;
  }
}

/** Runs one job through ChatService and answers in full or as server-sent events. */
async function answer(res: ServerResponse, options: ApiServerOptions, generation: Generation): Promise<boolean> {
  const created = Math.floor(Date.now() / 1000);
  let id = '';
  let streaming = false;
  let settle: (outcome: Outcome) => void = () => undefined;
  const finished = new Promise<Outcome>((resolve) => (settle = resolve));
  const chunk = (delta: string | null, finishReason: string | null): Record<string, unknown> =>
    generation.kind === 'chat'
      ? { id, object: 'chat.completion.chunk', created, model: generation.model, choices: [{ index: 0, delta: delta === null ? {} : { content: delta }, logprobs: null, finish_reason: finishReason }] }
      : { id, object: 'text_completion', created, model: generation.model, choices: [{ index: 0, text: delta ?? '', logprobs: null, finish_reason: finishReason }] };
  // Headers wait for the first text, so an error before it (a bad schema) still gets its status.
  const openStream = (): void => {
    if (streaming || !generation.stream) return;
    streaming = true;
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    if (generation.kind === 'chat') sendEvent(res, { ...chunk('', null), choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }] });
  };

  let jobId: string;
  try {
    ({ jobId } = await options.chat.generate(
      generation.input,
      () => ({
        onDelta: (text) => {
          if (!generation.stream) return;
          openStream();
          sendEvent(res, chunk(text, null));
        },
        onDone: (text, stats) => settle({ ok: true, text, stats }),
        onError: (error) => settle({ ok: false, error }),
      }),
      { kind: 'api', requestId: randomUUID() },
    ));
  } catch (error) {
    return sendError(res, fromEnclaveError(toErrorPayload(error)));
  }
  id = `${generation.kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${jobId}`;
  // The client went away (or stopped reading the stream): free the engine for the next caller.
  const abandon = (): void => void options.chat.stop(jobId);
  res.on('close', abandon);
  const outcome = await finished;
  res.off('close', abandon);

  if (!outcome.ok) {
    if (!streaming) return sendError(res, fromEnclaveError(outcome.error));
    sendEvent(res, fromEnclaveError(outcome.error).body);
    res.end();
    return false;
  }
  const finishReason = outcome.stats.stopReason === 'maxTokens' ? 'length' : 'stop';
  const usage = { prompt_tokens: outcome.stats.promptTokens, completion_tokens: outcome.stats.tokens, total_tokens: outcome.stats.promptTokens + outcome.stats.tokens };
  if (generation.stream) {
    openStream();
    sendEvent(res, chunk(null, finishReason));
    if (generation.includeUsage) sendEvent(res, { id, object: generation.kind === 'chat' ? 'chat.completion.chunk' : 'text_completion', created, model: generation.model, choices: [], usage });
    res.end('data: [DONE]\n\n');
    return true;
  }
  const choice =
    generation.kind === 'chat'
      ? { index: 0, message: { role: 'assistant', content: outcome.text, refusal: null }, logprobs: null, finish_reason: finishReason }
      : { index: 0, text: outcome.text, logprobs: null, finish_reason: finishReason };
  sendJson(res, 200, { id, object: generation.kind === 'chat' ? 'chat.completion' : 'text_completion', created, model: generation.model, choices: [choice], usage });
  return true;
}

/** The parsed body, or null after answering 400/413/415. */
async function readBody<S extends z.ZodType>(req: IncomingMessage, res: ServerResponse, schema: S): Promise<z.infer<S> | null> {
  if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
    sendError(res, openAiError(415, 'the body must be JSON (Content-Type: application/json)', 'unsupported_media_type'));
    return null;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const part of req as AsyncIterable<Buffer>) {
    size += part.length;
    if (size > MAX_BODY_BYTES) {
      // The rest of the body is never read: this connection cannot serve another request.
      res.setHeader('Connection', 'close');
      res.once('finish', () => req.destroy());
      sendError(res, openAiError(413, `the body is larger than ${MAX_BODY_BYTES} bytes`, 'request_too_large'));
      return null;
    }
    chunks.push(part);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    sendError(res, openAiError(400, 'the body is not valid JSON', 'invalid_json'));
    return null;
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue === undefined ? null : issue.path.map(String).join('.');
    sendError(res, openAiError(400, `invalid request body: ${param ?? ''} ${issue?.message ?? ''}`.trim(), 'invalid_request_body', param));
    return null;
  }
  return parsed.data;
}

function isAuthorized(req: IncomingMessage, key: string): boolean {
  if (key === '') return true;
  const given = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
  // Hashes have the same length, so the comparison takes the same time whatever was sent.
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(key).digest());
}

function isLoopbackHost(req: IncomingMessage, server: Server): boolean {
  const address = server.address() as AddressInfo | null;
  if (address === null) return false;
  return [`127.0.0.1:${address.port}`, `localhost:${address.port}`].includes(req.headers.host ?? '');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

function sendError(res: ServerResponse, error: OpenAiError): false {
  if (!res.headersSent) sendJson(res, error.status, error.body);
  return false;
}

function sendEvent(res: ServerResponse, data: unknown): void {
  res.write(`data: ${JSON.stringify(data)}\n\n`);
}
