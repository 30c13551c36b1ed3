/**
 * What the Compare page shows (a panel, or an open run), shared by its sidebar and main area, and
 * whether an unrevealed blind run is on screen. While one is, nothing else on screen may name a
 * model: the engine status line reads `blindScreen` and says "model B" instead of the loaded model's name.
 */
import { sliceSetter, type Slice, type SliceContext } from '../slice.ts';

export type ComparePanel = 'new' | 'run' | 'sets' | 'leaderboard' | 'replay';

export interface BlindScreen {
  /** Labels of the columns being answered now ("A", "C"); empty between answers. */
  activeLabels: readonly string[];
}

export interface CompareState {
  panel: ComparePanel;
  runId: string | null;
  /** Bumped when the list of runs should be read again. */
  listVersion: number;
  blindScreen: BlindScreen | null;
}

export const initialCompareState: CompareState = { panel: 'new', runId: null, listVersion: 0, blindScreen: null };

export interface CompareActions {
  showPanel(panel: Exclude<ComparePanel, 'run'>): void;
  openRun(runId: string): void;
  listChanged(): void;
  showBlindScreen(screen: BlindScreen | null): void;
}

export function createCompareSlice(ctx: SliceContext): Slice<CompareActions> {
  const set = sliceSetter(ctx, 'compare');
  return {
    actions: {
      showPanel: (panel) => set({ panel, runId: null }),
      openRun: (runId) => set((compare) => ({ ...compare, panel: 'run', runId, listVersion: compare.listVersion + 1 })),
      listChanged: () => set((compare) => ({ ...compare, listVersion: compare.listVersion + 1 })),
      showBlindScreen: (next) =>
        set((compare) => {
          const shown = compare.blindScreen;
          if (next === shown || (next !== null && shown !== null && next.activeLabels.join() === shown.activeLabels.join())) return compare;
          return { ...compare, blindScreen: next };
        }),
    },
  };
}

declare module '../slice.ts' {
  interface AppState {
    compare: CompareState;
  }
  interface SliceActions {
    compare: CompareActions;
  }
}
