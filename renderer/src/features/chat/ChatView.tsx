import { useTranslation } from 'react-i18next';
import { isUsable, selectSelectedModel } from '../../state/slices/models.ts';
import { useAppSelector } from '../../state/react.tsx';
import { AttachDocuments } from '../documents/AttachDocuments.tsx';
import { FirstRun } from '../library/FirstRun.tsx';
import { ContextNotice } from './ContextNotice.tsx';
import { DatabaseNotice } from './DatabaseNotice.tsx';
import { ConversationSettingsPanel } from './ConversationSettingsPanel.tsx';
import { ExportButtons } from './TransferMenu.tsx';
import { Composer } from './Composer.tsx';
import { MessageList } from './MessageList.tsx';
import { ModelPicker } from './ModelPicker.tsx';
import './chat.css';

export function ChatView() {
  const { t } = useTranslation();
  const model = useAppSelector(selectSelectedModel);
  const empty = useAppSelector((s) => s.chat.messages.length === 0 && s.chat.job === null);
  const title = useAppSelector((s) => s.chat.conversation?.title ?? null);
  // The app's own window only: a workshop participant's has no documents (their router refuses them).
  const ownWindow = useAppSelector((s) => s.host.info !== null && (s.host.info.participant ?? null) === null);
  // First run: the list is known and no model in it can answer (a workshop participant has the trainer's).
  const noUsableModel = useAppSelector((s) => s.models.loaded && !s.models.list.some(isUsable) && s.host.info?.participant === undefined);

  return (
    <section className="chat" aria-label={t('chat.conversationLabel')}>
      <header className="chat-header">
        <ModelPicker />
        {ownWindow && <AttachDocuments />}
        <h1 className="chat-title" data-testid="chat-title">
          {title || t('conversations.untitled')}
        </h1>
        <ConversationSettingsPanel />
        <ExportButtons />
      </header>
      <DatabaseNotice />
      <ContextNotice />
      {noUsableModel && empty ? (
        <div className="chat-scroll">
          <FirstRun />
        </div>
      ) : empty ? (
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
