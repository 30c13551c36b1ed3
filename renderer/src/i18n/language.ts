/** The interface languages, and how the first one is chosen. No DOM here. */
export const LANGUAGES = ['en', 'fr'] as const;
export type Language = (typeof LANGUAGES)[number];

export const LANGUAGE_STORAGE_KEY = 'enclave.language';

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** The remembered choice if any, else French for a French-speaking system, else English. */
export function pickLanguage(stored: string | null, systemLanguage: string | undefined): Language {
  if (isLanguage(stored)) return stored;
  return systemLanguage?.toLowerCase().startsWith('fr') === true ? 'fr' : 'en';
}
