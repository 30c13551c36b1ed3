import { lazy, Suspense, type ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppSelector } from './state/react.tsx';
import { NavBar } from './app/NavBar.tsx';
import type { Route } from './app/routes.ts';
import { useRoute } from './app/use-route.ts';
import { ErrorBanner } from './components/ErrorBanner.tsx';
import { LanguageSwitch } from './components/LanguageSwitch.tsx';
import { LocalApiSidebar } from './features/api/LocalApiSidebar.tsx';
import { ParticipantBanner } from './features/workshop/ParticipantBanner.tsx';
import { QueuePlace } from './features/workshop/QueuePlace.tsx';
import { WorkshopSidebar } from './features/workshop/WorkshopSidebar.tsx';
import { ChatView } from './features/chat/ChatView.tsx';
import { ChatSidebar } from './features/chat/ChatSidebar.tsx';
import { SkipToComposer } from './features/chat/SkipToComposer.tsx';
import { EngineStatusLine } from './features/engine/EngineStatusLine.tsx';
import { LibrarySidebar } from './features/library/LibrarySidebar.tsx';
import { CompareSidebar } from './features/compare/CompareSidebar.tsx';
import { PrivacySidebar } from './features/privacy/PrivacySidebar.tsx';
import { OfflineBadge } from './features/privacy/OfflineBadge.tsx';
import { DocumentsPage } from './features/documents/DocumentsPage.tsx';
import { DocumentsSidebar } from './features/documents/DocumentsSidebar.tsx';

// The chat is the first screen; the other pages load when first opened, so the page starts with less script to parse.
const ModelsPage = lazy(async () => ({ default: (await import('./features/library/ModelsPage.tsx')).ModelsPage }));
const PrivacyPage = lazy(async () => ({ default: (await import('./features/privacy/PrivacyPage.tsx')).PrivacyPage }));
const LocalApiPage = lazy(async () => ({ default: (await import('./features/api/LocalApiPage.tsx')).LocalApiPage }));
const WorkshopPage = lazy(async () => ({ default: (await import('./features/workshop/WorkshopPage.tsx')).WorkshopPage }));
const ComparePage = lazy(async () => ({ default: (await import('./features/compare/ComparePage.tsx')).ComparePage }));

/** One entry per route: the sidebar content, the main page, and a link that skips to where the page's work is done. */
const PAGES: Record<Route, { Sidebar: ComponentType; Main: ComponentType; SkipLink?: ComponentType }> = {
  chat: { Sidebar: ChatSidebar, Main: ChatView, SkipLink: SkipToComposer },
  documents: { Sidebar: DocumentsSidebar, Main: DocumentsPage },
  models: { Sidebar: LibrarySidebar, Main: ModelsPage },
  privacy: { Sidebar: PrivacySidebar, Main: PrivacyPage },
  api: { Sidebar: LocalApiSidebar, Main: LocalApiPage },
  workshop: { Sidebar: WorkshopSidebar, Main: WorkshopPage },
  compare: { Sidebar: CompareSidebar, Main: ComparePage },
};

export function App() {
  const { t } = useTranslation();
  const route = useRoute();
  // A workshop participant's window has the chat only.
  const participant = useAppSelector((s) => s.host.info?.participant ?? null);
  const { Sidebar, Main, SkipLink } = PAGES[participant === null ? route : 'chat'];
  return (
    <div className="app">
      {SkipLink !== undefined && <SkipLink />}
      <aside className="sidebar">
        <div className="brand">
          <span className="brand-name">{t('app.name')}</span>
          <span className="brand-tagline">{t('app.tagline')}</span>
        </div>
        {participant === null && <NavBar />}
        <Sidebar />
        <footer className="sidebar-footer">
          <EngineStatusLine />
          <OfflineBadge />
          <LanguageSwitch />
        </footer>
      </aside>
      <main className="main">
        <ErrorBanner />
        {participant !== null && <ParticipantBanner name={participant.name} />}
        <QueuePlace />
        <Suspense fallback={null}>
          <Main />
        </Suspense>
      </main>
    </div>
  );
}
