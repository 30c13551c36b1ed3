import i18next from 'i18next';
import type { i18n, Module } from 'i18next';
import en from './en.json';
import fr from './fr.json';
import type { Language } from './language.ts';

export const resources = {
  en: { translation: en },
  fr: { translation: fr },
} as const;

/**
 * A fresh i18next instance with both locales loaded synchronously. The React binding is passed
 * in by the caller (i18n/index.ts), so this file also runs in plain Node tests.
 */
export function createI18n(language: Language, plugins: readonly Module[] = []): i18n {
  const instance = i18next.createInstance();
  for (const plugin of plugins) instance.use(plugin);
  void instance.init({
    resources,
    lng: language,
    fallbackLng: 'en',
    supportedLngs: ['en', 'fr'],
    initAsync: false,
    // React escapes what it renders; escaping here would double it.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return instance;
}
