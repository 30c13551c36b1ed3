/** How a catalog entry reads in the UI's language: its French note, language and country names. */
import type { CatalogEntry } from '#shared/catalog.ts';

const displayNames = new Map<string, Intl.DisplayNames>();

function names(uiLanguage: string, type: 'language' | 'region'): Intl.DisplayNames {
  const key = `${uiLanguage}|${type}`;
  let found = displayNames.get(key);
  if (found === undefined) {
    found = new Intl.DisplayNames([uiLanguage], { type, fallback: 'code' });
    displayNames.set(key, found);
  }
  return found;
}

/** "fr" → "French" in an English UI, "français" in a French one; the code itself when unknown. */
export function languageName(uiLanguage: string, code: string): string {
  return names(uiLanguage, 'language').of(code) ?? code;
}

/** "FR" → "France", "CN" → "Chine"... */
export function countryName(uiLanguage: string, code: string): string {
  return names(uiLanguage, 'region').of(code) ?? code;
}

/** The note on French quality written in the UI's language (French for fr-*, English otherwise). */
export function frenchNote(entry: Pick<CatalogEntry, 'frenchNote'>, uiLanguage: string): string {
  return uiLanguage.toLowerCase().startsWith('fr') ? entry.frenchNote.fr : entry.frenchNote.en;
}
