/**
 * The pieces of the preload bridge that need no Electron: the IPC channel names, unwrapping the
 * host's call outcome, and routing the one event channel to listeners by event name.
 *
 * The preload is bundled into a sandboxed CommonJS script, so this file imports types only from
 * the contract (whose runtime pulls in zod) and nothing but shared/errors.ts at run time.
 */
import type { EventName, EventPayloads } from '#shared/contract.ts';
import { isErrorPayload, type ErrorPayload } from '#shared/errors.ts';

/** `ipcRenderer.invoke(IPC_CALL_CHANNEL, command, input)` answers with the host's CallOutcome. */
export const IPC_CALL_CHANNEL = 'enclave:call';
/** The main process sends every HostEvent on this one channel. */
export const IPC_EVENT_CHANNEL = 'enclave:event';

/**
 * The result of a call outcome `{ok: true, result}`; on `{ok: false, error}` throws the
 * ErrorPayload itself (a plain object survives the context bridge; an Error would lose its code).
 */
export function unwrapOutcome(outcome: unknown): unknown {
  if (typeof outcome === 'object' && outcome !== null) {
    const { ok } = outcome as { ok?: unknown };
    if (ok === true && Object.hasOwn(outcome, 'result')) return (outcome as { result: unknown }).result;
    if (ok === false) {
      const { error } = outcome as { error?: unknown };
      if (isErrorPayload(error)) throw copyPayload(error);
    }
  }
  const malformed: ErrorPayload = { code: 'INTERNAL', message: 'the host answered with a malformed outcome' };
  throw malformed;
}

function copyPayload(error: ErrorPayload): ErrorPayload {
  return error.details === undefined ? { code: error.code, message: error.message } : { code: error.code, message: error.message, details: error.details };
}

/**
 * The path of a file the page got from a drop, through Electron's `webUtils.getPathForFile`;
 * '' for anything without one (a forged object, a file the page made itself).
 */
export function pathOfDroppedFile(file: unknown, getPathForFile: (file: File) => string): string {
  try {
    // Electron throws for anything that is not a File; the check is its own.
    const path: unknown = getPathForFile(file as File);
    return typeof path === 'string' ? path : '';
  } catch {
    return '';
  }
}

type AnyListener = (payload: unknown) => void;

export interface EventRouter {
  /** Hands one message from the event channel to the listeners of its event. */
  dispatch(message: unknown): void;
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
}

/**
 * Listeners by event name behind a single IPC subscription. A listener that throws does not stop
 * the others; its error is reported through `onListenerError`.
 */
export function createEventRouter(onListenerError: (error: unknown) => void = (error) => console.error(error)): EventRouter {
  const listeners = new Map<string, Set<AnyListener>>();
  return {
    dispatch(message) {
      if (typeof message !== 'object' || message === null) return;
      const { event, payload } = message as { event?: unknown; payload?: unknown };
      if (typeof event !== 'string') return;
      const set = listeners.get(event);
      if (set === undefined) return;
      for (const listener of [...set]) {
        try {
          listener(payload);
        } catch (error) {
          onListenerError(error);
        }
      }
    },
    on(event, listener) {
      if (typeof listener !== 'function') throw new TypeError('listener must be a function');
      let set = listeners.get(event);
      if (set === undefined) {
        set = new Set();
        listeners.set(event, set);
      }
      // Wrapped, so the same function registered twice is two subscriptions with two removers.
      const entry: AnyListener = (payload) => listener(payload as never);
      set.add(entry);
      return () => {
        set.delete(entry);
      };
    },
  };
}
