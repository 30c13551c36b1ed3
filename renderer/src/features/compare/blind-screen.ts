/**
 * Whether an unrevealed blind run is on screen, and which of its columns (by label) the engine is
 * working for. While one is, nothing else on screen may name a model: the engine status line
 * reads this and says "model B" instead of the loaded model's name.
 */
import { useSyncExternalStore } from 'react';

export interface BlindScreen {
  /** Labels of the columns being answered now ("A", "C"); empty between answers. */
  activeLabels: readonly string[];
}

let screen: BlindScreen | null = null;
const listeners = new Set<() => void>();

export function showBlindScreen(next: BlindScreen | null): void {
  if (next === screen || (next !== null && screen !== null && next.activeLabels.join() === screen.activeLabels.join())) return;
  screen = next;
  for (const listener of listeners) listener();
}

export function useBlindScreen(): BlindScreen | null {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => screen,
  );
}
