import { useTranslation } from 'react-i18next';
import { importProgress } from '../../state/slices/conversation-import.ts';
import { useActions, useAppSelector } from '../../state/react.tsx';
import { summaryLines } from './import-summary.ts';

/** An import under way (sending the file, then reading it, with a cancel) or what it brought. */
export function ImportStatus() {
  const { t, i18n } = useTranslation();
  const state = useAppSelector((s) => s.conversationImport);
  const { cancelImport, dismissImport } = useActions().conversationImport;
  if (state.phase === null) return null;
  const number = new Intl.NumberFormat(i18n.language);
  const percent = new Intl.NumberFormat(i18n.language, { style: 'percent' });
  if (state.phase === 'done' && state.summary !== null) {
    return (
      <div className="import-status" role="status" data-testid="import-result">
        {summaryLines(state.summary, (key, count) => t(key, { count, value: number.format(count) })).map((line) => (
          <p key={line}>{line}</p>
        ))}
        <button type="button" className="link-button" onClick={dismissImport}>
          {t('conversations.import.dismiss')}
        </button>
      </div>
    );
  }
  const share = importProgress(state);
  return (
    <div className="import-status" role="status" data-testid="import-progress">
      <p>
        {state.phase === 'uploading'
          ? t('conversations.import.uploading', { name: state.fileName, percent: percent.format(share) })
          : t('conversations.import.reading', { count: state.conversations, value: number.format(state.conversations), percent: percent.format(share) })}
      </p>
      <progress max={1} value={share} aria-label={t('conversations.import.progressLabel')} />
      <button type="button" className="button button-quiet" data-testid="import-cancel" onClick={cancelImport}>
        {t('conversations.import.cancel')}
      </button>
    </div>
  );
}
