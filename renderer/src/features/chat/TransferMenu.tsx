import { useState } from 'react';
import type { ChangeEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { isLanguage } from '../../i18n/language.ts';
import { useActions, useAppSelector } from '../../state/react.tsx';
import { saveFile } from './transfer.ts';

/** Sidebar: export every conversation as one archive; import a ChatGPT data export. */
export function TransferMenu() {
  const { t } = useTranslation();
  const { exportAll, importChatGpt } = useActions().conversations;
  const [imported, setImported] = useState<number | null>(null);

  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (file === undefined) return;
    setImported(await importChatGpt(await file.text()));
  }

  return (
    <details className="transfer-menu">
      <summary>{t('conversations.transfer')}</summary>
      <button type="button" className="link-button" data-testid="export-all" onClick={() => void exportAll().then((file) => file !== null && saveFile(file))}>
        {t('conversations.exportAll')}
      </button>
      <label className="link-button">
        {t('conversations.importChatGpt')}
        <input type="file" accept=".json,application/json" data-testid="import-chatgpt" className="visually-hidden" onChange={(event) => void onFile(event)} />
      </label>
      {imported !== null && (
        <p className="muted" role="status" data-testid="import-result">
          {t('conversations.imported', { count: imported })}
        </p>
      )}
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
