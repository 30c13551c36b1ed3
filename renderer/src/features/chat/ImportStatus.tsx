import { useTranslation } from 'react-i18next';
import type { ImportSummary } from '#shared/conversations.ts';
import { importProgress } from '../../state/slices/conversation-import.ts';
import { useActions, useAppSelector } from '../../state/react.tsx';

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

type SummaryKey = `conversations.import.${
  'added' | 'restored' | 'stopped' | 'updated' | 'unchanged' | 'imagesOmitted' | 'toolBlocks' | 'partsDropped' | 'comparisons' | 'promptSets' | 'samplingPresets' | 'settings' | 'settingsLocked'}`;

/** One line per fact worth telling, most important first. */
export function summaryLines(summary: ImportSummary, say: (key: SummaryKey, count: number) => string): string[] {
  const { added, updated, unchanged } = summary.conversations;
  const lines = [say(summary.cancelled ? 'conversations.import.stopped' : summary.format === 'enclave.backup' ? 'conversations.import.restored' : 'conversations.import.added', added)];
  if (updated > 0) lines.push(say('conversations.import.updated', updated));
  if (unchanged > 0) lines.push(say('conversations.import.unchanged', unchanged));
  if (summary.imagesOmitted > 0) lines.push(say('conversations.import.imagesOmitted', summary.imagesOmitted));
  if (summary.toolBlocks > 0) lines.push(say('conversations.import.toolBlocks', summary.toolBlocks));
  if (summary.partsDropped > 0) lines.push(say('conversations.import.partsDropped', summary.partsDropped));
  const restored = summary.restored;
  if (restored !== undefined) {
    for (const key of ['comparisons', 'promptSets', 'samplingPresets', 'settings', 'settingsLocked'] as const) {
      if (restored[key] > 0) lines.push(say(`conversations.import.${key}`, restored[key]));
    }
  }
  return lines;
}
