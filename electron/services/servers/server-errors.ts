/** A failed request to a server, as an EnclaveError the renderer translates. */
import { EnclaveError } from '#shared/errors.ts';

/** OpenSSL's and Node's codes for a certificate that does not verify. */
const CERTIFICATE_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** What fetch threw (its cause holds the socket's error), as the error to report. */
export function connectionError(error: unknown, server: string): EnclaveError {
  if (error instanceof EnclaveError) return error;
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof EnclaveError) return cause;
  const code = String((cause as { code?: unknown } | undefined)?.code ?? (error as { code?: unknown }).code ?? '');
  const message = cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error);
  if (CERTIFICATE_CODES.has(code)) return new EnclaveError('SERVER_CERTIFICATE', `the certificate of ${server} does not verify: ${message}`, { server, reason: code });
  if ((error as { name?: unknown }).name === 'TimeoutError' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new EnclaveError('SERVER_TIMEOUT', `${server} did not answer in time`, { server });
  }
  return new EnclaveError('SERVER_UNREACHABLE', `${server} cannot be reached: ${message}`, { server, reason: code === '' ? message : code });
}

/** An HTTP answer that is not a success, with the server's own message when it gives one. */
export function statusError(status: number, body: string, server: string): EnclaveError {
  const detail = serverMessage(body);
  const details = { server, status, ...(detail === null ? {} : { detail }) };
  if (status === 401 || status === 403) return new EnclaveError('SERVER_UNAUTHORIZED', `${server} refused the API key (HTTP ${status})`, details);
  if (status === 503 || status === 429) {
    return new EnclaveError('SERVER_BUSY', `${server} is busy or still loading its model (HTTP ${status}${detail === null ? '' : `: ${detail}`})`, details);
  }
  return new EnclaveError('SERVER_FAILED', `${server} answered HTTP ${status}${detail === null ? '' : `: ${detail}`}`, details);
}

function serverMessage(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    const message = typeof parsed.error === 'string' ? parsed.error : (parsed.error?.message ?? parsed.message);
    return typeof message === 'string' ? message.slice(0, 300) : null;
  } catch {
    return body.trim() === '' ? null : body.trim().slice(0, 300);
  }
}
