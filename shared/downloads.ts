/** Model downloads as the renderer sees them: one job per model file, keyed by its file name. */
import type { ErrorPayload } from './errors.ts';

export const DOWNLOAD_STATES = ['queued', 'downloading', 'retrying', 'paused', 'verifying', 'done', 'failed', 'cancelled'] as const;
export type DownloadState = (typeof DOWNLOAD_STATES)[number];

export interface DownloadJob {
  /** The destination file name in the models folder; stable across restarts. */
  id: string;
  catalogId: string | null;
  quant: string | null;
  repo: string;
  file: string;
  state: DownloadState;
  downloadedBytes: number;
  /** 0 until the server has answered. */
  totalBytes: number;
  bytesPerSecond: number;
  /** null while unknown. */
  secondsLeft: number | null;
  /** 1 for the first try; grows with automatic retries. */
  attempt: number;
  error: ErrorPayload | null;
}
