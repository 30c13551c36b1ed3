/** The egress log as the renderer sees it (written by electron/services/egress.ts). */
export type EgressPurpose = 'model-download' | 'model-metadata';
export type EgressOutcome = 'allowed' | 'blocked-offline' | 'blocked-host' | 'blocked-not-user-initiated' | 'completed' | 'failed' | 'cancelled';

export interface EgressLogEntry {
  /** ISO 8601. */
  time: string;
  host: string;
  url: string;
  purpose: EgressPurpose;
  outcome: EgressOutcome;
  detail?: string;
}

/** Outcomes after which nothing was sent. */
export const BLOCKED_OUTCOMES: readonly EgressOutcome[] = ['blocked-offline', 'blocked-host', 'blocked-not-user-initiated'];
