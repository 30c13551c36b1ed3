import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LIMITS_COMPARE } from '../../../../shared/compare.ts';
import type { ConversationSummary } from '../../../../shared/conversations.ts';
import type { ErrorCode } from '../../../../shared/errors.ts';
import { toEnclaveError } from '../../api/errors.ts';
import { useApi } from '../../api/react.tsx';
import { compareView } from './compare-store.ts';
import { ModelChecklist } from './ModelChecklist.tsx';

/** Replays an imported ChatGPT conversation against local models, ChatGPT's answers as reference. */
export function ReplayPanel() {
  const { t } = useTranslation();
  const api = useApi();
  const [conversations, setConversations] = useState<ConversationSummary[]>([]);
  const [conversationId, setConversationId] = useState<string | null>(null);
  const [modelIds, setModelIds] = useState<string[]>([]);
  const [error, setError] = useState<ErrorCode | null>(null);
  const fail = (caught: unknown): void => setError(toEnclaveError(caught).code);
  useEffect(() => {
    api.call('conversations.list', {}).then((list) => setConversations(list.filter((conversation) => conversation.source === 'chatgpt')), fail);
  }, [api]);

  return (
    <section className="compare-replay" aria-labelledby="compare-replay-title">
      <h1 id="compare-replay-title">{t('compare.replayTitle')}</h1>
      <p className="muted">{t('compare.replayIntro')}</p>
      {error !== null && (
        <p className="compare-error" role="alert">
          {t(`errors.${error}`)}
        </p>
      )}
      {conversations.length === 0 ? (
        <p className="muted">{t('compare.noChatGpt')}</p>
      ) : (
        <fieldset className="compare-models">
          <legend>{t('compare.replayPick')}</legend>
          {conversations.map((conversation) => (
            <label key={conversation.id} className="compare-model">
              <input type="radio" name="replay-conversation" checked={conversationId === conversation.id} onChange={() => setConversationId(conversation.id)} />
              <span>{conversation.title}</span>
              <span className="muted">{t('compare.messages', { count: conversation.messageCount })}</span>
            </label>
          ))}
        </fieldset>
      )}
      <ModelChecklist selected={modelIds} onChange={setModelIds} max={LIMITS_COMPARE.maxModels - 1} />
      <button
        type="button"
        className="button button-primary"
        disabled={conversationId === null || modelIds.length === 0}
        onClick={() => conversationId !== null && api.call('compare.replay', { conversationId, modelIds }).then((run) => compareView.open(run.id), fail)}
      >
        {t('compare.replayStart')}
      </button>
    </section>
  );
}
