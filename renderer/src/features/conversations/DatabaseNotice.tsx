import { useTranslation } from 'react-i18next';
import { useActions, useAppState } from '../../state/react.tsx';

/** Tells the user when the conversations file was unreadable and set aside, or answers were cut off. */
export function DatabaseNotice() {
  const { t, i18n } = useTranslation();
  const database = useAppState((s) => s.database);
  const { dismissDatabaseNotice } = useActions();
  if (database === null || (database.quarantinedAs === null && database.interrupted === 0)) return null;
  return (
    <div className="notice" role="status" data-testid="database-notice">
      {database.quarantinedAs !== null && (
        <p>
          {t('conversations.quarantined')} <code>{database.quarantinedAs}</code>
        </p>
      )}
      {database.interrupted > 0 && (
        <p>{t('conversations.interrupted', { count: database.interrupted, value: new Intl.NumberFormat(i18n.language).format(database.interrupted) })}</p>
      )}
      <button type="button" className="button button-quiet" onClick={dismissDatabaseNotice}>
        {t('errorBanner.dismiss')}
      </button>
    </div>
  );
}
