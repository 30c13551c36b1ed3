import { useTranslation } from 'react-i18next';
import { isErrorCode, isErrorReason, type ErrorPayload } from '#shared/errors.ts';
import { errorFacts } from './error-facts.ts';

/**
 * An error as a user reads it, all in the interface's language: the headline for its code, the
 * line for its reason when the host gave one, and behind "Details" the facts that matter (a
 * folder, a size) with the host's technical message last, for whoever helps.
 */
export function ErrorExplanation({ error }: { error: Pick<ErrorPayload, 'code' | 'message' | 'details'> }) {
  const { t, i18n } = useTranslation();
  const reason = error.details?.reason;
  const facts = errorFacts(error.details, i18n.language);
  return (
    <>
      <p className="error-title">{t(`errors.${isErrorCode(error.code) ? error.code : 'INTERNAL'}`)}</p>
      {isErrorReason(reason) && (
        <p className="error-reason" data-testid="error-reason">
          {t(`errorReasons.${reason}`)}
        </p>
      )}
      {(facts.length > 0 || error.message !== '') && (
        <details className="error-details" data-testid="error-details">
          <summary>{t('errorBanner.details')}</summary>
          <dl className="error-facts">
            {facts.map((fact) => (
              <div key={fact.label}>
                <dt>{t(`errorFacts.${fact.label}`)}</dt>
                <dd>{fact.value}</dd>
              </div>
            ))}
            {error.message !== '' && (
              <div className="error-technical">
                <dt>{t('errorFacts.technical')}</dt>
                <dd>
                  <code>{error.message}</code>
                </dd>
              </div>
            )}
          </dl>
        </details>
      )}
    </>
  );
}
