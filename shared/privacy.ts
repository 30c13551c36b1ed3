/** The egress log as the renderer sees it (written by electron/services/egress.ts). */
/** 'unattributed': a connection attempted while no user-started request was open (always refused). */
export type EgressPurpose = 'model-download' | 'model-metadata' | 'unattributed';
export type EgressOutcome = 'allowed' | 'blocked-offline' | 'blocked-host' | 'blocked-not-user-initiated' | 'completed' | 'failed' | 'cancelled';

export interface EgressLogEntry {
  /** ISO 8601. */
  time: string;
  host: string;
  url: string;
  purpose: EgressPurpose;
  outcome: EgressOutcome;
  /** 'connection': one new socket, checked by the connection-level gate; absent: one request (authorize). */
  level?: 'connection';
  detail?: string;
}

/** Outcomes after which nothing was sent. */
export const BLOCKED_OUTCOMES: readonly EgressOutcome[] = ['blocked-offline', 'blocked-host', 'blocked-not-user-initiated'];
