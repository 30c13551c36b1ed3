import { memo, useEffect, useMemo, useRef, useState } from 'react';
import type { FormEvent, KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Virtuoso, type VirtuosoHandle } from 'react-virtuoso';
import type { ConversationSummary } from '#shared/conversations.ts';
import { formatListDate, formatMessageTime } from '../../i18n/format.ts';
import { useActions, useAppSelector } from '../../state/react.tsx';
import { groupByDate, nextConversationRow, sidebarRows } from './date-groups.ts';
import { ConversationSearch } from './ConversationSearch.tsx';
import { TransferMenu } from './TransferMenu.tsx';

/** The chat page's sidebar: new chat, search across every message, conversations by date. */
export function ConversationSidebar() {
  const { t } = useTranslation();
  const { newConversation } = useActions().chat;
  const searchInput = useRef<HTMLInputElement>(null);

  // Ctrl/Cmd+N: a new chat; Ctrl/Cmd+K: search (browsers keep Ctrl+N for themselves; the desktop app gets it).
  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
      const key = event.key.toLowerCase();
      if (key === 'n') {
        event.preventDefault();
        newConversation();
      } else if (key === 'k') {
        event.preventDefault();
        searchInput.current?.focus();
        searchInput.current?.select();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [newConversation]);

  return (
    <section className="conversations" aria-label={t('conversations.title')}>
      <button type="button" className="button button-primary conversations-new" data-testid="new-chat" onClick={newConversation} title={t('conversations.newShortcut')}>
        {t('conversations.new')}
      </button>
      <ConversationSearch input={searchInput} idle={<ConversationList />} />
      <UndoDelete />
      <TransferMenu />
    </section>
  );
}

function ConversationList() {
  const { t } = useTranslation();
  const conversations = useAppSelector((s) => s.conversations.list);
  const loaded = useAppSelector((s) => s.conversations.loaded);
  const openId = useAppSelector((s) => s.chat.conversation?.id ?? null);
  const rows = useMemo(() => sidebarRows(groupByDate(conversations, new Date())), [conversations]);
  const list = useRef<VirtuosoHandle>(null);
  if (!loaded) return <p className="muted conversations-note">{t('conversations.loading')}</p>;
  if (conversations.length === 0)
    return (
      <p className="muted conversations-note" data-testid="conversations-empty">
        {t('conversations.empty')}
      </p>
    );

  // Arrow keys, Home and End move between conversations, scrolling rows that are not rendered yet into the DOM first.
  function onKeyDown(event: KeyboardEvent<HTMLElement>) {
    const from = event.target instanceof HTMLElement ? event.target.closest<HTMLElement>('[data-row]') : null;
    if (from === null || event.target instanceof HTMLInputElement) return;
    const target = nextConversationRow(rows, Number(from.dataset.row), event.key);
    if (target === null) return;
    event.preventDefault();
    const nav = event.currentTarget;
    // The row is rendered a frame or two after the scroll ends.
    const focus = (framesLeft: number) => {
      const button = nav.querySelector<HTMLElement>(`[data-row="${target}"] .conversation-open`);
      if (button !== null) button.focus();
      else if (framesLeft > 0) requestAnimationFrame(() => focus(framesLeft - 1));
    };
    list.current?.scrollIntoView({ index: target, done: () => focus(10) });
  }

  return (
    <nav className="conversation-groups" aria-label={t('conversations.title')} onKeyDown={onKeyDown}>
      <Virtuoso
        ref={list}
        data={rows}
        className="conversation-scroll"
        data-testid="conversation-list"
        // A few rows beyond each edge, so that Tab reaches the next rows and a short window never scrolls into blank space.
        increaseViewportBy={200}
        computeItemKey={(_, row) => (row.kind === 'group' ? `group-${row.group}` : row.conversation.id)}
        itemContent={(index, row) =>
          row.kind === 'group' ? (
            <h3 className="conversation-group-title" data-group={row.group}>
              {t(`conversations.groups.${row.group}`)}
            </h3>
          ) : (
            <div data-row={index} data-group={row.group}>
              <ConversationItem conversation={row.conversation} open={row.conversation.id === openId} />
            </div>
          )
        }
      />
    </nav>
  );
}

const ConversationItem = memo(function ConversationItem({ conversation, open }: { conversation: ConversationSummary; open: boolean }) {
  const { t, i18n } = useTranslation();
  const {
    chat: { openConversation },
    conversations: { renameConversation, pinConversation, deleteConversation },
  } = useActions();
  const [renaming, setRenaming] = useState(false);
  const title = conversation.title || t('conversations.untitled');

  if (renaming) {
    const onSubmit = (event: FormEvent<HTMLFormElement>) => {
      event.preventDefault();
      const value = new FormData(event.currentTarget).get('title');
      setRenaming(false);
      if (typeof value === 'string' && value.trim() !== '') void renameConversation(conversation.id, value);
    };
    return (
      <form className="conversation-rename" onSubmit={onSubmit}>
        <input
          name="title"
          data-testid="rename-input"
          aria-label={t('conversations.renameLabel')}
          defaultValue={conversation.title}
          autoFocus
          onBlur={(event) => event.currentTarget.form?.requestSubmit()}
          onKeyDown={(event) => {
            if (event.key === 'Escape') setRenaming(false);
          }}
        />
      </form>
    );
  }

  return (
    <div className="conversation-item" data-testid="conversation-item" data-conversation-id={conversation.id} aria-current={open ? 'page' : undefined}>
      <button type="button" className="conversation-open" onClick={() => void openConversation(conversation.id)} title={title}>
        <span className="conversation-title">{title}</span>
        {conversation.source === 'chatgpt' && <span className="badge">{t('conversations.fromChatGpt')}</span>}
        <LastActive language={i18n.language} at={conversation.updatedAt} />
      </button>
      <span className="conversation-actions">
        <button
          type="button"
          className="icon-button"
          data-testid="pin-conversation"
          aria-pressed={conversation.pinned}
          aria-label={conversation.pinned ? t('conversations.unpin') : t('conversations.pin')}
          title={conversation.pinned ? t('conversations.unpin') : t('conversations.pin')}
          onClick={() => void pinConversation(conversation.id, !conversation.pinned)}
        >
          {conversation.pinned ? '★' : '☆'}
        </button>
        <button type="button" className="icon-button" data-testid="rename-conversation" aria-label={t('conversations.rename')} title={t('conversations.rename')} onClick={() => setRenaming(true)}>
          ✎
        </button>
        <button
          type="button"
          className="icon-button"
          data-testid="delete-conversation"
          aria-label={t('conversations.delete')}
          title={t('conversations.delete')}
          onClick={() => void deleteConversation(conversation.id)}
        >
          ×
        </button>
      </span>
    </div>
  );
});

/** The time today, else the day, in the interface language; the full date and time on hover. */
function LastActive({ language, at }: { language: string; at: number }) {
  const now = new Date();
  return (
    <time className="conversation-time" data-testid="conversation-time" dateTime={new Date(at).toISOString()} title={formatMessageTime(language, at, now)}>
      {formatListDate(language, at, now)}
    </time>
  );
}

function UndoDelete() {
  const { t } = useTranslation();
  const deleted = useAppSelector((s) => s.conversations.undoDelete);
  const { undoDelete, dismissUndo } = useActions().conversations;
  if (deleted === null) return null;
  return (
    <div className="undo-toast" role="status" data-testid="undo-toast">
      <span>{t('conversations.deleted', { title: deleted.title || t('conversations.untitled') })}</span>
      <button type="button" className="button button-quiet" data-testid="undo-delete" onClick={() => void undoDelete()}>
        {t('conversations.undo')}
      </button>
      <button type="button" className="icon-button" aria-label={t('errorBanner.dismiss')} onClick={dismissUndo}>
        ×
      </button>
    </div>
  );
}
