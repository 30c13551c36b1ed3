import { memo, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Virtuoso } from 'react-virtuoso';
import { selectIsGenerating } from '../../state/slices/chat.ts';
import type { ConversationMessage } from '../../state/slices/chat-messages.ts';
import { useActions, useAppSelector } from '../../state/react.tsx';
import { AnswerStats } from './AnswerStats.tsx';
import { AnswerOriginNote } from './AnswerOrigin.tsx';
import { AnswerSources } from '../documents/AnswerSources.tsx';
import { formatMessageTime } from '../../i18n/format.ts';
import { Markdown } from './LazyMarkdown.tsx';
import { copyText } from '../../components/CopyButton.tsx';
import { Reasoning } from './Reasoning.tsx';
import { isSubmitKey } from './submit-key.ts';
import { useFollowOutput } from './use-follow-output.ts';
import { answerOrigin } from '#shared/servers.ts';
import { selectModelName } from '../../state/slices/models.ts';

/**
 * The shown path, virtualised: only the messages near the viewport are in the DOM, so a
 * conversation of thousands of messages opens and scrolls like a short one. It follows the newest
 * text while it streams, unless the reader scrolled up (use-follow-output.ts).
 *
 * The answer being written is the list's footer, not one of its items: react-virtuoso keeps the
 * view still when an item whose top is above the viewport changes size, by scrolling by the
 * change, so a growing item would pull a reader who scrolled up back down with every batch.
 */
export function MessageList() {
  const { t } = useTranslation();
  const messages = useAppSelector((s) => s.chat.messages);
  const generating = useAppSelector(selectIsGenerating);
  const conversationId = useAppSelector((s) => s.chat.conversation?.id ?? 'new');
  // A fresh list (scrolled to its end) for each conversation opened, but not when the new one
  // being written is saved and gets its id: remounting then would blank the list for a moment.
  // react-virtuoso hides a list it must first scroll to its end (a few frames): only a conversation
  // opened with messages needs that, not one that starts with its first question.
  const [view, setView] = useState({ conversationId, generation: 0, startAtEnd: messages.length > 1 });
  if (view.conversationId !== conversationId) {
    const kept = view.conversationId === 'new';
    setView({ conversationId, generation: kept ? view.generation : view.generation + 1, startAtEnd: kept ? view.startAtEnd : messages.length > 1 });
  }
  const follow = useFollowOutput();
  return (
    <div className="chat-scroll-area">
      <Virtuoso
        key={view.generation}
        className="chat-scroll"
        data-testid="message-list"
        scrollerRef={follow.setScroller}
        data={messages}
        initialTopMostItemIndex={view.startAtEnd ? START_AT_END : undefined}
        alignToBottom
        increaseViewportBy={{ top: 600, bottom: 600 }}
        computeItemKey={(_, message) => message.shownAs ?? message.id}
        itemContent={(_, message) => (
          <div className="chat-row">
            <MessageView message={message} />
          </div>
        )}
        components={LIST_PARTS}
      />
      {follow.awayFromEnd && (
        <button type="button" className="button jump-to-end" data-testid="jump-to-end" onClick={follow.toEnd}>
          {generating ? t('chat.followAnswer') : t('chat.toEnd')}
        </button>
      )}
    </div>
  );
}

function useModelName(modelId: string | null): string {
  return useAppSelector((s) => (modelId === null ? '' : selectModelName(modelId)(s)));
}

const MessageView = memo(function MessageView({ message }: { message: ConversationMessage }) {
  const { t } = useTranslation();
  const modelName = useModelName(message.modelId);
  const [editing, setEditing] = useState(false);
  if (message.role === 'user') {
    return (
      <article className="message message-user" data-testid="message-user" data-message-id={message.id}>
        <MessageHeader author={t('chat.you')} at={message.createdAt} />
        {editing ? <EditForm message={message} onClose={() => setEditing(false)} /> : <div className="message-content">{message.content}</div>}
        {!editing && <MessageActions message={message} onEdit={() => setEditing(true)} />}
      </article>
    );
  }
  return (
    <article className="message message-assistant" data-testid="message-assistant" data-state={message.state} data-message-id={message.id}>
      <MessageHeader author={modelName || t('messages.assistant')} at={message.createdAt} />
      {message.reasoning !== null && <Reasoning text={message.reasoning} durationMs={message.stats?.reasoningMs} />}
      <div className="message-content">
        <Markdown text={message.content} />
      </div>
      {message.state === 'stopped' && <p className="message-note">{t('chat.stopped')}</p>}
      {message.state === 'error' && <ErrorNote modelId={message.modelId} />}
      {message.state === 'interrupted' && (
        <p className="message-note message-note-error" data-testid="interrupted-note">
          {t('messages.interruptedByExit')}
        </p>
      )}
      {message.sources !== undefined && <AnswerSources sources={message.sources} />}
      {message.stats !== null && <AnswerStats stats={message.stats} loadMs={message.loadMs} />}
      {message.modelId !== null && <AnswerOriginNote modelId={message.modelId} />}
      <MessageActions message={message} />
    </article>
  );
});

/** An answer cut by an error (an engine crash, a server that stopped answering), its text so far kept above. */
function ErrorNote({ modelId }: { modelId: string | null }) {
  const { t } = useTranslation();
  const origin = modelId === null ? null : answerOrigin(modelId);
  return (
    <p className="message-note message-note-error" data-testid="error-note">
      {origin?.where === 'server' ? t('chat.interruptedByServer', { server: origin.server }) : t('chat.interrupted')}
    </p>
  );
}

/** Who wrote it, and when, in the interface's language (the date too when not today). */
function MessageHeader({ author, at }: { author: string; at: number }) {
  const { i18n } = useTranslation();
  return (
    <header className="message-author">
      {author}
      <time className="message-time" data-testid="message-time" dateTime={new Date(at).toISOString()}>
        {formatMessageTime(i18n.language, at, new Date())}
      </time>
    </header>
  );
}

function MessageActions({ message, onEdit }: { message: ConversationMessage; onEdit?: () => void }) {
  const { t } = useTranslation();
  const busy = useAppSelector(selectIsGenerating);
  const saved = useAppSelector((s) => s.chat.conversation !== null);
  const { regenerate, deleteMessage } = useActions().chat;
  const [copied, setCopied] = useState(false);
  return (
    <footer className="message-actions">
      <Alternatives message={message} />
      <button
        type="button"
        className="link-button"
        data-testid="copy-message"
        onClick={() =>
          void copyText(message.content).then((ok) => {
            setCopied(ok);
            if (ok) setTimeout(() => setCopied(false), 1500);
          })
        }
      >
        {copied ? t('messages.copied') : t('messages.copy')}
      </button>
      {onEdit !== undefined && (
        <button type="button" className="link-button" data-testid="edit-message" onClick={onEdit} disabled={busy}>
          {t('messages.edit')}
        </button>
      )}
      {message.role === 'assistant' && (
        <button type="button" className="link-button" data-testid="regenerate" onClick={() => void regenerate(message.id)} disabled={busy}>
          {t('messages.regenerate')}
        </button>
      )}
      <button type="button" className="link-button" data-testid="delete-message" onClick={() => void deleteMessage(message.id)} disabled={busy || !saved}>
        {t('messages.delete')}
      </button>
    </footer>
  );
}

/** ‹ 2 / 3 › between a message and its alternatives (edits of a question, regenerated answers). */
function Alternatives({ message }: { message: ConversationMessage }) {
  const { t, i18n } = useTranslation();
  const busy = useAppSelector(selectIsGenerating);
  const { showAlternative } = useActions().chat;
  const count = message.siblingIds.length;
  if (count < 2) return null;
  const index = message.siblingIds.indexOf(message.id);
  const go = (offset: number) => {
    const target = message.siblingIds[index + offset];
    if (target !== undefined) void showAlternative(target);
  };
  const number = new Intl.NumberFormat(i18n.language);
  return (
    <span className="alternatives" data-testid="alternatives" role="group" aria-label={t('messages.alternatives')}>
      <button type="button" className="icon-button" data-testid="previous-alternative" aria-label={t('messages.previous')} disabled={busy || index <= 0} onClick={() => go(-1)}>
        ‹
      </button>
      <span data-testid="alternative-position">{t('messages.position', { index: number.format(index + 1), count: number.format(count) })}</span>
      <button type="button" className="icon-button" data-testid="next-alternative" aria-label={t('messages.next')} disabled={busy || index >= count - 1} onClick={() => go(1)}>
        ›
      </button>
    </span>
  );
}

function EditForm({ message, onClose }: { message: ConversationMessage; onClose: () => void }) {
  const { t } = useTranslation();
  const { editAndResend } = useActions().chat;
  const [text, setText] = useState(message.content);
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    onClose();
    void editAndResend(message.id, text);
  }
  return (
    <form className="edit-form" onSubmit={onSubmit}>
      <textarea
        data-testid="edit-input"
        className="composer-input"
        aria-label={t('messages.editLabel')}
        value={text}
        autoFocus
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') onClose();
          else if (isSubmitKey(event)) {
            event.preventDefault();
            if (text.trim() !== '') event.currentTarget.form?.requestSubmit();
          }
        }}
      />
      <div className="edit-form-bar">
        <button type="button" className="button button-quiet" onClick={onClose}>
          {t('messages.cancel')}
        </button>
        <button type="submit" className="button button-primary" data-testid="edit-send" disabled={text.trim() === ''}>
          {t('messages.saveAndSend')}
        </button>
      </div>
    </form>
  );
}

const LIST_PARTS = { Footer: StreamingFooter };
const START_AT_END = { index: 'LAST', align: 'end' } as const;

function StreamingFooter() {
  const generating = useAppSelector(selectIsGenerating);
  if (!generating) return null;
  return (
    <div className="chat-row">
      <StreamingMessage />
    </div>
  );
}

/** The answer being written; re-renders on each batch of tokens, alone. */
function StreamingMessage() {
  const { t } = useTranslation();
  const text = useAppSelector((s) => s.chat.job?.text ?? '');
  const reasoning = useAppSelector((s) => s.chat.job?.reasoning ?? '');
  const modelId = useAppSelector((s) => s.chat.job?.modelId ?? null);
  const loading = useAppSelector((s) => s.host.engine?.state === 'loading' && s.chat.job?.loadMs === null);
  const modelName = useModelName(modelId);
  return (
    <article className="message message-assistant message-streaming" data-testid="message-assistant" data-state="streaming" aria-busy="true">
      <header className="message-author">{modelName}</header>
      {reasoning !== '' && <Reasoning text={reasoning} streaming={text === ''} />}
      {text === '' && reasoning !== '' ? null : text === '' ? (
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
