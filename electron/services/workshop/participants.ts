/**
 * The people in a workshop room: who they are (a random token in an HttpOnly cookie), their own
 * conversations database, their jobs in the chat queue and their rate limit.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { WebSocket } from 'ws';
import { MAX_PARTICIPANTS, WORKSHOP_LEFT_CLOSE_CODE, WORKSHOP_RATE_LIMIT, type WorkshopEnding } from '#shared/workshop.ts';
import { EnclaveError } from '#shared/errors.ts';
import type { Conversations } from '../conversations/open-conversations.ts';
import type { Caller } from '../chat/chat-service.ts';

export interface Participant {
  id: string;
  name: string;
  token: string;
  joinedAt: Date;
  /** The chat queue's caller id: each participant has their own turn. */
  caller: Caller;
  conversations: Conversations;
  jobs: Set<string>;
  answers: number;
  tokens: number;
  sockets: Set<WebSocket>;
  /** Start times of recent generations, for the rate limit. */
  recent: number[];
  /** Set when the room ended for them: they may read and download their conversations until it is deleted, nothing more. */
  ending: WorkshopEnding | null;
}

export class Participants {
  private readonly byToken = new Map<string, Participant>();
  private readonly roomDir: string;
  private readonly open: (dir: string, caller: Caller) => Conversations;

  /** `open` opens a participant's own conversations database in `dir`, queued as `caller`. */
  constructor(roomDir: string, open: (dir: string, caller: Caller) => Conversations) {
    this.roomDir = roomDir;
    this.open = open;
  }

  join(name: string): Participant {
    if (this.isFull()) throw new EnclaveError('FORBIDDEN', `the room is full (${MAX_PARTICIPANTS} participants)`, { max: MAX_PARTICIPANTS });
    const id = randomUUID();
    const dir = join(this.roomDir, id);
    mkdirSync(dir, { recursive: true });
    const caller: Caller = { kind: 'participant', participantId: id };
    const participant: Participant = {
      id,
      name,
      token: randomBytes(32).toString('base64url'),
      joinedAt: new Date(),
      caller,
      conversations: this.open(dir, caller),
      jobs: new Set(),
      answers: 0,
      tokens: 0,
      sockets: new Set(),
      recent: [],
      ending: null,
    };
    this.byToken.set(participant.token, participant);
    return participant;
  }

  byTokenOf(token: string | undefined): Participant | null {
    return token === undefined ? null : (this.byToken.get(token) ?? null);
  }

  byId(id: string): Participant | null {
    return this.list().find((participant) => participant.id === id) ?? null;
  }

  list(): Participant[] {
    return [...this.byToken.values()];
  }

  isFull(): boolean {
    return this.byToken.size >= MAX_PARTICIPANTS;
  }

  /** Where their conversations database lives. */
  dirOf(participant: Participant): string {
    return join(this.roomDir, participant.id);
  }

  /** They leave the room (its list, its count); their token is the workshop's to keep or revoke. */
  release(participant: Participant): void {
    this.byToken.delete(participant.token);
  }

  /** Throws RATE_LIMITED when this participant started too many answers in the last window. */
  assertMayAsk(participant: Participant, now: number = Date.now()): void {
    participant.recent = participant.recent.filter((time) => now - time < WORKSHOP_RATE_LIMIT.windowMs);
    if (participant.recent.length >= WORKSHOP_RATE_LIMIT.answers) {
      const retryAfterMs = WORKSHOP_RATE_LIMIT.windowMs - (now - (participant.recent[0] ?? now));
      throw new EnclaveError('RATE_LIMITED', `at most ${WORKSHOP_RATE_LIMIT.answers} answers a minute`, { retryAfterMs });
    }
  }

  /** Counts an answer that was accepted (running or queued) against the rate limit. */
  countAsked(participant: Participant, now: number = Date.now()): void {
    participant.recent.push(now);
  }
}

/** Closes their connections with the code a participant's window takes as final (no reconnecting). */
export function disconnect(participant: Participant): void {
  for (const socket of participant.sockets) socket.close(WORKSHOP_LEFT_CLOSE_CODE, 'removed from the workshop');
}
