/** GET /v1/models: the connection test, and the models a server offers. */
import { fetch } from 'undici';
import { EnclaveError } from '#shared/errors.ts';
import type { ServerModelInfo, ServerTestResult } from '#shared/servers.ts';
import type { EgressGate } from '../privacy/egress.ts';
import { connectionError, statusError } from './server-errors.ts';
import { serverHeaders, type ServerConnection } from './server-connection.ts';

export const MODEL_LIST_TIMEOUT_MS = 15_000;

export async function listServerModels(connection: ServerConnection, gate: EgressGate, timeoutMs = MODEL_LIST_TIMEOUT_MS): Promise<ServerTestResult> {
  const url = `${connection.baseUrl}/v1/models`;
  const handle = gate.authorize({ url, purpose: 'server', userInitiated: true });
  const started = performance.now();
  let received = 0;
  try {
    const response = await fetch(url, { headers: serverHeaders(connection, { accept: 'application/json' }), dispatcher: connection.dispatcher, signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    received = Buffer.byteLength(body);
    if (!response.ok) throw statusError(response.status, body, connection.name);
    const models = parseModels(body, connection.name);
    handle.finish('completed', undefined, { bytesSent: 0, bytesReceived: received });
    return { models, milliseconds: Math.round(performance.now() - started) };
  } catch (error) {
    const reported = error instanceof EnclaveError ? error : connectionError(error, connection.name);
    handle.finish('failed', reported.message, { bytesSent: 0, bytesReceived: received });
    throw reported;
  }
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
