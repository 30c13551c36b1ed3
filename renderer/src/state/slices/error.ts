/** The app's error on show in the banner: the last failure of an action, until dismissed. */
import { toErrorPayload, type ErrorPayload } from '#shared/errors.ts';
import type { AppState, Slice, SliceContext } from '../slice.ts';

export interface ShownError {
  /** Changes with every new error, so the banner can tell two equal errors apart. */
  seq: number;
  error: ErrorPayload;
}

export interface ErrorState {
  shown: ShownError | null;
}

export const initialErrorState: ErrorState = { shown: null };

export interface ErrorActions {
  showError(error: unknown): void;
  dismissError(): void;
}

/** The state with `error` on show, for an action that fails while it changes other slices. */
export function withError(state: AppState, error: unknown): AppState {
  return { ...state, error: { shown: { seq: (state.error.shown?.seq ?? 0) + 1, error: toErrorPayload(error) } } };
}

export function withoutError(state: AppState): AppState {
  return state.error.shown === null ? state : { ...state, error: { shown: null } };
}

export function createErrorSlice(ctx: SliceContext): Slice<ErrorActions> {
  return {
    actions: {
      showError: (error) => ctx.setState((state) => withError(state, error)),
      dismissError: () => ctx.setState(withoutError),
    },
    // The link is back: an "unavailable" error on show is stale now.
    reconnected: () => ctx.setState((state) => (state.error.shown?.error.code === 'ENGINE_UNAVAILABLE' ? withoutError(state) : state)),
  };
}

declare module '../slice.ts' {
  interface AppState {
    error: ErrorState;
  }
  interface SliceActions {
    error: ErrorActions;
  }
}
