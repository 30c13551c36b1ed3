import { useEffect } from 'react';
import type { LibraryState } from '../../state/slices/library.ts';
import { useActions, useAppSelector } from '../../state/react.tsx';

/** The library's state, loaded on first use; a finished download refreshes the model list. */
export function useLibrary(): LibraryState {
  const {
    refresh,
    error: { showError },
    library: { load },
  } = useActions();
  const state = useAppSelector((s) => s.library);
  useEffect(() => {
    load().catch(showError);
  }, [load, showError]);
  const verified = Object.values(state.downloads).filter((job) => job.state === 'done').length;
  useEffect(() => {
    if (verified > 0) void refresh();
  }, [verified, refresh]);
  return state;
}
