/**
 * The details of an error worth showing a user, in the interface's language: a folder, a file, a
 * size, a wait. Other details (schema issues, ids) are for developers and stay out.
 */
import { formatBytes, formatDuration } from '../i18n/format.ts';

export const ERROR_FACT_LABELS = ['folder', 'file', 'path', 'host', 'needed', 'free', 'retryAfter', 'expected', 'actual'] as const;
export type ErrorFactLabel = (typeof ERROR_FACT_LABELS)[number];

export interface ErrorFact {
  label: ErrorFactLabel;
  value: string;
}

type Reader = (value: unknown, language: string) => string | null;

const text: Reader = (value) => (typeof value === 'string' && value !== '' ? value : null);
const bytes: Reader = (value, language) => (typeof value === 'number' && Number.isFinite(value) ? formatBytes(language, value) : null);
const duration: Reader = (value, language) => (typeof value === 'number' && Number.isFinite(value) ? formatDuration(language, value) : null);

/** Which detail key gives which fact, in the order they are shown. */
const READERS: readonly [key: string, label: ErrorFactLabel, read: Reader][] = [
  ['folder', 'folder', text],
  ['path', 'path', text],
  ['file', 'file', text],
  ['host', 'host', text],
  ['neededBytes', 'needed', bytes],
  ['freeBytes', 'free', bytes],
  ['retryAfterMs', 'retryAfter', duration],
  ['expected', 'expected', text],
  ['actual', 'actual', text],
];

export function errorFacts(details: Readonly<Record<string, unknown>> | undefined, language: string): ErrorFact[] {
  if (details === undefined) return [];
  const facts: ErrorFact[] = [];
  for (const [key, label, read] of READERS) {
    const value = read(details[key], language);
    if (value !== null) facts.push({ label, value });
  }
  return facts;
}
