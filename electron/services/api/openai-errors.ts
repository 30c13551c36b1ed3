/** Errors in OpenAI's shape (`{error: {message, type, param, code}}`) with the status OpenAI would use. */
import type { ErrorCode, ErrorPayload } from '#shared/errors.ts';

export interface OpenAiError {
  status: number;
  body: { error: { message: string; type: string; param: string | null; code: string | null } };
}

export function openAiError(status: number, message: string, code: string | null, param: string | null = null): OpenAiError {
  const type = status === 401 ? 'authentication_error' : status === 429 ? 'rate_limit_error' : status >= 500 ? 'server_error' : 'invalid_request_error';
  return { status, body: { error: { message, type, param, code } } };
}

export function fromEnclaveError(error: ErrorPayload): OpenAiError {
  return openAiError(statusOf(error.code), error.message, codeOf(error.code));
}

function statusOf(code: ErrorCode): number {
  switch (code) {
    case 'MODEL_NOT_FOUND':
    case 'NOT_FOUND':
    case 'UNKNOWN_COMMAND':
      return 404;
    case 'BAD_REQUEST':
    case 'INVALID_MODEL':
    case 'IMPORT_INVALID':
    case 'PROMPT_SET_INVALID':
    case 'VOTES_LOCKED':
    case 'DOCUMENT_UNREADABLE':
      return 400;
    case 'FORBIDDEN':
    case 'LINK_REFUSED':
    case 'OFFLINE':
    case 'EGRESS_BLOCKED':
    case 'WORKSHOP_ENDED':
      return 403;
    case 'FILE_EXISTS':
    case 'SERVER_EXISTS':
      return 409;
    case 'SERVER_PUBLIC_ADDRESS':
      return 403;
    case 'BUSY':
    case 'RATE_LIMITED':
      return 429;
    case 'ENGINE_CRASHED':
    case 'ENGINE_UNAVAILABLE':
    case 'MODEL_LOAD_FAILED':
    case 'NETWORK_UNREACHABLE':
      return 503;
    case 'SERVER_UNREACHABLE':
    case 'SERVER_UNAUTHORIZED':
    case 'SERVER_CERTIFICATE':
    case 'SERVER_FAILED':
      return 502;
    case 'SERVER_TIMEOUT':
      return 504;
    case 'SERVER_BUSY':
      return 503;
    case 'SERVER_MODEL_MISSING':
      return 404;
    case 'GENERATION_FAILED':
    case 'DISK_FULL':
    case 'CHECKSUM_MISMATCH':
    case 'CHECKSUM_UNAVAILABLE':
    case 'DOWNLOAD_FAILED':
    case 'PORT_IN_USE':
    case 'LISTEN_FAILED':
    case 'INTERNAL':
      return 500;
    default:
      throw new Error(`unknown error code ${String(code satisfies never)}`);
  }
}

function codeOf(code: ErrorCode): string {
  return code === 'MODEL_NOT_FOUND' || code === 'SERVER_MODEL_MISSING' ? 'model_not_found' : code.toLowerCase();
}
