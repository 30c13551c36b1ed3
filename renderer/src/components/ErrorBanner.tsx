import { useTranslation } from 'react-i18next';
import { useActions, useAppSelector } from '../state/react.tsx';
import { ErrorExplanation } from './ErrorExplanation.tsx';

export function ErrorBanner() {
  const { t } = useTranslation();
  const shown = useAppSelector((s) => s.error.shown);
  const { dismissError } = useActions().error;
  if (shown === null) return null;

  return (
    <div className="error-banner" role="alert" data-testid="error-banner" data-code={shown.error.code} key={shown.seq}>
      <div className="error-body">
        <ErrorExplanation error={shown.error} />
      </div>
      <button type="button" className="button button-quiet" onClick={dismissError}>
        {t('errorBanner.dismiss')}
      </button>
    </div>
  );
}
