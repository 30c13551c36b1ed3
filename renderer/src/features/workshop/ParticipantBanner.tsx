import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RoomDocuments, WorkshopEnding, WorkshopPush } from '#shared/workshop.ts';
import { useApi } from '../../api/react.tsx';
import { useActions, useAppSelector } from '../../state/react.tsx';
import { saveFile } from '../chat/transfer.ts';
import './workshop.css';

/** A workshop participant's strip above the chat: who they are, the trainer's latest prompt, and the end of the room. */
export function ParticipantBanner({ name }: { name: string }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const { setDraft } = useActions().chat;
  const { setRoom, setLocale } = useActions().documents;
  const [shared, setShared] = useState<RoomDocuments | null>(null);
  const language = i18n.language === 'fr' ? 'fr' : 'en';
  useEffect(() => setLocale(language), [setLocale, language]);
  const { selectModel } = useActions().models;
  const chosen = useAppSelector((s) => s.models.selectedId);
  const [offered, setOffered] = useState<string[]>([]);
  const [pushed, setPushed] = useState<WorkshopPush | null>(null);
  const [dismissed, setDismissed] = useState<string | null>(null);
  const [ending, setEnding] = useState<WorkshopEnding | null>(null);

  useEffect(() => {
    api.call('workshop.me', {}).then(
      (me) => {
        setPushed((current) => current ?? me.pushed);
        setEnding((current) => current ?? me.ending);
        setOffered(me.modelIds);
        setShared(me.documents);
        setRoom(me.documents === null ? null : { collectionIds: me.documents.collections.map((collection) => collection.id), only: me.documents.only });
      },
      () => undefined,
    );
    const offs = [api.on('workshop.pushed', setPushed), api.on('workshop.ended', ({ reason, deleteAt }) => setEnding({ reason, deleteAt }))];
    return () => offs.forEach((off) => off());
  }, [api, setRoom]);

  // They start ready: the trainer's first model is chosen for them.
  const first = offered[0];
  useEffect(() => {
    if (first !== undefined && (chosen === null || !offered.includes(chosen))) selectModel(first);
  }, [first, chosen, offered, selectModel]);

  if (ending !== null) return <RoomEnded ending={ending} />;
  const shown = pushed !== null && pushed.at !== dismissed ? pushed : null;
  return (
    <div className="workshop-banner" data-testid="participant-banner">
      <p>{t('workshop.participant.joinedAs', { name })}</p>
      {shared !== null && shared.collections.length > 0 && (
        <p className="muted" data-testid="participant-documents">
          {t(shared.only ? 'workshop.participant.documentsOnly' : 'workshop.participant.documents', { names: shared.collections.map((collection) => collection.name).join(', ') })}
        </p>
      )}
      {shown !== null && (
        <div className="workshop-pushed" data-testid="participant-pushed">
          <div className="workshop-pushed-head">
            <strong>{shown.title === undefined ? t('workshop.participant.fromTrainer') : t('workshop.participant.exercise', { title: shown.title })}</strong>
            <button
              type="button"
              className="icon-button"
              onClick={() => setDismissed(shown.at)}
              aria-label={t('workshop.participant.dismissPrompt')}
              title={t('workshop.participant.dismissPrompt')}
              data-testid="participant-dismiss-prompt"
            >
              ×
            </button>
          </div>
          <p>{shown.text}</p>
          <button type="button" className="button button-quiet" onClick={() => setDraft(shown.text)} data-testid="participant-use-prompt">
            {t('workshop.participant.usePrompt')}
          </button>
        </div>
      )}
    </div>
  );
}

/** The room is over: the participant's conversations can still be downloaded until they are deleted. */
function RoomEnded({ ending }: { ending: WorkshopEnding }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const { exportAll } = useActions().conversations;
  const gone = useAppSelector((s) => s.host.connection === 'ended');
  const time = new Date(ending.deleteAt).toLocaleTimeString(i18n.language, { hour: '2-digit', minute: '2-digit' });
  return (
    <div className="workshop-banner workshop-ended" role="alert" data-testid="participant-ended" data-reason={ending.reason}>
      <strong>{t(`workshop.participant.ended.${ending.reason}`)}</strong>
      {gone ? (
        <p data-testid="participant-left">{t('workshop.participant.left')}</p>
      ) : (
        <>
          <p>{t('workshop.participant.endedDetail', { time })}</p>
          <div className="workshop-actions">
            <button type="button" className="button button-primary" onClick={() => void exportAll().then((file) => file !== null && saveFile(file))} data-testid="participant-download">
              {t('workshop.participant.download')}
            </button>
            <button type="button" className="button button-quiet" onClick={() => void api.call('workshop.leave', {}).catch(() => undefined)} data-testid="participant-leave">
              {t('workshop.participant.leave')}
            </button>
          </div>
        </>
      )}
    </div>
  );
}
