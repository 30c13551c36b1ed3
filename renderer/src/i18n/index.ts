/** The renderer's i18n: i18next with the React binding, French or English, remembered. */
import { initReactI18next } from 'react-i18next';
import { LANGUAGE_STORAGE_KEY, isLanguage, pickLanguage } from './language.ts';
import type { Language } from './language.ts';
import { createI18n } from './resources.ts';

export { LANGUAGES, isLanguage } from './language.ts';
export type { Language } from './language.ts';

function readStoredLanguage(): string | null {
  try {
    return window.localStorage.getItem(LANGUAGE_STORAGE_KEY);
  } catch {
    return null;
  }
}

export const i18n = createI18n(pickLanguage(readStoredLanguage(), navigator.language), [initReactI18next]);

function applyToDocument(language: string): void {
  document.documentElement.lang = language;
  document.title = i18n.t('app.name');
}

applyToDocument(i18n.language);
i18n.on('languageChanged', applyToDocument);

export function currentLanguage(): Language {
  return isLanguage(i18n.language) ? i18n.language : 'en';
}

export async function setLanguage(language: Language): Promise<void> {
  try {
    window.localStorage.setItem(LANGUAGE_STORAGE_KEY, language);
  } catch {
    // Storage can be off (private mode); the choice then lasts for this session.
  }
  await i18n.changeLanguage(language);
}
