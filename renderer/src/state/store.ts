/** A minimal external store, read by React through useSyncExternalStore and selectors. */
export interface Store<T> {
  getState(): T;
  /** Replaces the state with what `update` returns; listeners run only when it changed. */
  setState(update: (state: T) => T): void;
  /** Returns a function that removes the listener. */
  subscribe(listener: () => void): () => void;
}

export function createStore<T>(initial: T): Store<T> {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    getState: () => state,
    setState(update) {
      const next = update(state);
      if (Object.is(next, state)) return;
      state = next;
      for (const listener of [...listeners]) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
