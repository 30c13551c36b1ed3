/**
 * Workshop mode: the trainer shares the app on one LAN interface. Participants join
 * with a code, get an HttpOnly cookie, then the same React app over a WebSocket with their own
 * private conversations and their own turn in the shared chat queue. Off by default; nothing
 * listens beyond the address the trainer chose.
 */
import { rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import QRCode from 'qrcode';
import type { WebSocket } from 'ws';
import type { HostEvent } from '#shared/contract.ts';
import { EnclaveError } from '#shared/errors.ts';
import type { DocumentAttachment, DocumentWindow } from '#shared/documents.ts';
import {
  WORKSHOP_GRACE_MS,
  WORKSHOP_PARALLEL,
  type RoomDocuments,
  type WorkshopCaller,
  type WorkshopEnding,
  type WorkshopMe,
  type WorkshopParticipant,
  type WorkshopPush,
  type WorkshopStatus,
} from '#shared/workshop.ts';
import { sameCaller, type Caller, type ChatService } from '../chat/chat-service.ts';
import { listen } from '../platform/listen.ts';
import { JoinAttempts } from './join-attempts.ts';
import { joinPage, type JoinFailure } from './join-page.ts';
import { isShareableAddress, newJoinCode, sameCode } from './lan.ts';
import { disconnect, Participants, type Participant } from './participants.ts';
import type { DocumentsPort } from '../conversations/conversation-chat.ts';
import { openConversations } from '../conversations/open-conversations.ts';
import { participantEndpoint, type SharedReads } from './participant-endpoint.ts';
import { createAppServer, serveConnection, urlFor, type AppServer } from '../platform/web-server.ts';

const COOKIE = 'enclave_workshop';
const THROUGHPUT_WINDOW_MS = 60_000;
const STATUS_EVERY_MS = 500;
const MAX_NAME_CHARS = 40;
/** How long removing someone waits for their running answer to stop before closing their database anyway. */
const JOBS_STOP_WAIT_MS = 5_000;
const JOIN_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";

/** What a room needs of the documents feature to answer from the collections the trainer shares. */
export interface WorkshopDocumentsPort extends Pick<DocumentsPort, 'ground' | 'contextTokens'> {
  /** Throws NOT_FOUND for a collection that is not in the app. */
  collection(id: string): { id: string; name: string };
  passages(fileId: string, around: { page?: number | null | undefined; quote?: string | undefined; position?: number | undefined }): DocumentWindow;
}

export interface WorkshopOptions {
  /** The trainer's read-only answers participants share. */
  shared: SharedReads;
  /** The host's event bus (participants' windows get their own jobs' events and the room's). */
  events: (listener: (event: HostEvent) => void) => () => void;
  chat: ChatService;
  dataDir: string;
  /** The built renderer, served to participants. */
  staticDir: () => string | null;
  emit: (event: HostEvent) => void;
  /** How long participants keep their window after their room ends (WORKSHOP_GRACE_MS); 0: out at once. */
  graceMs?: number;
  /** The trainer's collections, some of which a room may share read-only. */
  documents?: WorkshopDocumentsPort | undefined;
}

/** A participant whose room ended, until their conversations are deleted. */
interface Leaving {
  participant: Participant;
  dir: string;
  timer: ReturnType<typeof setTimeout>;
}

interface Open {
  app: AppServer;
  modelIds: string[];
  /** What the room answers from; null: no documents. */
  documents: DocumentAttachment | null;
  url: string;
  joinCode: string;
  qr: boolean[][];
}

export class Workshop {
  private open: Open | null = null;
  /** A closed room's server, still serving its leaving participants until the last one is gone. */
  private closing: AppServer | null = null;
  private readonly leaving = new Map<string, Leaving>();
  private participants: Participants;
  private readonly attempts = new JoinAttempts();
  private pushed: WorkshopPush | null = null;
  /** Answers before this do not count in the room's throughput (a reset starts afresh). */
  private countFrom = Date.now();
  private statusTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly options: WorkshopOptions;

  constructor(options: WorkshopOptions) {
    this.options = options;
    this.participants = this.newRoom();
    options.chat.onChange(() => this.announce());
  }

  /** Opens a new room: participants of an earlier one (and folders a crash left) are gone. */
  async start(address: string, port: number, chosen?: readonly string[], documents?: DocumentAttachment): Promise<WorkshopStatus> {
    if (!isShareableAddress(address)) throw new EnclaveError('BAD_REQUEST', `${address} is not an address of this machine`, { address });
    if (documents !== undefined) {
      const port = this.options.documents;
      if (port === undefined) throw new EnclaveError('FORBIDDEN', 'this app has no documents to share');
      for (const id of documents.collectionIds) port.collection(id);
    }
    const usable = (await this.options.shared['models.list']({})).filter((model) => model.problem === null).map((model) => model.id);
    const unknown = chosen?.find((modelId) => !usable.includes(modelId));
    if (unknown !== undefined) throw new EnclaveError('MODEL_NOT_FOUND', `${unknown} is not a usable model of the library`, { modelId: unknown });
    const modelIds = chosen === undefined ? usable : [...new Set(chosen)];
    const staticDir = this.options.staticDir();
    if (staticDir === null) throw new EnclaveError('FORBIDDEN', 'this app was started without its built renderer to serve');
    await this.stop();
    // A new room: the grace of the last one's participants ends now.
    await this.finishAll();
    rmSync(this.roomDir(), { recursive: true, force: true });
    const app = createAppServer({ staticDir, intercept: (req, res) => this.gate(req, res), accept: (req) => this.accept(req) });
    await listen(app.server, port, address);
    const url = urlFor(address, (app.server.address() as AddressInfo).port);
    const shared = documents === undefined ? null : { collectionIds: [...new Set(documents.collectionIds)], only: documents.only };
    this.open = { app, modelIds, documents: shared, url, joinCode: newJoinCode(), qr: qrModules(url) };
    this.attempts.clear();
    this.options.chat.setParallel(WORKSHOP_PARALLEL);
    this.announce(true);
    return this.status();
  }

  /**
   * Closes the room: nobody joins any more, everyone's answers stop, and each participant is told;
   * their windows stay, read-only, for the grace period so they can download their conversations,
   * which are then deleted. The server stops listening once the last of them is gone.
   */
  async stop(): Promise<WorkshopStatus> {
    const open = this.open;
    this.open = null;
    this.options.chat.setParallel(1);
    if (open !== null) this.closing = open.app;
    await this.endRoom('closed');
    await this.closeWhenEmpty();
    this.announce(true);
    return this.status();
  }

  /** Removes everyone and their conversations, and draws a new join code. */
  async reset(): Promise<WorkshopStatus> {
    if (this.open !== null) this.open.joinCode = newJoinCode();
    this.attempts.clear();
    await this.endRoom('removed');
    this.announce(true);
    return this.status();
  }

  async remove(participantId: string): Promise<WorkshopStatus> {
    const participant = this.participants.byId(participantId);
    if (participant === null) throw new EnclaveError('NOT_FOUND', 'no such participant', { participantId });
    await this.evict(this.participants, [participant], 'removed');
    this.announce(true);
    return this.status();
  }

  push(text: string, title?: string): WorkshopStatus {
    this.pushed = { text, ...(title !== undefined && { title }), at: new Date().toISOString() };
    this.options.emit({ event: 'workshop.pushed', payload: this.pushed });
    this.announce(true);
    return this.status();
  }

  status(now: number = Date.now()): WorkshopStatus {
    const queue = this.options.chat.queue();
    const recent = this.options.chat.finishedSince(Math.max(now - THROUGHPUT_WINDOW_MS, this.countFrom));
    const busyMs = recent.reduce((sum, entry) => sum + entry.durationMs, 0);
    const tokens = recent.reduce((sum, entry) => sum + entry.tokens, 0);
    const participants = this.participants.list().map((participant): WorkshopParticipant => {
      const position = queue.waiting.findIndex((job) => sameCaller(job.caller, participant.caller)) + 1;
      const generating = queue.running.some((job) => sameCaller(job.caller, participant.caller));
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
      running: queue.running.map((job) => this.callerOf(job.caller)),
      waiting: queue.waiting.length,
      throughput: { answers: recent.length, tokensPerSecond: busyMs > 0 ? (tokens * 1000) / busyMs : 0 },
      pushed: this.pushed,
      modelIds: this.open?.modelIds ?? [],
      documents: this.roomDocuments(),
      graceMs: this.graceMs(),
    };
  }

  async dispose(): Promise<void> {
    await this.stop();
    await this.finishAll();
    if (this.statusTimer !== null) clearTimeout(this.statusTimer);
  }

  private roomModels(): string[] {
    return this.open?.modelIds ?? [];
  }

  /** The shared collections still in the app, by name; null when the room shares none. */
  private roomDocuments(): RoomDocuments | null {
    const shared = this.open?.documents ?? null;
    const port = this.options.documents;
    if (shared === null || port === undefined) return null;
    const collections = shared.collectionIds.flatMap((id) => {
      try {
        const { name } = port.collection(id);
        return [{ id, name }];
      } catch {
        return []; // deleted since the room opened
      }
    });
    return { collections, only: shared.only };
  }

  /** What every participant's conversation answers from: the room's collections, whatever the participant's window says. */
  private roomAttachment(): DocumentAttachment {
    return this.open?.documents ?? { collectionIds: [], only: false };
  }

  private graceMs(): number {
    return this.options.graceMs ?? WORKSHOP_GRACE_MS;
  }

  private me(participant: Participant): WorkshopMe {
    return { name: participant.name, pushed: participant.ending === null ? this.pushed : null, ending: participant.ending, modelIds: this.roomModels(), documents: this.roomDocuments() };
  }

  private roomDir(): string {
    return join(this.options.dataDir, 'workshop');
  }

  private newRoom(): Participants {
    return new Participants(this.roomDir(), (dir, caller) => {
      const conversations = openConversations(dir, this.options.chat, caller);
      const { documents } = this.options;
      if (documents !== undefined) {
        // Read-only: the room's collections are read back on each question; nothing a participant sends attaches others.
        conversations.chat.useDocuments({
          attachment: () => this.roomAttachment(),
          attach: () => undefined,
          ground: (attachment, history, contextTokens, locale) => documents.ground(attachment, history, contextTokens, locale),
          contextTokens: (modelId, sampling) => documents.contextTokens(modelId, sampling),
        });
      }
      return conversations;
    });
  }

  /** Everyone out; the next to join starts a fresh room. */
  private async endRoom(reason: WorkshopEnding['reason']): Promise<void> {
    const room = this.participants;
    this.participants = this.newRoom();
    this.pushed = null;
    this.countFrom = Date.now();
    await this.evict(room, room.list(), reason);
  }

  /**
   * They leave the room and their answers stop; they are told why, and keep their window,
   * read-only, for the grace period; then their cookie opens nothing and their conversations are
   * deleted.
   */
  private async evict(room: Participants, leaving: readonly Participant[], reason: WorkshopEnding['reason']): Promise<void> {
    const graceMs = this.graceMs();
    const ending: WorkshopEnding = { reason, deleteAt: new Date(Date.now() + graceMs).toISOString() };
    for (const participant of leaving) {
      room.release(participant);
      participant.ending = ending;
      const timer = setTimeout(() => void this.finish(participant.token), graceMs);
      this.leaving.set(participant.token, { participant, dir: room.dirOf(participant), timer });
    }
    await this.stopJobs(leaving.map((participant) => participant.caller));
    if (leaving.length > 0) this.options.emit({ event: 'workshop.ended', payload: { ...ending, participantIds: leaving.map((participant) => participant.id) } });
    if (graceMs === 0) for (const participant of leaving) await this.finish(participant.token);
  }

  /** The end of a leaving participant's grace: connections closed, conversations deleted. */
  private async finish(token: string): Promise<void> {
    const entry = this.leaving.get(token);
    if (entry === undefined) return;
    this.leaving.delete(token);
    clearTimeout(entry.timer);
    disconnect(entry.participant);
    entry.participant.conversations.close();
    rmSync(entry.dir, { recursive: true, force: true });
    await this.closeWhenEmpty();
  }

  private async finishAll(): Promise<void> {
    for (const token of [...this.leaving.keys()]) await this.finish(token);
  }

  /** A closed room's server stops listening once the last participant's grace is over. */
  private async closeWhenEmpty(): Promise<void> {
    const closing = this.closing;
    if (closing === null || this.leaving.size > 0) return;
    this.closing = null;
    await closing.close();
  }

  /** Stops every running or waiting job of these callers and waits (a few seconds at most) until the queue holds none. */
  private async stopJobs(callers: readonly Caller[]): Promise<void> {
    const { chat } = this.options;
    const jobs = (): string[] => {
      const { running, waiting } = chat.queue();
      return [...running, ...waiting].flatMap((job) => (callers.some((caller) => sameCaller(caller, job.caller)) ? [job.jobId] : []));
    };
    if (jobs().length === 0) return;
    await new Promise<void>((resolve) => {
      const end = (): void => {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      };
      const timer = setTimeout(end, JOBS_STOP_WAIT_MS);
      const unsubscribe = chat.onChange(() => {
        if (jobs().length === 0) end();
      });
      for (const jobId of jobs()) chat.stop(jobId);
      if (jobs().length === 0) end();
    });
  }

  private callerOf(caller: Caller): WorkshopCaller {
    switch (caller.kind) {
      case 'participant': {
        const participant = this.participants.byId(caller.participantId);
        return participant === null ? { kind: 'other' } : { kind: 'participant', name: participant.name };
      }
      case 'app':
      case 'api':
      case 'compare':
        return { kind: caller.kind };
      default:
        return caller satisfies never;
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

  /** The join page, and the way to it for anyone without a participant's cookie. */
  private gate(req: IncomingMessage, res: ServerResponse): boolean {
    if (new URL(req.url ?? '/', 'http://workshop').pathname === '/workshop/join') {
      void this.serveJoin(req, res);
      return true;
    }
    if (this.participantOf(req) !== null) return false;
    res.writeHead(303, { Location: '/workshop/join' }).end();
    return true;
  }

  private accept(req: IncomingMessage): ((socket: WebSocket) => void) | null {
    const participant = this.participantOf(req);
    if (participant === null) return null;
    const endpoint = participantEndpoint({
      shared: this.options.shared,
      events: this.options.events,
      chat: this.options.chat,
      participants: this.participants,
      participant,
      me: () => this.me(participant),
      roomModels: () => this.roomModels(),
      roomCollections: () => this.roomAttachment().collectionIds,
      roomOnly: () => this.roomAttachment().only,
      passages: this.options.documents === undefined ? null : (fileId, around) => this.options.documents?.passages(fileId, around) ?? null,
      // After the answer to workshop.leave has gone out on the connection this closes.
      leave: () => setImmediate(() => void this.finish(participant.token)),
    });
    return (socket) => {
      participant.sockets.add(socket);
      socket.on('close', () => participant.sockets.delete(socket));
      serveConnection(socket, endpoint);
    };
  }

  /** A participant of the open room, or one whose room ended and who is still in their grace period. */
  private participantOf(req: IncomingMessage): Participant | null {
    const token = cookieValue(req.headers.cookie, COOKIE);
    return this.participants.byTokenOf(token) ?? (token === undefined ? null : (this.leaving.get(token)?.participant ?? null));
  }

  private async serveJoin(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('Content-Security-Policy', JOIN_PAGE_CSP);
    const answer = (status: number, failure: JoinFailure | null): void => {
      res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' }).end(joinPage({ failure }));
    };
    if (req.method !== 'POST') {
      answer(200, null);
      return;
    }
    const remote = req.socket.remoteAddress ?? '';
    const waitMs = this.attempts.waitMs(remote);
    if (waitMs > 0) {
      res.setHeader('Retry-After', String(Math.ceil(waitMs / 1000)));
      answer(429, 'tooManyAttempts');
      return;
    }
    const form = new URLSearchParams(await readSmallBody(req));
    const name = (form.get('name') ?? '').trim().slice(0, MAX_NAME_CHARS);
    if (this.open === null || !sameCode(form.get('code') ?? '', this.open.joinCode)) {
      this.attempts.recordWrong(remote);
      answer(403, 'wrongCode');
      return;
    }
    if (name === '') {
      answer(400, 'noName');
      return;
    }
    if (this.participants.isFull()) {
      answer(403, 'roomFull');
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
