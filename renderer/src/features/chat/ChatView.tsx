import { useEffect, useRef } from 'react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { selectSelectedModel } from '../../state/app-store.ts';
import { useActions, useAppState } from '../../state/react.tsx';
import { Composer } from './Composer.tsx';
import { MessageList } from './MessageList.tsx';

export function ChatView() {
  const { t } = useTranslation();
  const model = useAppState(selectSelectedModel);
  const empty = useAppState((s) => s.messages.length === 0 && s.job === null);
  const { newConversation } = useActions();

  return (
    <section className="chat" aria-label={t('chat.conversationLabel')}>
      <header className="chat-header">
        <h1 className="chat-title">{model?.name ?? t('chat.noModelTitle')}</h1>
        <button
          type="button"
          className="button button-quiet"
          data-testid="new-conversation"
          onClick={newConversation}
          disabled={empty}
        >
          {t('chat.newConversation')}
        </button>
      </header>
      <ScrollArea>
        {empty ? (
          model === null ? (
            <div className="empty" data-testid="empty-no-model">
              <p className="empty-title">{t('chat.noModelTitle')}</p>
              <p className="muted">{t('chat.noModelBody')}</p>
            </div>
          ) : (
            <div className="empty" data-testid="empty-conversation">
              <p className="empty-title">{t('chat.emptyTitle', { model: model.name })}</p>
              <p className="muted">{t('chat.emptyBody')}</p>
            </div>
          )
        ) : (
          <MessageList />
        )}
      </ScrollArea>
      <Composer />
    </section>
  );
}

/** Keeps the newest text in view while it streams, unless the reader scrolled up. */
function ScrollArea({ children }: { children: ReactNode }) {
  const outer = useRef<HTMLDivElement>(null);
  const inner = useRef<HTMLDivElement>(null);
  const stick = useRef(true);

  useEffect(() => {
    const scroller = outer.current;
    const content = inner.current;
    if (scroller === null || content === null) return;
    const onScroll = () => {
      stick.current = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 48;
    };
    const observer = new ResizeObserver(() => {
      if (stick.current) scroller.scrollTop = scroller.scrollHeight;
    });
    scroller.addEventListener('scroll', onScroll, { passive: true });
    observer.observe(content);
    return () => {
      scroller.removeEventListener('scroll', onScroll);
      observer.disconnect();
    };
  }, []);

  return (
    <div className="chat-scroll" ref={outer}>
      <div className="chat-messages" ref={inner}>
        {children}
      </div>
    </div>
  );
}
