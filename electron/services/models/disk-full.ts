/** The one place a full disk (ENOSPC, or a quota: EDQUOT) becomes the contract's DISK_FULL. */
import { EnclaveError } from '#shared/errors.ts';

const FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);

/** Whether this error, or one it wraps, is the file system saying there is no room left. */
export function isDiskFull(error: unknown): boolean {
  for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && FULL_CODES.has(code)) return true;
    if (current instanceof EnclaveError && current.code === 'DISK_FULL') return true;
    // Libraries that rethrow a plain Error keep the code only in the text (ipull's writes).
    if (current instanceof Error && /\b(ENOSPC|EDQUOT)\b/.test(current.message)) return true;
  }
  return false;
}

/** DISK_FULL for a full disk (details kept), or null for any other error. */
export function diskFullError(error: unknown, details: Record<string, unknown> = {}): EnclaveError | null {
  if (!isDiskFull(error)) return null;
  if (error instanceof EnclaveError && error.code === 'DISK_FULL') return error;
  return new EnclaveError('DISK_FULL', `the disk is full: ${error instanceof Error ? error.message : String(error)}`, details);
}
