import { useTranslation } from 'react-i18next';
import { formatDuration } from '../../i18n/format.ts';

/**
 * What a reasoning model (DeepSeek-R1, Qwen3 thinking) wrote before its answer, kept apart from
 * it: open while it streams, collapsed once the answer is there, with how long it took. Plain
 * text: it is the model's scratch work, not a document.
 */
export function Reasoning({ text, durationMs, streaming = false }: { text: string; durationMs?: number | undefined; streaming?: boolean }) {
  const { t, i18n } = useTranslation();
  const summary = streaming ? t('chat.reasoning.streaming') : durationMs === undefined ? t('chat.reasoning.done') : t('chat.reasoning.doneIn', { duration: formatDuration(i18n.language, durationMs) });
  return (
    <details className="reasoning" data-testid="reasoning" open={streaming}>
      <summary data-testid="reasoning-summary">{summary}</summary>
      <div className="reasoning-text" data-testid="reasoning-text">
        {text}
      </div>
    </details>
  );
}
