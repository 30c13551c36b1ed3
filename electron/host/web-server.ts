/**
 * The web host's transport: serves the built renderer over HTTP and the contract over a WebSocket
 * at /ws. Bound to loopback unless the caller names another address on purpose.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sirv from 'sirv';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ClientFrame, HostEvent, ServerFrame } from '../../shared/contract.ts';
import { EnclaveError } from '../../shared/errors.ts';
import type { Host } from './host.ts';

/** One frame never needs more than this: a long conversation is a few MB of text. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

export interface WebServerOptions {
  host: Host;
  staticDir: string;
  port: number;
  address?: string;
}

export interface WebServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const address = options.address ?? '127.0.0.1';
  const serveStatic = sirv(options.staticDir, { single: true, dev: false, etag: true, gzip: false });
  const server: Server = createServer((req, res) => {
    if (!isAllowedHost(req, server)) {
      res.writeHead(421).end('misdirected request');
      return;
    }
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    // No other page may frame the app and trick clicks into it (clickjacking); only a header can say so.
    res.setHeader('Content-Security-Policy', "frame-ancestors 'none'; form-action 'none'");
    res.setHeader('X-Frame-Options', 'DENY');
    serveStatic(req, res, () => {
      res.writeHead(404).end('not found');
    });
  });
  const sockets = new WebSocketServer({
    server,
    path: '/ws',
    maxPayload: MAX_FRAME_BYTES,
    // Any web page the user visits could otherwise open a socket to 127.0.0.1 and drive the app.
    verifyClient: ({ req }: { req: IncomingMessage }) => isAllowedHost(req, server) && isSameOrigin(req),
  });
  sockets.on('connection', (socket) => serveConnection(socket, options.host));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, address, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** What a connection talks to: the whole Host, or a workshop participant's restricted view of it (issue #7). */
export type ContractEndpoint = Pick<Host, 'call' | 'onEvent'>;

export function serveConnection(socket: WebSocket, host: ContractEndpoint): void {
  // Generation events go only to the connection that started the job.
  const ownJobs = new Set<string>();
  const send = (frame: ServerFrame): void => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
  };
  const unsubscribe = host.onEvent((event: HostEvent) => {
    if ('jobId' in event.payload && !ownJobs.has(event.payload.jobId)) return;
    send({ type: 'event', event: event.event, payload: event.payload });
    if (event.event === 'chat.done' || event.event === 'chat.error') ownJobs.delete(event.payload.jobId);
  });
  socket.on('close', unsubscribe);
  // A frame over maxPayload or a protocol violation: ws closes this connection; without a listener the error would end the process.
  socket.on('error', () => socket.terminate());
  socket.on('message', async (data, isBinary) => {
    const frame = isBinary ? null : parseClientFrame(data.toString());
    if (frame === null) {
      send({ type: 'result', id: -1, ok: false, error: new EnclaveError('BAD_REQUEST', 'a frame must be JSON {type:"call", id, command, input}').toPayload() });
      return;
    }
    const outcome = await host.call(frame.command, frame.input);
    if (outcome.ok && frame.command === 'chat.generate') ownJobs.add((outcome.result as { jobId: string }).jobId);
    send({ type: 'result', id: frame.id, ...outcome });
  });
}

export function parseClientFrame(text: string): ClientFrame | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { type, id, command, input } = value as Record<string, unknown>;
  if (type !== 'call' || typeof id !== 'number' || !Number.isSafeInteger(id) || typeof command !== 'string') return null;
  return { type, id, command, input };
}

/** Refuses DNS-rebinding requests: the Host header must name the address the server listens on. */
export function isAllowedHost(req: IncomingMessage, server: Server): boolean {
  const address = server.address() as AddressInfo | null;
  if (address === null) return false;
  const allowed = new Set([`127.0.0.1:${address.port}`, `localhost:${address.port}`, `[::1]:${address.port}`]);
  if (address.address !== '127.0.0.1' && address.address !== '::1') allowed.add(`${address.address}:${address.port}`);
  return allowed.has(req.headers.host ?? '');
}

export function isSameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  // Non-browser clients (tests, scripts) send no Origin; browsers always do.
  return origin === undefined || origin === `http://${req.headers.host}`;
}
