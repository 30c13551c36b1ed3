/** The egress log as the renderer sees it (written by electron/services/privacy/egress.ts). */
import { z } from 'zod';
import { openLinkSchema } from './links.ts';
import type { AnswerOrigin } from './servers.ts';
/**
 * 'unattributed': a connection attempted while no user-started request was open (always refused).
 * 'renderer': a request from the desktop app's page that its session refused (it may reach only the app).
 * 'server': a request to a configured inference server (its model list, an answer).
 */
export type EgressPurpose = 'model-download' | 'model-metadata' | 'server' | 'unattributed' | 'renderer';
export type EgressOutcome = 'allowed' | 'blocked-offline' | 'blocked-host' | 'blocked-not-user-initiated' | 'completed' | 'failed' | 'cancelled';

export interface EgressLogEntry {
  /** ISO 8601. */
  time: string;
  host: string;
  url: string;
  purpose: EgressPurpose;
  outcome: EgressOutcome;
  /**
   * 'request': one request, before it connects (`authorize`, or the page's request the shell
   * refused); 'connection': one new socket, checked by the connection-level gate. Entries written
   * before this field existed have none: they are requests.
   */
  level?: 'request' | 'connection';
  detail?: string;
  /** A server request's model. */
  model?: string;
  /** A server request's bodies, counted when it ends: how much text went out and came back, never the text. */
  bytesSent?: number;
  bytesReceived?: number;
}

/** Outcomes after which nothing was sent. */
export const BLOCKED_OUTCOMES: readonly EgressOutcome[] = ['blocked-offline', 'blocked-host', 'blocked-not-user-initiated'];

/** The answers saved in conversations that were computed in one place. */
export type AnswerOriginCount = AnswerOrigin & { answers: number };

/** Every network connection ever attempted, and links opened from untrusted text. */
export const privacyCommandSchemas = {
  'privacy.egressLog': z.strictObject({}),
  /** How many of the conversations' answers were computed on this computer and on each server. */
  'privacy.answerOrigins': z.strictObject({}),
  /** Re-checks the link; the desktop app opens it in the system browser, the web host answers opened: false (the browser opens it). */
  'links.open': openLinkSchema,
} as const;

export interface PrivacyCommandResults {
  'privacy.egressLog': EgressLogEntry[];
  /** This computer first, then the servers by their number of answers. */
  'privacy.answerOrigins': AnswerOriginCount[];
  'links.open': { opened: boolean };
}

export interface PrivacyEventPayloads {
  /** Each egress log entry as it is written, so the Privacy page never reads the whole log again. */
  'privacy.egress': EgressLogEntry;
}
