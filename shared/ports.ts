/** The ports a user may give Enclave's servers (the local API, a workshop): above the privileged range. */
import { z } from 'zod';

export const MIN_USER_PORT = 1024;
export const MAX_PORT = 65535;

export const userPortSchema = z.number().int().min(MIN_USER_PORT).max(MAX_PORT);

export function isUserPort(value: number): boolean {
  return userPortSchema.safeParse(value).success;
}

/** A port typed by a person or given in the environment ("5171"), or null when it is not one. */
export function parseUserPort(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d{1,5}$/.test(trimmed)) return null;
  const port = Number(trimmed);
  return isUserPort(port) ? port : null;
}
