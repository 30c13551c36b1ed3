import { useTranslation } from 'react-i18next';
import { isErrorCode } from '#shared/errors.ts';
import { useActions, useAppSelector } from '../state/react.tsx';

export function ErrorBanner() {
  const { t } = useTranslation();
  const shown = useAppSelector((s) => s.error.shown);
  const { dismissError } = useActions().error;
  if (shown === null) return null;
  const { code, message, details } = shown.error;
  const title = isErrorCode(code) ? t(`errors.${code}`) : t('errors.INTERNAL');
  const hasDetails = details !== undefined && Object.keys(details).length > 0;

  return (
    <div className="error-banner" role="alert" data-testid="error-banner" data-code={code} key={shown.seq}>
      <div className="error-body">
        <p className="error-title">{title}</p>
        {message !== '' && <p className="error-message">{message}</p>}
        {hasDetails && (
          <details className="error-details">
            <summary>{t('errorBanner.details')}</summary>
            <pre>{JSON.stringify(details, null, 2)}</pre>
          </details>
        )}
      </div>
      <button type="button" className="button button-quiet" onClick={dismissError}>
        {t('errorBanner.dismiss')}
      </button>
    </div>
  );
}
