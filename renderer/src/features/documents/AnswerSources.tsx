import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AnswerSource } from '#shared/chat.ts';
import { DocumentView } from './DocumentView.tsx';
import './documents.css';

/** The numbered passages an answer cites: file and page, each opening its document at the passage (plain text: a document is data). */
export function AnswerSources({ sources }: { sources: readonly AnswerSource[] }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState<AnswerSource | null>(null);
  if (sources.length === 0) return null;
  return (
    <section className="answer-sources" aria-label={t('documents.sources.title')} data-testid="answer-sources">
      <p className="answer-sources-title">{t('documents.sources.title')}</p>
      <ol>
        {sources.map((source) => (
          <li key={source.n} data-testid="answer-source" data-file={source.fileName} data-page={source.page ?? ''}>
            <button type="button" className="answer-source-open" data-testid="answer-source-open" aria-haspopup="dialog" title={t('documents.sources.open')} onClick={() => setOpen(source)}>
              <span className="answer-source-number">[{source.n}]</span> <span className="answer-source-file">{source.fileName}</span>
              {source.page !== null && <span className="muted"> · {t('documents.sources.page', { page: source.page })}</span>}
              {source.heading !== '' && <span className="muted"> · {source.heading}</span>}
            </button>
          </li>
        ))}
      </ol>
      {open !== null && <DocumentView source={open} onClose={() => setOpen(null)} />}
    </section>
  );
}
