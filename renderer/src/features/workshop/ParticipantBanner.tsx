import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { WorkshopPush } from '#shared/workshop.ts';
import { useApi } from '../../api/react.tsx';
import { useActions } from '../../state/react.tsx';

/** A workshop participant's strip above the chat: who they are, and the trainer's latest prompt. */
export function ParticipantBanner({ name }: { name: string }) {
  const { t } = useTranslation();
  const api = useApi();
  const { setDraft } = useActions().chat;
  const [pushed, setPushed] = useState<WorkshopPush | null>(null);

  useEffect(() => {
    api.call('workshop.me', {}).then(
      (me) => setPushed((current) => current ?? me.pushed),
      () => undefined,
    );
    return api.on('workshop.pushed', setPushed);
  }, [api]);

  return (
    <div className="workshop-banner" data-testid="participant-banner">
      <p>{t('workshop.participant.joinedAs', { name })}</p>
      {pushed !== null && (
        <div className="workshop-pushed" data-testid="participant-pushed">
          <strong>{pushed.title === undefined ? t('workshop.participant.fromTrainer') : t('workshop.participant.exercise', { title: pushed.title })}</strong>
          <p>{pushed.text}</p>
          <button type="button" className="button button-quiet" onClick={() => setDraft(pushed.text)} data-testid="participant-use-prompt">
            {t('workshop.participant.usePrompt')}
          </button>
        </div>
      )}
    </div>
  );
}
