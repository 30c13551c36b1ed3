import { useTranslation } from 'react-i18next';
import { useActions, useAppSelector } from '../../state/react.tsx';

/** Tells the user when the conversations file could not be used and was set aside, or answers were cut off. */
export function DatabaseNotice() {
  const { t } = useTranslation();
  const database = useAppSelector((s) => s.conversations.database);
  const { dismissDatabaseNotice } = useActions().conversations;
  if (database === null || (database.quarantined === null && database.interrupted === 0)) return null;
  return (
    <div className="notice" role="status" data-testid="database-notice">
      {database.quarantined !== null && (
        <p data-reason={database.quarantined.reason}>
          {database.quarantined.reason === 'corrupt' ? t('conversations.quarantined') : t('conversations.newerSchema')} <code>{database.quarantined.path}</code>
        </p>
      )}
      {database.interrupted > 0 && <p>{t('conversations.interrupted', { count: database.interrupted })}</p>}
      <button type="button" className="button button-quiet" onClick={dismissDatabaseNotice}>
        {t('errorBanner.dismiss')}
      </button>
    </div>
  );
}
