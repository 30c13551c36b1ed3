import { EnclaveError, isErrorCode, isErrorPayload } from '#shared/errors.ts';
import type { ErrorPayload } from '#shared/errors.ts';

/**
 * Every rejection the api client produces is an `EnclaveError` (from shared/), which carries the
 * wire `ErrorPayload`: `code`, `message`, `details`, and `toPayload()`.
 */
export function toEnclaveError(error: unknown): EnclaveError {
  if (error instanceof EnclaveError) return error;
  if (isErrorPayload(error)) return fromPayload(error);
  if (typeof error === 'object' && error !== null) {
    // An Error-like object that carries a payload or a code of its own (an IPC rejection, say).
    const carried = (error as { payload?: unknown }).payload;
    if (isErrorPayload(carried)) return fromPayload(carried);
    const code = (error as { code?: unknown }).code;
    const message = (error as { message?: unknown }).message;
    if (isErrorCode(code)) {
      return new EnclaveError(code, typeof message === 'string' ? message : code);
    }
    if (typeof message === 'string') return new EnclaveError('INTERNAL', message);
  }
  return new EnclaveError('INTERNAL', String(error));
}

export function fromPayload(payload: ErrorPayload): EnclaveError {
  return new EnclaveError(payload.code, payload.message, payload.details);
}
