/**
 * Errors that cross the contract boundary. The code is stable: the renderer translates it
 * (`errors.<code>` in its locale files), and `details.reason` when one of `ERROR_REASONS` says more
 * (`errorReasons.<reason>`); the other details (a folder, a size) are shown in the interface's
 * language. The message is English, for logs and developers, and stays behind "Details".
 */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'FORBIDDEN',
  'UNKNOWN_COMMAND',
  'NOT_FOUND',
  'MODEL_NOT_FOUND',
  'INVALID_MODEL',
  'MODEL_LOAD_FAILED',
  'BUSY',
  'ENGINE_CRASHED',
  'ENGINE_UNAVAILABLE',
  'GENERATION_FAILED',
  // Privacy and security (egress gate)
  'OFFLINE',
  // The model host cannot be reached: no network, or no name resolution
  'NETWORK_UNREACHABLE',
  'EGRESS_BLOCKED',
  'LINK_REFUSED',
  // Model downloads
  'DISK_FULL',
  'CHECKSUM_MISMATCH',
  'CHECKSUM_UNAVAILABLE',
  'DOWNLOAD_FAILED',
  // Model packs: a file of that name is already in the folder (never overwritten)
  'FILE_EXISTS',
  // Conversations
  'IMPORT_INVALID',
  // Workshop mode: a participant asked too often
  'RATE_LIMITED',
  // Workshop mode: the room closed, or the participant was removed (their window stays, read-only, for a grace period)
  'WORKSHOP_ENDED',
  // Comparison workbench
  'PROMPT_SET_INVALID',
  'VOTES_LOCKED',
  // A server (local API, workshop) could not open its port
  'PORT_IN_USE',
  'LISTEN_FAILED',
  // Inference servers used as engines
  'SERVER_EXISTS',
  'SERVER_PUBLIC_ADDRESS',
  'SERVER_UNREACHABLE',
  'SERVER_UNAUTHORIZED',
  'SERVER_CERTIFICATE',
  'SERVER_TIMEOUT',
  /** 503 or 429 still after the tries: overloaded, or still loading its model. */
  'SERVER_BUSY',
  /** 404 to an answer: the server has no such model (any more). */
  'SERVER_MODEL_MISSING',
  'SERVER_FAILED',
  // Documents: a file whose text could not be read (details.reason says why)
  'DOCUMENT_UNREADABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** What `details.reason` may name, where the code alone does not tell the user enough. */
export const ERROR_REASONS = [
  'answer-running',
  'queue-full',
  'json',
  'shape',
  'no-folder',
  'not-a-folder',
  'system-folder',
  'not-writable',
  'relative-path',
  'no-pack-manifest',
  'pack-manifest-not-json',
  'pack-manifest-invalid',
  'file-changed',
  'zip',
  'backup',
  'newer-backup',
  'unreadable',
  'document-damaged',
  'document-encrypted',
  'document-mismatch',
  'document-format',
  'document-no-text',
  'document-too-large',
  'folder-too-large',
] as const;

export type ErrorReason = (typeof ERROR_REASONS)[number];

export function isErrorReason(value: unknown): value is ErrorReason {
  return typeof value === 'string' && (ERROR_REASONS as readonly string[]).includes(value);
}

export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export class EnclaveError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'EnclaveError';
    this.code = code;
    this.details = details;
  }

  toPayload(): ErrorPayload {
    return this.details === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, details: this.details };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** Turns anything thrown into the wire shape, keeping typed errors as they are. */
export function toErrorPayload(error: unknown): ErrorPayload {
  if (error instanceof EnclaveError) return error.toPayload();
  if (isErrorPayload(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message };
}

export function isErrorPayload(value: unknown): value is ErrorPayload {
  return typeof value === 'object' && value !== null && isErrorCode((value as { code?: unknown }).code) && typeof (value as { message?: unknown }).message === 'string';
}
