/**
 * The web host's transport: serves the built renderer over HTTP and the contract over a WebSocket
 * at /ws. Bound to loopback unless the caller names another address on purpose. The workshop
 * server is the same server with a join gate in front (`createAppServer`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sirv from 'sirv';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { jobIdSchema } from '#shared/chat.ts';
import type { ClientFrame, HostEvent, ServerFrame } from '#shared/contract.ts';
import type { ContractEndpoint } from '#shared/endpoint.ts';
import { EnclaveError } from '#shared/errors.ts';
import { listen } from './listen.ts';
import { clearUploads, receiveUpload } from './uploads.ts';
import { rendererContentSecurityPolicy, SECURITY_HEADERS } from '#shared/content-security.ts';

/** One frame never needs more than this: a long conversation is a few MB of text. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

export interface WebServerOptions {
  host: ContractEndpoint;
  staticDir: string;
  port: number;
  address?: string;
  /** Where uploads (POST /uploads) are kept until imported: the data folder. */
  dataDir: string;
}

export interface WebServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const address = options.address ?? '127.0.0.1';
  clearUploads(options.dataDir);
  const app = createAppServer({
    staticDir: options.staticDir,
    intercept: (req, res) => receiveUpload(req, res, options.dataDir, isSameOrigin(req)),
    accept: () => (socket) => serveConnection(socket, options.host),
  });
  await listen(app.server, options.port, address);
  const { port } = app.server.address() as AddressInfo;
  return { url: urlFor(address, port), port, close: app.close };
}

export interface AppServerOptions {
  /** The built renderer. */
  staticDir: string;
  /** Answers a request itself before the renderer is served (the workshop's join page and gate); true when it did. */
  intercept?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Serves an accepted WebSocket at /ws, or null to refuse it (401). Called only for this host and origin. */
  accept: (req: IncomingMessage) => ((socket: WebSocket) => void) | null;
}

export interface AppServer {
  server: Server;
  /** Drops every WebSocket and connection and stops listening. */
  close(): Promise<void>;
}

/** The renderer and the contract on one HTTP server, with the checks and headers both servers need. */
export function createAppServer(options: AppServerOptions): AppServer {
  const serveStatic = sirv(options.staticDir, { single: true, dev: false, etag: true, gzip: false });
  const server: Server = createServer((req, res) => {
    if (!isAllowedHost(req, server)) {
      res.writeHead(421).end('misdirected request');
      return;
    }
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    if (options.intercept?.(req, res) === true) return;
    res.setHeader('Content-Security-Policy', rendererContentSecurityPolicy(req.headers.host ?? ''));
    serveStatic(req, res, () => {
      res.writeHead(404).end('not found');
    });
  });
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const isContract = new URL(req.url ?? '/', 'http://enclave').pathname === '/ws';
    // Any web page the user visits could otherwise open a socket to this address and drive the app.
    const serve = isContract && isAllowedHost(req, server) && isSameOrigin(req) ? options.accept(req) : null;
    if (serve === null) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(req, socket, head, serve);
  });
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function urlFor(address: string, port: number): string {
  return `http://${hostPort(address, port)}`;
}

export function serveConnection(socket: WebSocket, host: ContractEndpoint): void {
  // Generation events go only to the connection that started the job. The client chose the job's id
  // (unguessable, refused when in use), so the job is this connection's before its first event.
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
  // A frame over maxPayload or a protocol violation: ws has already started the close handshake with
  // its code (1009 for a frame too big) before it emits the error, which needs a listener or it would
  // end the process. Ending the socket here could cut that close frame off; only a socket ws left open is ended.
  socket.on('error', () => {
    if (socket.readyState === socket.OPEN) socket.terminate();
  });
  const answer = async (data: RawData, isBinary: boolean): Promise<void> => {
    const frame = isBinary ? null : parseClientFrame(data.toString());
    if (frame === null) {
      send({ type: 'result', id: -1, ok: false, error: new EnclaveError('BAD_REQUEST', 'a frame must be JSON {type:"call", id, command, input}').toPayload() });
      return;
    }
    const jobId = JOB_COMMANDS.has(frame.command) ? claimedJobId(frame.input) : null;
    if (jobId !== null) ownJobs.add(jobId);
    const outcome = await host.call(frame.command, frame.input);
    // A generation goes on after it is answered (until chat.done); an import is over when answered.
    if (jobId !== null && (!outcome.ok || frame.command !== 'chat.generate')) ownJobs.delete(jobId);
    send({ type: 'result', id: frame.id, ...outcome });
  };
  // Not awaited: host.call never rejects (every failure is a CallOutcome), so answer() does not either.
  socket.on('message', (data, isBinary) => void answer(data, isBinary));
}

/** Commands that start a job named by the client, whose events go only to the connection that named it. */
const JOB_COMMANDS = new Set(['chat.generate', 'conversations.import']);

/** The job id a job's command names, if it is a valid one (the router validates the rest). */
function claimedJobId(input: unknown): string | null {
  const jobId = typeof input === 'object' && input !== null ? (input as { jobId?: unknown }).jobId : undefined;
  return jobIdSchema.safeParse(jobId).success ? (jobId as string) : null;
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
  return address !== null && allowedHosts(address).has(req.headers.host ?? '');
}

/**
 * The Host headers a browser sends to a server listening on `address`: its own address (IPv6 in
 * brackets, as browsers write it), and on loopback the loopback names too.
 */
export function allowedHosts(address: Pick<AddressInfo, 'address' | 'port'>): Set<string> {
  const { port } = address;
  const loopback = address.address === '127.0.0.1' || address.address === '::1';
  return new Set([hostPort(address.address, port), ...(loopback ? [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`] : [])]);
}

function hostPort(address: string, port: number): string {
  return `${address.includes(':') ? `[${address}]` : address}:${port}`;
}

export function isSameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  // Non-browser clients (tests, scripts) send no Origin; browsers always do.
  return origin === undefined || origin === `http://${req.headers.host}`;
}
