import { useEffect, useId, useState } from 'react';
import type { KeyboardEvent, ReactNode, RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { SNIPPET_MATCH_END, SNIPPET_MATCH_START, type SearchHit } from '#shared/conversations.ts';
import { useActions, useAppSelector } from '../../state/react.tsx';

const SEARCH_DELAY_MS = 150;

/**
 * Search across every message as a combobox: the box keeps the focus, the arrow keys move through
 * the matching conversations (one option each) and Enter opens the chosen one. While nothing is
 * searched, `idle` (the conversation list) is shown instead of the results.
 */
export function ConversationSearch({ input, idle }: { input: RefObject<HTMLInputElement | null>; idle: ReactNode }) {
  const { t } = useTranslation();
  const { search } = useActions().conversations;
  const { openConversation } = useActions().chat;
  const searching = useAppSelector((s) => s.conversations.search !== null);
  const hits = useAppSelector((s) => s.conversations.search?.hits ?? null);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(-1);
  const listId = useId();
  const optionId = (index: number): string => `${listId}-${index}`;

  useEffect(() => {
    const timer = setTimeout(() => void search(query), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [query, search]);
  // New results: nothing chosen among them yet.
  const [shownHits, setShownHits] = useState(hits);
  if (shownHits !== hits) {
    setShownHits(hits);
    setActive(-1);
  }

  const count = hits?.length ?? 0;
  const expanded = searching && count > 0;

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'Escape' && query !== '') {
      event.preventDefault();
      setQuery('');
    } else if ((event.key === 'ArrowDown' || event.key === 'ArrowUp') && expanded) {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((current) => (current === -1 && step === -1 ? count - 1 : (current + step + count) % count));
    } else if ((event.key === 'Home' || event.key === 'End') && expanded && active !== -1) {
      event.preventDefault();
      setActive(event.key === 'Home' ? 0 : count - 1);
    } else if (event.key === 'Enter' && expanded && active !== -1) {
      event.preventDefault();
      const hit = hits?.[active];
      if (hit !== undefined) void openConversation(hit.conversationId);
    }
  }

  useEffect(() => {
    if (active !== -1) document.getElementById(optionId(active))?.scrollIntoView({ block: 'nearest' });
  });

  return (
    <>
      <input
        ref={input}
        type="search"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={active === -1 ? undefined : optionId(active)}
        className="conversations-search text-field"
        data-testid="conversation-search"
        aria-label={t('conversations.search')}
        placeholder={t('conversations.searchPlaceholder')}
        value={query}
        onChange={(event) => setQuery(event.target.value)}
        onKeyDown={onKeyDown}
      />
      {!searching ? (
        idle
      ) : hits === null ? (
        <p className="muted conversations-note">{t('conversations.searching')}</p>
      ) : hits.length === 0 ? (
        <p className="muted conversations-note" data-testid="search-empty">
          {t('conversations.noResults')}
        </p>
      ) : null}
      <ul id={listId} role="listbox" className="search-results" aria-label={t('conversations.results')} hidden={!expanded}>
        {expanded &&
          hits?.map((hit, index) => (
            <li
              key={hit.conversationId}
              id={optionId(index)}
              role="option"
              aria-selected={index === active}
              className="search-hit"
              data-testid="search-hit"
              // The box keeps the focus, as in any combobox.
              onMouseDown={(event) => event.preventDefault()}
              onClick={() => void openConversation(hit.conversationId)}
            >
              <span className="search-hit-title">{hit.conversationTitle || t('conversations.untitled')}</span>
              <Snippet hit={hit} />
              {hit.matches > 1 && <span className="search-hit-count">{t('conversations.matches', { count: hit.matches })}</span>}
            </li>
          ))}
      </ul>
    </>
  );
}

/** The matched passage with its matches marked; plain text nodes only. */
function Snippet({ hit }: { hit: SearchHit }) {
  const parts = hit.snippet.split(SNIPPET_MATCH_START);
  return (
    <span className="search-hit-snippet">
      {parts.map((part, index) => {
        if (index === 0) return <span key={index}>{part}</span>;
        const [match = '', rest = ''] = part.split(SNIPPET_MATCH_END);
        return (
          <span key={index}>
            <mark>{match}</mark>
            {rest}
          </span>
        );
      })}
    </span>
  );
}
