import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConversationMessage } from '../../state/app-store.ts';
import { useAppState } from '../../state/react.tsx';
import { AnswerStats } from './AnswerStats.tsx';

export function MessageList() {
  const messages = useAppState((s) => s.messages);
  const generating = useAppState((s) => s.job !== null);
  return (
    <>
      {messages.map((message) => (
        <MessageView key={message.id} message={message} />
      ))}
      {generating && <StreamingMessage />}
    </>
  );
}

function useModelName(modelId: string | null): string {
  return useAppState((s) => (modelId === null ? '' : (s.models.find((m) => m.id === modelId)?.name ?? modelId)));
}

const MessageView = memo(function MessageView({ message }: { message: ConversationMessage }) {
  const { t } = useTranslation();
  const modelName = useModelName(message.modelId);
  if (message.role === 'user') {
    return (
      <article className="message message-user" data-testid="message-user">
        <header className="message-author">{t('chat.you')}</header>
        <div className="message-content">{message.content}</div>
      </article>
    );
  }
  return (
    <article className="message message-assistant" data-testid="message-assistant" data-state={message.state}>
      <header className="message-author">{modelName}</header>
      <div className="message-content">{message.content}</div>
      {message.state === 'stopped' && <p className="message-note">{t('chat.stopped')}</p>}
      {message.state === 'error' && <p className="message-note message-note-error">{t('chat.interrupted')}</p>}
      {message.stats !== null && <AnswerStats stats={message.stats} loadMs={message.loadMs} />}
    </article>
  );
});

/** The answer being written; re-renders on each batch of tokens, alone. */
function StreamingMessage() {
  const { t } = useTranslation();
  const text = useAppState((s) => s.job?.text ?? '');
  const modelId = useAppState((s) => s.job?.modelId ?? null);
  const loading = useAppState((s) => s.engine?.state === 'loading' && s.job?.loadMs === null);
  const modelName = useModelName(modelId);
  return (
    <article
      className="message message-assistant message-streaming"
      data-testid="message-assistant"
      data-state="streaming"
      aria-busy="true"
    >
      <header className="message-author">{modelName}</header>
      {text === '' ? (
        <p className="message-pending">
          <span className="typing" aria-hidden="true">
            <span />
            <span />
            <span />
          </span>
          {loading ? t('chat.loadingModel') : t('chat.writing')}
        </p>
      ) : (
        <div className="message-content">
          {text}
          <span className="caret" aria-hidden="true" />
        </div>
      )}
    </article>
  );
}
