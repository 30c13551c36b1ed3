/**
 * Helpers for tests that talk to servers on 127.0.0.1 from the same process as a Host.
 *
 * A Host installs its egress gate as the process's global fetch dispatcher, so a plain `fetch`
 * from a test would be refused like any connection the user did not start. The clients in these
 * tests stand for other programs (a browser, a script using the API): they connect directly.
 */
import { createServer } from 'node:net';
import { Agent } from 'undici';

export const directDispatcher = new Agent();

/** fetch() around the egress gate, as another program on this machine would connect. */
export function directFetch(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, ...({ dispatcher: directDispatcher } as RequestInit) });
}

/** A TCP port free on 127.0.0.1 at the time of asking. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}
