/** Workshop mode: one laptop serves a room of participants who only have a browser. */
import { z } from 'zod';
import { idSchema } from './chat.ts';
import { userPortSchema } from './ports.ts';

/** Generations one participant may start per minute. */
export const WORKSHOP_RATE_LIMIT = { answers: 10, windowMs: 60_000 } as const;

/**
 * Answers the engine writes at once while a room is open: one sequence each in the model's
 * context, evaluated together (measured with `npm run bench`: several times the tokens per second
 * of one answer at a time). Each costs its share of context memory; node-llama-cpp shrinks the
 * context to fit what is free.
 */
export const WORKSHOP_PARALLEL = 4;

/** Wrong join codes one address may send per minute; beyond, it waits (HTTP 429). */
export const JOIN_ATTEMPTS_LIMIT = { wrong: 5, windowMs: 60_000 } as const;

/**
 * How long a participant keeps their window, read-only, after the trainer closes the room or
 * removes them: time to download their conversations before they are deleted.
 */
export const WORKSHOP_GRACE_MS = 5 * 60_000;

/** The WebSocket close code that tells a participant's window their room is over: it does not reconnect. */
export const WORKSHOP_LEFT_CLOSE_CODE = 4003;

/** People one room holds: enough for a class, few enough for one laptop's engine. */
export const MAX_PARTICIPANTS = 40;

/** Models a trainer offers one room. */
export const MAX_ROOM_MODELS = 8;

/** Collections of documents a trainer shares with one room. */
export const MAX_ROOM_COLLECTIONS = 8;

export const workshopOpenSchema = z.strictObject({
  /** One address of this machine's LAN interfaces (127.0.0.1 for a rehearsal on this machine). */
  address: z.union([z.ipv4(), z.ipv6()]),
  port: userPortSchema,
  /** The models participants may use, the first one chosen for them; absent: every usable model of the library. */
  modelIds: z.array(idSchema).min(1).max(MAX_ROOM_MODELS).optional(),
  /** Collections shared with the room, read-only: every participant's question is answered from them; `only`: "not found" when they do not hold the answer. */
  documents: z.strictObject({ collectionIds: z.array(idSchema).min(1).max(MAX_ROOM_COLLECTIONS), only: z.boolean() }).optional(),
});

/** What the room answers from: the collections the trainer shares, read-only. */
export interface RoomDocuments {
  collections: { id: string; name: string }[];
  only: boolean;
}

const PROMPT_CHARS = 20_000;

export const workshopPushSchema = z.strictObject({
  text: z.string().min(1).max(PROMPT_CHARS),
  /** The exercise's title, when the prompt is one. */
  title: z.string().min(1).max(120).optional(),
});

/** One exercise of seeds/workshop-exercises: a prompt the trainer pushes to the room in one click. */
export const workshopExerciseSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]{1,64}$/),
  title: z.string().min(1).max(120),
  /** For the trainer: what the exercise shows, what to look for in the answers. */
  goal: z.string().min(1).max(500),
  /** What participants get, ready to send to the model. */
  prompt: z.string().min(1).max(PROMPT_CHARS),
});

export const workshopExerciseSetSchema = z.strictObject({
  format: z.literal('enclave.workshop-exercises'),
  name: z.string().min(1).max(120),
  language: z.enum(['fr', 'en']),
  exercises: z.array(workshopExerciseSchema).min(1).max(100),
});
export type WorkshopExercise = z.infer<typeof workshopExerciseSchema>;
export type WorkshopExerciseSet = z.infer<typeof workshopExerciseSetSchema>;

export interface LanInterface {
  name: string;
  address: string;
  family: 'IPv4' | 'IPv6';
}

export interface WorkshopParticipant {
  id: string;
  name: string;
  joinedAt: string;
  answers: number;
  tokens: number;
  state: 'idle' | 'waiting' | 'generating';
  /** Place in the queue (1: next), while waiting. */
  position: number | null;
}

export interface WorkshopStatus {
  state: 'off' | 'open';
  /** The address participants open, e.g. http://192.168.1.20:5180 */
  url: string | null;
  joinCode: string | null;
  /** The QR code of `url`, as rows of dark (true) and light modules. */
  qr: boolean[][] | null;
  participants: WorkshopParticipant[];
  /** Whose answers the engine is generating now (several share the model in a workshop); empty when idle. */
  running: WorkshopCaller[];
  waiting: number;
  /** Over the last minute: answers finished and generated tokens per second. */
  throughput: { answers: number; tokensPerSecond: number };
  /** What participants were last sent (null: nothing yet in this room). */
  pushed: WorkshopPush | null;
  /** The models participants may use (empty while off). */
  modelIds: string[];
  /** The collections shared with the room (null: none, or off). */
  documents: RoomDocuments | null;
  /** How long participants keep their window to download their conversations once removed or the room closed. */
  graceMs: number;
}

/** Who a job in the chat queue is for, as the console names it (translated by kind). */
export type WorkshopCaller = { kind: 'participant'; name: string } | { kind: 'app' | 'api' | 'compare' | 'other' };

/** A prompt or exercise the trainer sent to everyone. */
export interface WorkshopPush {
  text: string;
  title?: string;
  at: string;
}

/** The room is over for a participant: why, and when their conversations are deleted. */
export interface WorkshopEnding {
  reason: 'closed' | 'removed';
  deleteAt: string;
}

/** What a participant's own window knows of the workshop. */
export interface WorkshopMe {
  name: string;
  pushed: WorkshopPush | null;
  /** Null while they are in the room. */
  ending: WorkshopEnding | null;
  /** The models the trainer offers the room, the first one chosen for them. */
  modelIds: string[];
  /** The collections their questions are answered from (shared by the trainer, read-only); null: none. */
  documents: RoomDocuments | null;
}

/** The trainer's console; workshop.me is a participant's own (the trainer gets FORBIDDEN). */
export const workshopCommandSchemas = {
  'workshop.status': z.strictObject({}),
  'workshop.interfaces': z.strictObject({}),
  'workshop.start': workshopOpenSchema,
  'workshop.stop': z.strictObject({}),
  'workshop.remove': z.strictObject({ participantId: idSchema }),
  'workshop.reset': z.strictObject({}),
  'workshop.push': workshopPushSchema,
  'workshop.me': z.strictObject({}),
  /** A participant whose room ended leaves now (their conversations downloaded) instead of at the end of the grace period. */
  'workshop.leave': z.strictObject({}),
  'workshop.exercises': z.strictObject({}),
} as const;

export interface WorkshopCommandResults {
  'workshop.status': WorkshopStatus;
  'workshop.interfaces': LanInterface[];
  'workshop.start': WorkshopStatus;
  'workshop.stop': WorkshopStatus;
  'workshop.remove': WorkshopStatus;
  'workshop.reset': WorkshopStatus;
  'workshop.push': WorkshopStatus;
  'workshop.me': WorkshopMe;
  'workshop.leave': { left: true };
  'workshop.exercises': WorkshopExerciseSet[];
}

export interface WorkshopEventPayloads {
  /** The room for the trainer's console (about twice a second at most). */
  'workshop.status': WorkshopStatus;
  /** A prompt the trainer pushed to everyone. */
  'workshop.pushed': WorkshopPush;
  /** The room ended for these participants (each participant's window gets its own id only). */
  'workshop.ended': WorkshopEnding & { participantIds: string[] };
}
