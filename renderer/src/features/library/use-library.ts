import { useEffect, useSyncExternalStore } from 'react';
import { useApi } from '../../api/react.tsx';
import { useActions } from '../../state/react.tsx';
import { libraryStoreFor, type LibraryState } from './library-store.ts';

/** The library store's state, loaded on first use; a finished download refreshes the model list. */
export function useLibrary(): LibraryState {
  const store = libraryStoreFor(useApi());
  const { refresh, showError } = useActions();
  const state = useSyncExternalStore(store.subscribe, store.getState);
  useEffect(() => {
    store.load().catch(showError);
  }, [store, showError]);
  const verified = Object.values(state.downloads).filter((job) => job.state === 'done').length;
  useEffect(() => {
    if (verified > 0) void refresh();
  }, [verified, refresh]);
  return state;
}
