/**
 * What a slice of the app store is made of, and what it is given. A slice owns one key of
 * AppState: its state type and initial value, its actions, its selectors, and the host events and
 * reads that keep it current (state/app-store.ts composes them).
 */
import type { Transport } from '../api/transport.ts';

/**
 * The whole state. Each slice adds its own key here (\`declare module '../slice.ts'\` in
 * state/slices/*), so no slice imports the store that composes them.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by each slice's declaration merging
export interface AppState {}

/** Each slice's actions under its key, added the same way. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by each slice's declaration merging
export interface SliceActions {}

export interface AppActions extends SliceActions {
  /** Subscribes to the host's events and loads the first data. Returns the teardown. */
  start(): () => void;
  /** Reloads app info, the model list, the engine status and the conversations. */
  refresh(): Promise<void>;
}

export interface KeyValueStorage {
  get(key: string): string | null;
  set(key: string, value: string | null): void;
}

export interface SliceContext {
  api: Transport;
  /** Remembers choices between sessions (the selected model, the open conversation). */
  storage: KeyValueStorage | undefined;
  getState(): AppState;
  /** Replaces the whole state, so one change may span slices; listeners run only when it changed. */
  setState(update: (state: AppState) => AppState): void;
  /** Every slice's actions, for an action that ends in another slice's; read when called, not while the slices are built. */
  actions(): AppActions;
}

/** How a slice keeps current with the host; app-store.ts calls these for every slice. */
export interface SliceLifecycle {
  /** Subscribes to the host events this slice follows; returns the unsubscribers. */
  follow?(): (() => void)[];
  /** Reads this slice's data from the host, each applied as it arrives (AppActions.refresh). */
  load?(): Promise<void>[];
  /** Runs once the store has started, after the first refresh was sent. */
  started?(): void;
  /** The link to the host dropped. */
  disconnected?(): void;
  /** The link is back after a drop: what was read before may be stale. */
  reconnected?(): void;
}

export interface Slice<A> extends SliceLifecycle {
  actions: A;
}

/** Replaces one slice's state; the whole state stays the same object when the slice did. */
export function updateSlice<K extends keyof AppState>(state: AppState, key: K, update: (slice: AppState[K]) => AppState[K]): AppState {
  const next = update(state[key]);
  return Object.is(next, state[key]) ? state : { ...state, [key]: next };
}

/** A setState for one slice, with a partial object or an update function. */
export function sliceSetter<K extends keyof AppState>(ctx: SliceContext, key: K) {
  return (update: Partial<AppState[K]> | ((slice: AppState[K]) => AppState[K])): void =>
    ctx.setState((state) => updateSlice(state, key, typeof update === 'function' ? update : (slice) => ({ ...slice, ...update })));
}

/** Runs a call; a failure goes to the banner and gives null. */
export async function attempt<T>(ctx: SliceContext, call: () => Promise<T>): Promise<T | null> {
  try {
    return await call();
  } catch (error) {
    ctx.actions().error.showError(error);
    return null;
  }
}
