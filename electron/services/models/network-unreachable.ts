/** The one place "the model host cannot be reached" (no network, no name resolution) becomes the contract's NETWORK_UNREACHABLE. */
import { EnclaveError } from '#shared/errors.ts';

/** No route, no interface, no DNS answer, or nothing listening: the host is out of reach, not misbehaving. */
const UNREACHABLE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN', 'ECONNREFUSED']);

/** Whether this error, one it wraps (fetch's "fetch failed"), or one of an AggregateError's, says the host cannot be reached. */
export function isNetworkUnreachable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 5) return false;
  if (error instanceof EnclaveError) return error.code === 'NETWORK_UNREACHABLE';
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true;
  const inner = (error as { errors?: unknown }).errors;
  if (Array.isArray(inner) && inner.some((each) => isNetworkUnreachable(each, depth + 1))) return true;
  return isNetworkUnreachable((error as { cause?: unknown }).cause, depth + 1);
}

/** NETWORK_UNREACHABLE naming the host of `url` when given, or null for any other error. */
export function networkUnreachableError(error: unknown, url?: string): EnclaveError | null {
  if (!isNetworkUnreachable(error)) return null;
  if (error instanceof EnclaveError) return error;
  const host = url === undefined ? 'the model host' : hostOf(url);
  return new EnclaveError('NETWORK_UNREACHABLE', `${host} cannot be reached: ${error instanceof Error ? error.message : String(error)}`, url === undefined ? {} : { host });
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url.slice(0, 200);
  }
}
