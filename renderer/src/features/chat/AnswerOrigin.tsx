import { useTranslation } from 'react-i18next';
import { answerOrigin } from '#shared/servers.ts';

/** Where an answer was computed, from the model id saved with it (still true once its server is removed). */
export function AnswerOriginNote({ modelId }: { modelId: string }) {
  const { t } = useTranslation();
  const origin = answerOrigin(modelId);
  return (
    <p className={`answer-origin answer-origin-${origin.where}`} data-testid="answer-origin" data-where={origin.where}>
      {origin.where === 'local' ? t('chat.computedHere') : t('chat.computedOnServer', { server: origin.server })}
    </p>
  );
}
