/**
 * A stand-in for Hugging Face on 127.0.0.1, serving real bytes the way the real site does:
 * `/{owner}/{repo}/resolve/main/{file}` answers 302 to a signed CDN link (`?expires=`, refused
 * with 403 once past, like the real CDN's) with ETag/X-Linked-Etag (the sha256) and
 * X-Linked-Size; the CDN path serves the bytes with Range support. Faults are injected per file:
 * cut connections, 5xx, short-lived links, requests never answered, Range ignored, a flipped
 * byte, a stall, a slow trickle.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export interface FileFaults {
  /** Each entry cuts one body response after that many bytes (consumed in order). */
  dropAfterBytes?: number[];
  /** Each entry sends that many bytes of one body, then nothing more while keeping the connection open. */
  stallAfterBytes?: number[];
  /** Statuses the CDN answers before it serves (consumed in order): 500, 503, 403 (expired link)... */
  statuses?: number[];
  /** Answer 200 with the whole file whatever Range asks for. */
  ignoreRange?: boolean;
  /** Serve this byte flipped, while publishing the sha256 of the true bytes. */
  flipByteAt?: number;
  /** Bytes per second for every body (a slow link). */
  bytesPerSecond?: number;
  /** How long a signed CDN link from `resolve` stays valid (default an hour). */
  linkLifetimeMs?: number;
  /** That many CDN requests, in order, get no answer at all (not even headers), the connection left open. */
  unansweredRequests?: number;
}

export interface FakeHfServer {
  url: string;
  /** Adds or replaces a file at `{repo}/{file}`. */
  serve(repo: string, file: string, bytes: Buffer, faults?: FileFaults): void;
  setFaults(repo: string, file: string, faults: FileFaults): void;
  /**
   * Body bytes sent for this file so far, over every request. ipull's first request of each start
   * is a GET without Range whose body it never reads (it wants the headers): what the sockets'
   * buffers take of that body counts here too, and alone in `bytesServedWithoutRange`.
   */
  bytesServed(repo: string, file: string): number;
  bytesServedWithoutRange(repo: string, file: string): number;
  sha256(repo: string, file: string): string;
  /** CDN requests refused with 403 because their signed link had expired. */
  expiredRefusals(repo: string, file: string): number;
  /** Sends `resolve` redirects to another server's CDN path (a second loopback "CDN" host); null: this server. */
  setCdnOrigin(origin: string | null): void;
  /** Every request line seen, in order ("GET /cdn/..."). */
  requests: string[];
  close(): Promise<void>;
}

interface Served {
  bytes: Buffer;
  sha256: string;
  faults: FileFaults;
  sent: number;
  sentWithoutRange: number;
  expired: number;
}

const RESOLVE = /^\/([^/]+\/[^/]+)\/resolve\/main\/(.+)$/;
// The CDN path may sit under a prefix, as Xet's bridge does (`/xet-bridge-us/...`).
const CDN = /^(?:\/[^/]+)*?\/cdn\/([^/]+\/[^/]+)\/(.+)$/;

export interface FakeHfServerOptions {
  /** Serve HTTPS with this key and certificate (PEM), for tests that reach it under real host names. */
  tls?: { key: string; cert: string };
}

export async function startFakeHfServer(options: FakeHfServerOptions = {}): Promise<FakeHfServer> {
  const files = new Map<string, Served>();
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  let cdnOrigin = '';

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    requests.push(`${request.method} ${request.url}`);
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const resolve = RESOLVE.exec(path);
    if (resolve !== null) return answerResolve(files.get(`${resolve[1]}/${resolve[2]}`), `${resolve[1]}/${resolve[2]}`, cdnOrigin, response);
    const cdn = CDN.exec(path);
    if (cdn !== null) return answerCdn(files.get(`${cdn[1]}/${cdn[2]}`), request, response, new URL(request.url ?? '/', 'http://x').searchParams.get('expires'));
    response.writeHead(404).end('not found');
  };
  const server: Server = options.tls === undefined ? createServer(handle) : createTlsServer(options.tls, handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const get = (repo: string, file: string): Served => {
    const served = files.get(`${repo}/${file}`);
    if (served === undefined) throw new Error(`not served: ${repo}/${file}`);
    return served;
  };

  return {
    url: `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    serve(repo, file, bytes, faults = {}) {
      files.set(`${repo}/${file}`, { bytes, sha256: createHash('sha256').update(bytes).digest('hex'), faults: structuredClone(faults), sent: 0, sentWithoutRange: 0, expired: 0 });
    },
    setFaults(repo, file, faults) {
      get(repo, file).faults = structuredClone(faults);
    },
    bytesServed: (repo, file) => get(repo, file).sent,
    bytesServedWithoutRange: (repo, file) => get(repo, file).sentWithoutRange,
    sha256: (repo, file) => get(repo, file).sha256,
    expiredRefusals: (repo, file) => get(repo, file).expired,
    setCdnOrigin(origin) {
      cdnOrigin = origin ?? '';
    },
    requests,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function answerResolve(served: Served | undefined, key: string, cdnOrigin: string, response: ServerResponse): void {
  if (served === undefined) {
    response.writeHead(404, { 'x-error-code': 'EntryNotFound' }).end('Entry not found');
    return;
  }
  // Like huggingface.co: the LFS digest and size ride on the redirect to a signed CDN link.
  response
    .writeHead(302, {
      location: `${cdnOrigin}/cdn/${key.split('/').map(encodeURIComponent).join('/')}?expires=${Date.now() + (served.faults.linkLifetimeMs ?? 3_600_000)}`,
      etag: `"${served.sha256}"`,
      'x-linked-etag': `"${served.sha256}"`,
      'x-linked-size': String(served.bytes.length),
      'x-repo-commit': '0123456789abcdef0123456789abcdef01234567',
    })
    .end();
}

function answerCdn(served: Served | undefined, request: IncomingMessage, response: ServerResponse, expires: string | null): void {
  if (served === undefined) {
    response.writeHead(404).end('not found');
    return;
  }
  if (served.faults.unansweredRequests !== undefined && served.faults.unansweredRequests > 0) {
    served.faults.unansweredRequests--;
    return;
  }
  // A signed link works until it expires; the client must go back to `resolve` for a fresh one.
  if (expires === null || !(Number(expires) > Date.now())) {
    served.expired++;
    response.writeHead(403, { 'content-type': 'text/plain' }).end('Request has expired');
    return;
  }
  const status = served.faults.statuses?.shift();
  if (status !== undefined) {
    response.writeHead(status, { 'content-type': 'text/plain' }).end(status === 403 ? 'Request has expired' : 'server error');
    return;
  }
  const size = served.bytes.length;
  let start = 0;
  let end = size - 1;
  const range = served.faults.ignoreRange === true ? null : /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
  if (range !== null) {
    start = Number(range[1]);
    end = range[2] === '' || range[2] === undefined ? size - 1 : Math.min(Number(range[2]), size - 1);
    if (start >= size || start > end) {
      response.writeHead(416, { 'content-range': `bytes */${size}` }).end();
      return;
    }
  }
  const headers: Record<string, string> = {
    'content-type': 'application/octet-stream',
    'content-length': String(end - start + 1),
    etag: `"${served.sha256}"`,
  };
  if (served.faults.ignoreRange !== true) headers['accept-ranges'] = 'bytes';
  if (range !== null) headers['content-range'] = `bytes ${start}-${end}/${size}`;
  response.writeHead(range !== null ? 206 : 200, headers);
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  let body = served.bytes.subarray(start, end + 1);
  const flip = served.faults.flipByteAt;
  if (flip !== undefined && flip >= start && flip <= end) {
    body = Buffer.from(body);
    body[flip - start] = (body[flip - start] ?? 0) ^ 0xff;
  }
  // Body faults hit the ranged reads that carry the bytes, not ipull's first GET that only reads headers.
  const bodyFaults = request.headers.range !== undefined || served.faults.ignoreRange === true;
  const stallAfter = bodyFaults ? served.faults.stallAfterBytes?.shift() : undefined;
  if (stallAfter !== undefined) {
    served.sent += Math.min(stallAfter, body.length);
    response.write(body.subarray(0, stallAfter));
    return;
  }
  const dropAfter = bodyFaults ? served.faults.dropAfterBytes?.shift() : undefined;
  void sendBody(served, body, response, dropAfter, served.faults.bytesPerSecond, request.headers.range === undefined);
}

async function sendBody(served: Served, body: Buffer, response: ServerResponse, dropAfter: number | undefined, bytesPerSecond: number | undefined, unranged: boolean): Promise<void> {
  const limit = dropAfter === undefined ? body.length : Math.min(dropAfter, body.length);
  const slice = bytesPerSecond === undefined ? 64 * 1024 : Math.max(1, Math.floor(bytesPerSecond / 20));
  let offset = 0;
  while (offset < limit && !response.destroyed) {
    const piece = body.subarray(offset, Math.min(offset + slice, limit));
    offset += piece.length;
    served.sent += piece.length;
    if (unranged) served.sentWithoutRange += piece.length;
    // Like a real server, sends no faster than the client reads: `sent` counts what it took.
    if (!response.write(piece)) await writable(response);
    if (bytesPerSecond !== undefined) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (dropAfter !== undefined && dropAfter < body.length) response.destroy();
  else response.end();
}

/** Resolves once the response can take more bytes, or is gone. */
function writable(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}
