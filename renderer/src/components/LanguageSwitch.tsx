import { useTranslation } from 'react-i18next';
import { LANGUAGES, isLanguage, setLanguage } from '../i18n/index.ts';

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <label className="language-switch">
      <span className="muted">{t('language.label')}</span>
      <select
        data-testid="language-switch"
        value={i18n.language}
        onChange={(event) => {
          const value = event.target.value;
          if (isLanguage(value)) void setLanguage(value);
        }}
      >
        {LANGUAGES.map((language) => (
          <option key={language} value={language} lang={language}>
            {t(`language.${language}`)}
          </option>
        ))}
      </select>
    </label>
  );
}
