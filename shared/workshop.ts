/** Workshop mode (issue #7): one laptop serves a room of participants who only have a browser. */
import { z } from 'zod';

/** Generations one participant may start per minute. */
export const WORKSHOP_RATE_LIMIT = { answers: 10, windowMs: 60_000 } as const;

export const workshopOpenSchema = z.strictObject({
  /** One address of this machine's LAN interfaces (127.0.0.1 for a rehearsal on this machine). */
  address: z.union([z.ipv4(), z.ipv6()]),
  port: z.number().int().min(1024).max(65535),
});

export const workshopPushSchema = z.strictObject({ text: z.string().min(1).max(20_000) });

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
  /** Who holds the engine now: a participant's name, 'app' or 'api'; null when idle. */
  running: string | null;
  waiting: number;
  /** Over the last minute: answers finished and generated tokens per second. */
  throughput: { answers: number; tokensPerSecond: number };
}

/** A prompt or exercise the trainer sent to everyone. */
export interface WorkshopPush {
  text: string;
  at: string;
}

/** What a participant's own window knows of the workshop. */
export interface WorkshopMe {
  name: string;
  pushed: WorkshopPush | null;
}
