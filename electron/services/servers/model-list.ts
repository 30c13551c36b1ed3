/** GET /v1/models: the connection test, and the models a server offers; and how many answers it computes at once. */
import { fetch } from 'undici';
import { EnclaveError } from '#shared/errors.ts';
import type { ServerModelInfo } from '#shared/servers.ts';
import type { EgressGate } from '../privacy/egress.ts';
import { connectionError, statusError } from './server-errors.ts';
import { serverHeaders, type ServerConnection } from './server-connection.ts';

export const MODEL_LIST_TIMEOUT_MS = 15_000;

/** One GET to the server, through the egress gate and in its log (with the bytes received). */
async function getFromServer(connection: ServerConnection, gate: EgressGate, path: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  const url = `${connection.baseUrl}${path}`;
  const handle = gate.authorize({ url, purpose: 'server', userInitiated: true });
  let received = 0;
  try {
    const response = await fetch(url, { headers: serverHeaders(connection, { accept: 'application/json' }), dispatcher: connection.dispatcher, signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    received = Buffer.byteLength(body);
    const refused = response.ok ? undefined : statusError(response.status, body, connection.name).message;
    handle.finish(refused === undefined ? 'completed' : 'failed', refused, { bytesSent: 0, bytesReceived: received });
    return { status: response.status, body };
  } catch (error) {
    const reported = connectionError(error, connection.name);
    handle.finish('failed', reported.message, { bytesSent: 0, bytesReceived: received });
    throw reported;
  }
}

export async function listServerModels(connection: ServerConnection, gate: EgressGate, timeoutMs = MODEL_LIST_TIMEOUT_MS): Promise<{ models: ServerModelInfo[]; milliseconds: number }> {
  const started = performance.now();
  const { status, body } = await getFromServer(connection, gate, '/v1/models', timeoutMs);
  if (status < 200 || status >= 300) throw statusError(status, body, connection.name);
  return { models: parseModels(body, connection.name), milliseconds: Math.round(performance.now() - started) };
}

/**
 * How many answers the server computes at once, when it says: llama-server's `GET /props`
 * (`total_slots`), else `GET /slots` (one entry per slot, in builds that have no `/props`). vLLM
 * and Ollama say neither: null. Never throws: the number is a refinement, not a requirement.
 */
export async function readServerCapacity(connection: ServerConnection, gate: EgressGate, timeoutMs = MODEL_LIST_TIMEOUT_MS): Promise<number | null> {
  const readers: [string, (parsed: unknown) => unknown][] = [
    ['/props', (parsed) => (parsed as { total_slots?: unknown } | null)?.total_slots],
    ['/slots', (parsed) => (Array.isArray(parsed) ? parsed.length : undefined)],
  ];
  for (const [path, read] of readers) {
    try {
      const { status, body } = await getFromServer(connection, gate, path, timeoutMs);
      if (status !== 200) continue;
      const slots = read(JSON.parse(body));
      if (typeof slots === 'number' && Number.isInteger(slots) && slots > 0) return slots;
    } catch {
      // Unreachable, refused or not JSON: the next way, or the default.
    }
  }
  return null;
}

function parseModels(body: string, server: string): ServerModelInfo[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new EnclaveError('SERVER_FAILED', `${server} did not answer with JSON: is it an OpenAI-compatible server?`, { server });
  }
  const data = (parsed as { data?: unknown }).data;
  if (!Array.isArray(data)) throw new EnclaveError('SERVER_FAILED', `${server} answered no model list: is it an OpenAI-compatible server?`, { server });
  return data.flatMap((item: unknown) => {
    const { id, owned_by: ownedBy } = (item ?? {}) as { id?: unknown; owned_by?: unknown };
    return typeof id === 'string' && id !== '' ? [{ id, ownedBy: typeof ownedBy === 'string' ? ownedBy : null }] : [];
  });
}
