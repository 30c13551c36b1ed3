// Fast refresh's preamble as a module: the CSP forbids the inline script Vite would add in dev.
import '@vitejs/plugin-react/preamble';
// The shared styles first: each feature's own, imported by its page, come after and refine them.
import './styles/base.css';
import './styles/layout.css';
import './styles/components.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { createApi } from './api/client.ts';
import { ApiProvider } from './api/react.tsx';
import { i18n } from './i18n/index.ts';
import { createAppStore } from './state/app-store.ts';
import type { KeyValueStorage } from './state/slice.ts';
import { StoreProvider } from './state/react.tsx';
import { App } from './App.tsx';

const storage: KeyValueStorage = {
  get(key) {
    try {
      return window.localStorage.getItem(key);
    } catch {
      return null;
    }
  },
  set(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch {
      // Storage off: the choice lasts for this session.
    }
  },
};

const api = createApi();
const store = createAppStore(api, { storage });
store.actions.start();

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element.');

createRoot(root).render(
  <StrictMode>
    <I18nextProvider i18n={i18n}>
      <StoreProvider store={store}>
        <ApiProvider api={api}>
          <App />
        </ApiProvider>
      </StoreProvider>
    </I18nextProvider>
  </StrictMode>,
);
