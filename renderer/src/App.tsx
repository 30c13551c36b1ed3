import type { ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import { NavBar } from './app/NavBar.tsx';
import type { Route } from './app/routes.ts';
import { useRoute } from './app/use-route.ts';
import { ErrorBanner } from './components/ErrorBanner.tsx';
import { LanguageSwitch } from './components/LanguageSwitch.tsx';
import { ChatView } from './features/chat/ChatView.tsx';
import { ChatSidebar } from './features/conversations/ChatSidebar.tsx';
import { EngineStatusLine } from './features/engine/EngineStatusLine.tsx';
import { LibrarySidebar } from './features/library/LibrarySidebar.tsx';
import { ModelsPage } from './features/library/ModelsPage.tsx';
import { PrivacyPage } from './features/privacy/PrivacyPage.tsx';
import { PrivacySidebar } from './features/privacy/PrivacySidebar.tsx';

/** One entry per route: the sidebar content and the main page. */
const PAGES: Record<Route, { Sidebar: ComponentType; Main: ComponentType }> = {
  chat: { Sidebar: ChatSidebar, Main: ChatView },
  models: { Sidebar: LibrarySidebar, Main: ModelsPage },
  privacy: { Sidebar: PrivacySidebar, Main: PrivacyPage },
};

export function App() {
  const { t } = useTranslation();
  const { Sidebar, Main } = PAGES[useRoute()];
  return (
    <div className="app">
      <aside className="sidebar">
        <div className="brand">
          <span className="brand-name">{t('app.name')}</span>
          <span className="brand-tagline">{t('app.tagline')}</span>
        </div>
        <NavBar />
        <Sidebar />
        <footer className="sidebar-footer">
          <EngineStatusLine />
          <LanguageSwitch />
        </footer>
      </aside>
      <main className="main">
        <ErrorBanner />
        <Main />
      </main>
    </div>
  );
}
