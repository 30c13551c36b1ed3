/** The egress log as the renderer sees it (written by electron/services/egress.ts). */
/**
 * 'unattributed': a connection attempted while no user-started request was open (always refused).
 * 'renderer': a request from the desktop app's page that its session refused (it may reach only the app).
 */
export type EgressPurpose = 'model-download' | 'model-metadata' | 'unattributed' | 'renderer';
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
}

/** Outcomes after which nothing was sent. */
export const BLOCKED_OUTCOMES: readonly EgressOutcome[] = ['blocked-offline', 'blocked-host', 'blocked-not-user-initiated'];
