import { useTranslation } from 'react-i18next';
import type { GenerationStats } from '#shared/chat.ts';
import { formatDuration, formatRate } from '../../i18n/format.ts';

export function AnswerStats({ stats, loadMs }: { stats: GenerationStats; loadMs: number | null }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const na = t('stats.notAvailable');
  const parts: { key: string; text: string; title?: string }[] = [
    {
      key: 'speed',
      text: t('stats.speed', {
        value: stats.tokensPerSecond !== null ? formatRate(lang, stats.tokensPerSecond) : na,
      }),
    },
    {
      key: 'ttft',
      text: t('stats.firstToken', {
        value: stats.timeToFirstTokenMs !== null ? formatDuration(lang, stats.timeToFirstTokenMs) : na,
      }),
    },
    { key: 'tokens', text: t('stats.tokens', { count: stats.tokens }) },
    { key: 'duration', text: t('stats.duration', { value: formatDuration(lang, stats.durationMs) }) },
  ];
  if (stats.draftTokens !== undefined && stats.draftTokens.drafted > 0) parts.push({ key: 'drafts', text: t('stats.drafts', stats.draftTokens) });
  // The answer went on without its draft model; the detail (which token differs, the loader's message) is in the tooltip.
  if (stats.draftRefused !== undefined) {
    parts.push({ key: 'draft-refused', text: t(stats.draftRefused.code === 'INVALID_MODEL' ? 'stats.draftRefusedVocabulary' : 'stats.draftRefusedLoad'), title: stats.draftRefused.message });
  }
  if (loadMs !== null) parts.push({ key: 'load', text: t('stats.load', { value: formatDuration(lang, loadMs) }) });
  parts.push({ key: 'stop', text: t(`stats.stopReason.${stats.stopReason}`) });

  return (
    <p className="answer-stats" data-testid="answer-stats" data-tokens={stats.tokens} data-stop-reason={stats.stopReason} aria-label={t('stats.label')}>
      {parts.map((part) => (
        <span key={part.key} className={`stat stat-${part.key}`} title={part.title}>
          {part.text}
        </span>
      ))}
    </p>
  );
}
