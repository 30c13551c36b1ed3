import { useTranslation } from 'react-i18next';
import { selectSelectedModel } from '../../state/slices/models.ts';
import { useActions, useAppSelector } from '../../state/react.tsx';
import { ContextNotice } from './ContextNotice.tsx';
import { DatabaseNotice } from './DatabaseNotice.tsx';
import { ConversationSettingsPanel } from './ConversationSettingsPanel.tsx';
import { ExportButtons } from './TransferMenu.tsx';
import { Composer } from './Composer.tsx';
import { MessageList } from './MessageList.tsx';
import './chat.css';

export function ChatView() {
  const { t } = useTranslation();
  const model = useAppSelector(selectSelectedModel);
  const empty = useAppSelector((s) => s.chat.messages.length === 0 && s.chat.job === null);
  const title = useAppSelector((s) => s.chat.conversation?.title ?? null);
  const { newConversation } = useActions().chat;

  return (
    <section className="chat" aria-label={t('chat.conversationLabel')}>
      <header className="chat-header">
        <h1 className="chat-title" data-testid="chat-title">
          {title === null ? (model?.name ?? t('chat.noModelTitle')) : title || t('conversations.untitled')}
        </h1>
        <ConversationSettingsPanel />
        <ExportButtons />
        <button type="button" className="button button-quiet" data-testid="new-conversation" onClick={newConversation} disabled={empty && title === null}>
          {t('chat.newConversation')}
        </button>
      </header>
      <DatabaseNotice />
      <ContextNotice />
      {empty ? (
        <div className="chat-scroll">
          <div className="chat-messages">
            {model === null ? (
              <div className="empty" data-testid="empty-no-model">
                <p className="empty-title">{t('chat.noModelTitle')}</p>
                <p className="muted">{t('chat.noModelBody')}</p>
              </div>
            ) : (
              <div className="empty" data-testid="empty-conversation">
                <p className="empty-title">{t('chat.emptyTitle', { model: model.name })}</p>
                <p className="muted">{t('chat.emptyBody')}</p>
              </div>
            )}
          </div>
        </div>
      ) : (
        <MessageList />
      )}
      <Composer />
    </section>
  );
}
