import { useTranslation } from 'react-i18next';
import { ErrorBanner } from './components/ErrorBanner.tsx';
import { LanguageSwitch } from './components/LanguageSwitch.tsx';
import { ChatView } from './features/chat/ChatView.tsx';
import { EngineStatusLine } from './features/engine/EngineStatusLine.tsx';
import { ModelPicker } from './features/models/ModelPicker.tsx';

export function App() {
  const { t } = useTranslation();
  return (
    <div className="app">
      <aside className="sidebar">
        <div className="brand">
          <span className="brand-name">{t('app.name')}</span>
          <span className="brand-tagline">{t('app.tagline')}</span>
        </div>
        <ModelPicker />
        <footer className="sidebar-footer">
          <EngineStatusLine />
          <LanguageSwitch />
        </footer>
      </aside>
      <main className="main">
        <ErrorBanner />
        <ChatView />
      </main>
    </div>
  );
}
