/** What the Compare page shows (a panel, or an open run), shared by its sidebar and main area. */
import { useSyncExternalStore } from 'react';

export type ComparePanel = 'new' | 'run' | 'sets' | 'leaderboard' | 'replay';

export interface CompareView {
  panel: ComparePanel;
  runId: string | null;
  /** Bumped when the list of runs should be read again. */
  listVersion: number;
}

let view: CompareView = { panel: 'new', runId: null, listVersion: 0 };
const listeners = new Set<() => void>();

function set(next: Partial<CompareView>): void {
  view = { ...view, ...next };
  for (const listener of listeners) listener();
}

export const compareView = {
  show(panel: Exclude<ComparePanel, 'run'>): void {
    set({ panel, runId: null });
  },
  open(runId: string): void {
    set({ panel: 'run', runId, listVersion: view.listVersion + 1 });
  },
  listChanged(): void {
    set({ listVersion: view.listVersion + 1 });
  },
};

export function useCompareView(): CompareView {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => view,
  );
}
