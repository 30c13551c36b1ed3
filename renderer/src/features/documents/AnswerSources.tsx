import { useTranslation } from 'react-i18next';
import type { AnswerSource } from '#shared/chat.ts';

/** The numbered passages an answer cites: file and page, each opening to its quoted passage (plain text: a document is data). */
export function AnswerSources({ sources }: { sources: readonly AnswerSource[] }) {
  const { t } = useTranslation();
  if (sources.length === 0) return null;
  return (
    <section className="answer-sources" aria-label={t('documents.sources.title')} data-testid="answer-sources">
      <p className="answer-sources-title">{t('documents.sources.title')}</p>
      <ol>
        {sources.map((source) => (
          <li key={source.n} data-testid="answer-source" data-file={source.fileName} data-page={source.page ?? ''}>
            <details>
              <summary>
                <span className="answer-source-number">[{source.n}]</span> <span className="answer-source-file">{source.fileName}</span>
                {source.page !== null && <span className="muted"> · {t('documents.sources.page', { page: source.page })}</span>}
                {source.heading !== '' && <span className="muted"> · {source.heading}</span>}
              </summary>
              <blockquote className="answer-source-passage" data-testid="answer-source-passage">
                {source.passage}
              </blockquote>
            </details>
          </li>
        ))}
      </ol>
    </section>
  );
}
