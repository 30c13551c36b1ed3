/**
 * When a failed download attempt is worth another try, how long to wait before it, and what the
 * user is told when it is not: the contract's error codes.
 */
import { EnclaveError } from '#shared/errors.ts';
import { diskFullError, isDiskFull } from '../disk-full.ts';
import { networkUnreachableError } from '../network-unreachable.ts';

export interface RetryPolicy {
  /** Tries per start or resume, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** No byte for this long counts as a stall: the transfer is restarted from the partial file. */
  stallMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, baseDelayMs: 1_000, maxDelayMs: 60_000, stallMs: 30_000 };

export class StallError extends Error {
  constructor(stallMs: number) {
    super(`no data for ${stallMs} ms`);
    this.name = 'StallError';
  }
}

export class HttpStatusError extends Error {
  readonly statusCode: number;
  constructor(statusCode: number, url: string) {
    super(`HTTP ${statusCode} for ${url}`);
    this.statusCode = statusCode;
  }
}

/** Exponential with a cap, then jittered into its upper half so parallel clients do not retry in step. */
export function backoffDelay(policy: RetryPolicy, retryNumber: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retryNumber - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Resolves after `ms`, or as soon as the signal aborts (a pause or cancel during a backoff). */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** Everything is worth another try except refusals, a full disk, a bad file and a missing one. */
export function isRetriable(error: unknown): boolean {
  if (enclaveCause(error) !== null) return false;
  if (isDiskFull(error)) return false;
  const status = (error as { statusCode?: unknown }).statusCode;
  return !(typeof status === 'number' && (status === 404 || status === 401 || status === 410));
}

/** The error a failed download from `url` reports: its typed cause, DISK_FULL, NETWORK_UNREACHABLE, or DOWNLOAD_FAILED. */
export function classifyFailure(error: unknown, url?: string): EnclaveError {
  const typed = enclaveCause(error);
  if (typed !== null) return typed;
  return diskFullError(error) ?? networkUnreachableError(error, url) ?? new EnclaveError('DOWNLOAD_FAILED', errorMessage(error));
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The typed error itself, or the one fetch wrapped ("fetch failed", cause: the gate's refusal). */
function enclaveCause(error: unknown): EnclaveError | null {
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    if (current instanceof EnclaveError) return current;
  }
  return null;
}
