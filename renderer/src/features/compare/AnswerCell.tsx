import { useTranslation } from 'react-i18next';
import type { CompareAnswer, CompareColumn } from '#shared/compare.ts';
import { formatBytes, formatDuration, formatRate } from '../../i18n/format.ts';
import { Markdown } from '../chat/LazyMarkdown.tsx';
import { Reasoning } from '../chat/Reasoning.tsx';
import { AnswerSources } from '../documents/AnswerSources.tsx';
import { useAppSelector } from '../../state/react.tsx';
import { selectModelName } from '../../state/slices/models.ts';

const RATINGS = [1, 2, 3, 4, 5] as const;

/** One column's answer to one turn: its text, statistics and the user's rating. */
/** `blind`: the run's names are still hidden, so are the load time and memory (a 0 ms load tells which model was already loaded). */
export function AnswerCell({ column, answer, blind, onRate }: { column: CompareColumn; answer: CompareAnswer; blind: boolean; onRate(rating: number | null): void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const na = t('stats.notAvailable');
  const modelName = useAppSelector(selectModelName(column.modelId ?? ''));
  const name = column.reference ? t('compare.reference') : column.modelId === null ? t('compare.hidden') : modelName;
  const finished = answer.state !== 'pending' && answer.state !== 'generating';
  const stats = column.reference
    ? []
    : [
        t('compare.stat.firstToken', { value: answer.timeToFirstTokenMs === null ? na : formatDuration(lang, answer.timeToFirstTokenMs) }),
        t('compare.stat.speed', { value: answer.tokensPerSecond === null ? na : formatRate(lang, answer.tokensPerSecond) }),
        answer.tokens === null ? t('compare.stat.tokensUnknown', { value: na }) : t('compare.stat.tokens', { count: answer.tokens }),
        ...(blind
          ? []
          : [
              t('compare.stat.load', { value: answer.loadMs === null ? na : formatDuration(lang, answer.loadMs) }),
              t('compare.stat.memory', { value: answer.peakMemoryBytes === null ? na : formatBytes(lang, answer.peakMemoryBytes) }),
            ]),
      ];
  return (
    <article className={`compare-cell compare-cell-${answer.state}`} data-testid="compare-cell" data-column={column.label} data-state={answer.state}>
      <header className="compare-cell-header">
        <span className="compare-label">{column.reference ? 'ChatGPT' : column.label}</span>
        <span className="compare-model-name" data-testid="compare-model-name" title={column.reference ? undefined : (column.modelId ?? undefined)}>
          {name}
        </span>
      </header>
      {answer.reasoning !== null && <Reasoning text={answer.reasoning} />}
      <div className="compare-answer" data-testid="compare-answer">
        {answer.content === '' && !finished ? <p className="muted">{t(`compare.state.${answer.state}`)}</p> : <Markdown text={answer.content} />}
      </div>
      {finished && answer.state !== 'done' && (
        <p className="muted compare-cell-note">{answer.errorCode !== null ? t(`errors.${answer.errorCode}`, { defaultValue: answer.errorCode }) : t(`compare.state.${answer.state}`)}</p>
      )}
      {answer.state === 'done' &&
        answer.sources !== null &&
        (answer.sources.length > 0 ? (
          <AnswerSources sources={answer.sources} />
        ) : (
          <p className="muted compare-cell-note" data-testid="compare-no-sources">
            {t('compare.documents.noSources')}
          </p>
        ))}
      {stats.length > 0 && answer.state === 'done' && (
        <p className="answer-stats compare-stats" data-testid="compare-stats">
          {stats.map((text) => (
            <span key={text} className="stat">
              {text}
            </span>
          ))}
        </p>
      )}
      {finished && (
        <div className="compare-rating" role="group" aria-label={t('compare.rate')}>
          {RATINGS.map((rating) => (
            <button
              key={rating}
              type="button"
              className={`compare-star${answer.rating !== null && rating <= answer.rating ? ' compare-star-on' : ''}`}
              aria-pressed={answer.rating === rating}
              aria-label={t('compare.rateValue', { value: rating })}
              onClick={() => onRate(answer.rating === rating ? null : rating)}
            >
              ★
            </button>
          ))}
        </div>
      )}
    </article>
  );
}
