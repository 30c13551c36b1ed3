/**
 * What every transport talks to: the desktop app's IPC, the web host's WebSocket, a workshop
 * participant's connection and the tests all hold an endpoint and nothing more of the host.
 */
import type { HostEvent } from './contract.ts';
import type { ErrorPayload } from './errors.ts';

/** A command's outcome: never a throw, every failure a typed error. */
export type CallOutcome = { ok: true; result: unknown } | { ok: false; error: ErrorPayload };

export interface ContractEndpoint {
  /** Validates and runs one command. */
  call(command: unknown, input: unknown): Promise<CallOutcome>;
  /** Every event this endpoint may see; returns a function that removes the listener. */
  onEvent(listener: (event: HostEvent) => void): () => void;
}
