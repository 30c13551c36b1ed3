import { useTranslation } from 'react-i18next';
import './workshop.css';

const STEPS = ['share', 'join', 'private', 'queue'] as const;

/** The trainer console's sidebar: how a workshop goes, in four lines. */
export function WorkshopSidebar() {
  const { t } = useTranslation();
  return (
    <section className="workshop-sidebar" aria-labelledby="workshop-steps">
      <h2 id="workshop-steps">{t('workshop.steps.title')}</h2>
      <ol>
        {STEPS.map((step) => (
          <li key={step}>{t(`workshop.steps.${step}`)}</li>
        ))}
      </ol>
    </section>
  );
}
