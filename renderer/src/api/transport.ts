import type { EnclaveApi } from '#shared/contract.ts';

/**
 * The state of the link to the host. The Electron transport is always `open`; the WebSocket one
 * goes `connecting` → `open`, and `closed` while it waits to reconnect; `ended` when the host
 * closed it for good (a workshop participant whose room is over): no reconnect follows.
 */
export type ConnectionState = 'connecting' | 'open' | 'closed' | 'ended';

/** The contract's API plus what the renderer needs to know about the link itself. */
export interface Transport extends EnclaveApi {
  readonly kind: 'electron' | 'web';
  connectionState(): ConnectionState;
  /** Returns a function that removes the listener. */
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
  /**
   * Web host only: sends a file to the host (POST /uploads) and answers its upload id, for a
   * command that reads a file (the desktop app names the file's path instead, `pathForFile`).
   */
  upload?(file: File, onProgress: (sentBytes: number) => void, signal: AbortSignal): Promise<string>;
  /** Stops the transport for good: pending calls are rejected, no reconnect follows. */
  dispose(): void;
}
