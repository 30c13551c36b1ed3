import type { ChangeEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { isLanguage } from '../../i18n/language.ts';
import { useActions, useAppSelector } from '../../state/react.tsx';
import { ImportStatus } from './ImportStatus.tsx';
import { saveFile } from './transfer.ts';

/** Sidebar: a full backup and its restore; every conversation as one archive; a ChatGPT data export (the .zip as delivered, or its conversations.json) imported. */
export function TransferMenu() {
  const { t, i18n } = useTranslation();
  const { exportAll, backup } = useActions().conversations;
  const { importFile } = useActions().conversationImport;
  const importing = useAppSelector((s) => s.conversationImport.phase);
  const busy = importing === 'uploading' || importing === 'importing';

  function onFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (file !== undefined) void importFile(file, isLanguage(i18n.language) ? i18n.language : 'en');
  }

  return (
    <details
      className="transfer-menu"
      open={importing !== null ? true : undefined}
      // Below a list that fills the sidebar, the opened menu would be out of sight on a short window.
      onToggle={(event) => event.currentTarget.open && event.currentTarget.scrollIntoView({ block: 'nearest' })}
    >
      <summary>{t('conversations.transfer')}</summary>
      <div className="transfer-actions">
        <button type="button" className="link-button" data-testid="backup" onClick={() => void backup().then((file) => file !== null && saveFile(file))}>
          {t('conversations.backup')}
        </button>
        <label className="link-button" aria-disabled={busy}>
          {t('conversations.restore')}
          <input type="file" accept=".zip,application/zip" data-testid="restore-backup" className="visually-hidden" disabled={busy} onChange={onFile} />
        </label>
        <button type="button" className="link-button" data-testid="export-all" onClick={() => void exportAll().then((file) => file !== null && saveFile(file))}>
          {t('conversations.exportAll')}
        </button>
        <label className="link-button" aria-disabled={busy}>
          {t('conversations.importChatGpt')}
          <input type="file" accept=".zip,.json,application/zip,application/json" data-testid="import-chatgpt" className="visually-hidden" disabled={busy} onChange={onFile} />
        </label>
        <ImportStatus />
      </div>
    </details>
  );
}

/** Chat header: the open conversation as Markdown (headings in the interface language) or JSON. */
export function ExportButtons() {
  const { t, i18n } = useTranslation();
  const saved = useAppSelector((s) => s.chat.conversation !== null);
  const { exportConversation } = useActions().chat;
  if (!saved) return null;
  const locale = isLanguage(i18n.language) ? i18n.language : 'en';
  const save = (format: 'markdown' | 'json') => void exportConversation(format, locale).then((file) => file !== null && saveFile(file));
  return (
    <span className="export-buttons">
      <button type="button" className="button button-quiet" data-testid="export-markdown" onClick={() => save('markdown')} title={t('conversations.exportMarkdown')}>
        {t('conversations.export')} .md
      </button>
      <button type="button" className="button button-quiet" data-testid="export-json" onClick={() => save('json')} title={t('conversations.exportJson')}>
        .json
      </button>
    </span>
  );
}
