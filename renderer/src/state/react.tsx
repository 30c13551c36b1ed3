import { createContext, useContext, useSyncExternalStore } from 'react';
import type { ReactNode } from 'react';
import type { AppStore } from './app-store.ts';
import type { AppActions, AppState } from './slice.ts';

const StoreContext = createContext<AppStore | null>(null);

export function StoreProvider({ store, children }: { store: AppStore; children: ReactNode }) {
  return <StoreContext value={store}>{children}</StoreContext>;
}

function useStore(): AppStore {
  const store = useContext(StoreContext);
  if (store === null) throw new Error('useAppSelector/useActions need a <StoreProvider>.');
  return store;
}

/**
 * Reads part of the app state. The selector must return something already in the state or a
 * primitive (not a fresh object), or React re-renders forever.
 */
export function useAppSelector<T>(selector: (state: AppState) => T): T {
  const store = useStore();
  return useSyncExternalStore(store.subscribe, () => selector(store.getState()));
}

/** Every slice's actions (stable for the store's life). */
export function useActions(): AppActions {
  return useStore().actions;
}
