import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LIMITS_COMPARE } from '#shared/compare.ts';
import type { ConversationSummary } from '#shared/conversations.ts';
import type { ErrorCode } from '#shared/errors.ts';
import { toEnclaveError } from '../../api/errors.ts';
import { useApi } from '../../api/react.tsx';
import { useActions } from '../../state/react.tsx';
import { ModelChecklist } from './ModelChecklist.tsx';
import { ErrorNote } from '../../components/ErrorNote.tsx';

/** Replays imported ChatGPT conversations against local models (one run each), ChatGPT's answers as reference. */
export function ReplayPanel() {
  const { t } = useTranslation();
  const api = useApi();
  const { openRun } = useActions().compare;
  const [conversations, setConversations] = useState<ConversationSummary[]>([]);
  const [conversationIds, setConversationIds] = useState<string[]>([]);
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
      <ErrorNote code={error} />
      {conversations.length === 0 ? (
        <p className="muted">{t('compare.noChatGpt')}</p>
      ) : (
        <fieldset className="compare-models" data-testid="replay-conversations">
          <legend>{t('compare.replayPick', { max: LIMITS_COMPARE.maxReplayConversations })}</legend>
          {conversations.map((conversation) => (
            <label key={conversation.id} className="compare-model">
              <input
                type="checkbox"
                checked={conversationIds.includes(conversation.id)}
                disabled={!conversationIds.includes(conversation.id) && conversationIds.length >= LIMITS_COMPARE.maxReplayConversations}
                onChange={(event) => setConversationIds((ids) => (event.target.checked ? [...ids, conversation.id] : ids.filter((id) => id !== conversation.id)))}
              />
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
        disabled={conversationIds.length === 0 || modelIds.length === 0}
        onClick={() =>
          api.call('compare.replay', { conversationIds, modelIds }).then((runs) => {
            // One run per conversation, all in the sidebar; the first opens.
            if (runs[0] !== undefined) openRun(runs[0].id);
          }, fail)
        }
        data-testid="replay-start"
      >
        {t('compare.replayStart', { count: conversationIds.length })}
      </button>
    </section>
  );
}
