/**
 * Workshop mode (issue #7): the trainer shares the app on one LAN interface. Participants join
 * with a code, get an HttpOnly cookie, then the same React app over a WebSocket with their own
 * private conversations and their own turn in the shared chat queue. Off by default; nothing
 * listens beyond the address the trainer chose.
 */
import { rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import QRCode from 'qrcode';
import sirv from 'sirv';
import { WebSocketServer } from 'ws';
import type { HostEvent } from '../../shared/contract.ts';
import { EnclaveError } from '../../shared/errors.ts';
import type { WorkshopMe, WorkshopParticipant, WorkshopPush, WorkshopStatus } from '../../shared/workshop.ts';
import type { ChatService } from '../services/chat.ts';
import { joinPage } from '../services/workshop/join-page.ts';
import { isShareableAddress, newJoinCode, sameCode, urlFor } from '../services/workshop/lan.ts';
import { PARTICIPANT_CALLER_PREFIX, Participants, type Participant } from '../services/workshop/participants.ts';
import { openConversations } from './conversation-handlers.ts';
import type { Host } from './host.ts';
import { participantEndpoint } from './participant-endpoint.ts';
import { isAllowedHost, isSameOrigin, MAX_FRAME_BYTES, serveConnection } from './web-server.ts';

const COOKIE = 'enclave_workshop';
const THROUGHPUT_WINDOW_MS = 60_000;
const STATUS_EVERY_MS = 500;
const MAX_NAME_CHARS = 40;

export interface WorkshopOptions {
  host: Host;
  chat: ChatService;
  dataDir: string;
  /** The built renderer, served to participants. */
  staticDir: () => string | null;
  emit: (event: HostEvent) => void;
}

interface Open {
  server: Server;
  url: string;
  joinCode: string;
  qr: boolean[][];
}

export class Workshop {
  private open: Open | null = null;
  private participants: Participants;
  private pushed: WorkshopPush | null = null;
  private finished: { at: number; tokens: number; durationMs: number }[] = [];
  private statusTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly options: WorkshopOptions;

  constructor(options: WorkshopOptions) {
    this.options = options;
    this.participants = this.newRoom();
    options.host.onEvent((event) => this.observe(event));
  }

  async start(address: string, port: number): Promise<WorkshopStatus> {
    if (!isShareableAddress(address)) throw new EnclaveError('BAD_REQUEST', `${address} is not an address of this machine`, { address });
    const staticDir = this.options.staticDir();
    if (staticDir === null) throw new EnclaveError('FORBIDDEN', 'workshops are served by the web host only');
    await this.stop();
    const server = this.createServer(staticDir);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) => reject(new EnclaveError('BAD_REQUEST', `cannot listen on ${address}:${port}: ${error.message}`)));
      server.listen(port, address, () => resolve());
    });
    const url = urlFor(address, (server.address() as AddressInfo).port);
    this.open = { server, url, joinCode: newJoinCode(), qr: qrModules(url) };
    this.announce(true);
    return this.status();
  }

  async stop(): Promise<WorkshopStatus> {
    const open = this.open;
    this.open = null;
    if (open !== null) {
      for (const participant of this.participants.list()) for (const socket of participant.sockets) socket.terminate();
      await new Promise<void>((resolve) => {
        open.server.close(() => resolve());
        open.server.closeAllConnections();
      });
    }
    this.announce(true);
    return this.status();
  }

  /** Removes everyone and their conversations, and draws a new join code. */
  reset(): WorkshopStatus {
    for (const participant of this.participants.list()) this.participants.remove(participant);
    rmSync(this.roomDir(), { recursive: true, force: true });
    this.participants = this.newRoom();
    this.pushed = null;
    this.finished = [];
    if (this.open !== null) this.open.joinCode = newJoinCode();
    this.announce(true);
    return this.status();
  }

  remove(participantId: string): WorkshopStatus {
    const participant = this.participants.byId(participantId);
    if (participant === null) throw new EnclaveError('NOT_FOUND', 'no such participant', { participantId });
    for (const jobId of participant.jobs) this.options.chat.stop(jobId);
    this.participants.remove(participant);
    this.announce(true);
    return this.status();
  }

  push(text: string): WorkshopStatus {
    this.pushed = { text, at: new Date().toISOString() };
    this.options.emit({ event: 'workshop.pushed', payload: this.pushed });
    return this.status();
  }

  status(now: number = Date.now()): WorkshopStatus {
    const queue = this.options.chat.queue();
    const recent = this.finished.filter((entry) => now - entry.at < THROUGHPUT_WINDOW_MS);
    const busyMs = recent.reduce((sum, entry) => sum + entry.durationMs, 0);
    const tokens = recent.reduce((sum, entry) => sum + entry.tokens, 0);
    const participants = this.participants.list().map((participant): WorkshopParticipant => {
      const position = queue.waiting.findIndex((job) => job.caller === participant.caller) + 1;
      const generating = queue.running?.caller === participant.caller;
      return {
        id: participant.id,
        name: participant.name,
        joinedAt: participant.joinedAt.toISOString(),
        answers: participant.answers,
        tokens: participant.tokens,
        state: generating ? 'generating' : position > 0 ? 'waiting' : 'idle',
        position: position > 0 ? position : null,
      };
    });
    return {
      state: this.open === null ? 'off' : 'open',
      url: this.open?.url ?? null,
      joinCode: this.open?.joinCode ?? null,
      qr: this.open?.qr ?? null,
      participants,
      running: queue.running === null ? null : this.callerName(queue.running.caller),
      waiting: queue.waiting.length,
      throughput: { answers: recent.length, tokensPerSecond: busyMs > 0 ? (tokens * 1000) / busyMs : 0 },
    };
  }

  async dispose(): Promise<void> {
    await this.stop();
    if (this.statusTimer !== null) clearTimeout(this.statusTimer);
    for (const participant of this.participants.list()) participant.conversations.close();
  }

  private me(participant: Participant): WorkshopMe {
    return { name: participant.name, pushed: this.pushed };
  }

  private roomDir(): string {
    return join(this.options.dataDir, 'workshop');
  }

  private newRoom(): Participants {
    return new Participants(this.roomDir(), (dir, caller) => openConversations(dir, this.options.chat, caller));
  }

  private callerName(caller: string): string {
    if (caller.startsWith(PARTICIPANT_CALLER_PREFIX)) return this.participants.byCaller(caller)?.name ?? '?';
    return caller.startsWith('api:') ? 'api' : caller;
  }

  /** Counts each participant's answers and the room's throughput. */
  private observe(event: HostEvent): void {
    if (event.event === 'chat.done') {
      const participant = this.participants.byJob(event.payload.jobId);
      if (participant !== null) {
        participant.jobs.delete(event.payload.jobId);
        participant.answers++;
        participant.tokens += event.payload.stats.tokens;
      }
      this.finished.push({ at: Date.now(), tokens: event.payload.stats.tokens, durationMs: event.payload.stats.durationMs });
      this.finished = this.finished.filter((entry) => Date.now() - entry.at < THROUGHPUT_WINDOW_MS);
      this.announce();
    } else if (event.event === 'chat.error') {
      this.participants.byJob(event.payload.jobId)?.jobs.delete(event.payload.jobId);
      this.announce();
    } else if (event.event === 'chat.queued') {
      this.announce();
    }
  }

  private announce(now = false): void {
    if (now) {
      this.options.emit({ event: 'workshop.status', payload: this.status() });
      return;
    }
    this.statusTimer ??= setTimeout(() => {
      this.statusTimer = null;
      this.options.emit({ event: 'workshop.status', payload: this.status() });
    }, STATUS_EVERY_MS);
  }

  private createServer(staticDir: string): Server {
    const serveStatic = sirv(staticDir, { single: true, dev: false, etag: true, gzip: false });
    const server: Server = createServer((req, res) => {
      if (!isAllowedHost(req, server)) {
        res.writeHead(421).end('misdirected request');
        return;
      }
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Referrer-Policy', 'no-referrer');
      res.setHeader('X-Frame-Options', 'DENY');
      const path = new URL(req.url ?? '/', 'http://workshop').pathname;
      if (path === '/workshop/join') {
        void this.serveJoin(req, res);
        return;
      }
      if (this.participantOf(req) === null) {
        res.writeHead(303, { Location: '/workshop/join' }).end();
        return;
      }
      res.setHeader('Content-Security-Policy', "frame-ancestors 'none'; form-action 'none'");
      serveStatic(req, res, () => {
        res.writeHead(404).end('not found');
      });
    });
    const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
    server.on('upgrade', (req, socket, head) => {
      const participant = new URL(req.url ?? '/', 'http://workshop').pathname === '/ws' && isAllowedHost(req, server) && isSameOrigin(req) ? this.participantOf(req) : null;
      if (participant === null) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
        return;
      }
      sockets.handleUpgrade(req, socket, head, (ws) => {
        participant.sockets.add(ws);
        ws.on('close', () => participant.sockets.delete(ws));
        serveConnection(ws, participantEndpoint({ host: this.options.host, chat: this.options.chat, participants: this.participants, participant, me: () => this.me(participant) }));
      });
    });
    return server;
  }

  private participantOf(req: IncomingMessage): Participant | null {
    return this.participants.byTokenOf(cookieValue(req.headers.cookie, COOKIE));
  }

  private async serveJoin(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
    if (req.method !== 'POST') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(joinPage({ failed: false }));
      return;
    }
    const form = new URLSearchParams(await readSmallBody(req));
    const name = (form.get('name') ?? '').trim().slice(0, MAX_NAME_CHARS);
    if (this.open === null || !sameCode(form.get('code') ?? '', this.open.joinCode) || name === '') {
      res.writeHead(403, { 'Content-Type': 'text/html; charset=utf-8' }).end(joinPage({ failed: true }));
      return;
    }
    const participant = this.participants.join(name);
    res.writeHead(303, { Location: '/#/chat', 'Set-Cookie': `${COOKIE}=${participant.token}; HttpOnly; SameSite=Strict; Path=/` }).end();
    this.announce(true);
  }
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

async function readSmallBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req as AsyncIterable<Buffer>) {
    body += chunk.toString('utf8');
    if (body.length > 4096) break;
  }
  return body;
}

function qrModules(text: string): boolean[][] {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const rows: boolean[][] = [];
  for (let row = 0; row < modules.size; row++) {
    const cells: boolean[] = [];
    for (let column = 0; column < modules.size; column++) cells.push(modules.get(row, column) === 1);
    rows.push(cells);
  }
  return rows;
}
