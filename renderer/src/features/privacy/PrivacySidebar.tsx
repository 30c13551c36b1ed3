import { useTranslation } from 'react-i18next';
import './privacy.css';

const GUARANTEES = ['local', 'noAccount', 'noTelemetry', 'downloads'] as const;

/** The Privacy page's sidebar: the guarantees, in short. */
export function PrivacySidebar() {
  const { t } = useTranslation();
  return (
    <section className="privacy-sidebar" aria-labelledby="privacy-guarantees">
      <h2 id="privacy-guarantees">{t('privacy.guarantees.title')}</h2>
      <ul>
        {GUARANTEES.map((key) => (
          <li key={key}>{t(`privacy.guarantees.${key}`)}</li>
        ))}
      </ul>
    </section>
  );
}
