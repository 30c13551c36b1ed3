/**
 * One server's way out: an undici agent whose every new socket asks the egress gate first (the
 * server's own CA certificate, when it has one, verifies its TLS), and its request headers.
 */
import { Agent, buildConnector, type Dispatcher } from 'undici';
import { gatedConnector } from '../privacy/egress-dispatcher.ts';
import type { EgressGate } from '../privacy/egress.ts';

export interface ServerConnection {
  baseUrl: string;
  name: string;
  apiKey: string | null;
  /** Shared by short requests (the model list). */
  dispatcher: Dispatcher;
  /**
   * A dispatcher for one answer, destroyed when it ends: once a stop aborted a stream, undici's
   * pool would otherwise open a new socket on its own, which the gate refuses (and logs) since no
   * request is open by then.
   */
  openDispatcher: () => Dispatcher;
}

export function serverAgent(gate: Pick<EgressGate, 'authorizeConnection' | 'authorizeRequest'>, caCertificate: string | null): Agent {
  const connector = buildConnector(caCertificate === null ? {} : { ca: caCertificate });
  return new Agent({ connect: gatedConnector(gate, connector) });
}

export function serverHeaders(connection: Pick<ServerConnection, 'apiKey'>, extra: Record<string, string> = {}): Record<string, string> {
  return connection.apiKey === null ? extra : { ...extra, authorization: `Bearer ${connection.apiKey}` };
}
