/**
 * The WebSocket transport: the contract's commands and events over `ClientFrame`/`ServerFrame`
 * JSON frames (shared/contract.ts). It runs without the DOM: the socket comes from a factory, so
 * the browser adapter lives in client.ts and tests pass a fake.
 */
import type { ClientFrame, CommandInput, CommandName, CommandResult, EventName, EventPayloads } from '#shared/contract.ts';
import { EnclaveError, isErrorPayload } from '#shared/errors.ts';
import type { ErrorPayload } from '#shared/errors.ts';
import { WORKSHOP_LEFT_CLOSE_CODE } from '#shared/workshop.ts';
import { fromPayload } from './errors.ts';
import type { ConnectionState, Transport } from './transport.ts';

export interface SocketHandlers {
  onOpen(): void;
  /** A text frame. */
  onMessage(data: string): void;
  /** The socket closed (with the server's close code, when it sent one) or could not connect. Called at most once per socket. */
  onClose(code?: number): void;
}

export interface SocketConnection {
  send(data: string): void;
  close(): void;
}

export type SocketFactory = (url: string, handlers: SocketHandlers) => SocketConnection;

export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface WsTransportOptions {
  url: string;
  connect: SocketFactory;
  /** Delay before the first reconnect; doubles on each failure up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  timers?: Timers;
  /** Where a listener's exception goes; listeners never break each other or the transport. */
  onListenerError?: (error: unknown) => void;
}

interface PendingCall {
  resolve(value: unknown): void;
  reject(error: EnclaveError): void;
  /** The frame, kept until it has been handed to an open socket. */
  frame: string | null;
}

type Listener = (payload: unknown) => void;

const defaultTimers: Timers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as Parameters<typeof clearTimeout>[0]),
};

export function reconnectDelay(attempt: number, initialDelayMs: number, maxDelayMs: number): number {
  return Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(attempt, 30));
}

export function createWsTransport(options: WsTransportOptions): Transport {
  const timers = options.timers ?? defaultTimers;
  const initialDelayMs = options.initialDelayMs ?? 250;
  const maxDelayMs = options.maxDelayMs ?? 5_000;
  const reportListenerError =
    options.onListenerError ??
    ((error: unknown) => {
      // Surface it without breaking the dispatch loop.
      timers.set(() => {
        throw error;
      }, 0);
    });

  const pending = new Map<number, PendingCall>();
  const listeners = new Map<EventName, Set<Listener>>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();

  let state: ConnectionState = 'connecting';
  let socket: SocketConnection | null = null;
  /** Incremented per socket, so late callbacks from an old socket are ignored. */
  let generation = 0;
  let attempt = 0;
  let retryHandle: unknown = null;
  let nextId = 1;
  let disposed = false;

  function setState(next: ConnectionState): void {
    if (state === next) return;
    state = next;
    for (const listener of [...connectionListeners]) {
      try {
        listener(next);
      } catch (error) {
        reportListenerError(error);
      }
    }
  }

  function rejectAll(code: ErrorPayload['code'], message: string): void {
    const calls = [...pending.values()];
    pending.clear();
    for (const call of calls) call.reject(new EnclaveError(code, message));
  }

  function open(): void {
    retryHandle = null;
    if (disposed) return;
    generation += 1;
    const mine = generation;
    setState('connecting');
    try {
      socket = options.connect(options.url, {
        onOpen: () => {
          if (mine === generation) handleOpen();
        },
        onMessage: (data) => {
          if (mine === generation) handleMessage(data);
        },
        onClose: (code) => {
          if (mine === generation) handleClose(code);
        },
      });
    } catch {
      socket = null;
      handleClose();
    }
  }

  function handleOpen(): void {
    attempt = 0;
    setState('open');
    for (const call of pending.values()) {
      if (call.frame === null) continue;
      const frame = call.frame;
      call.frame = null;
      sendFrame(frame);
    }
  }

  function sendFrame(frame: string): void {
    try {
      socket?.send(frame);
    } catch {
      // A send on a dying socket: its close follows and rejects the call.
    }
  }

  function handleClose(code?: number): void {
    generation += 1;
    socket = null;
    if (code === WORKSHOP_LEFT_CLOSE_CODE) {
      // Reconnecting would only be refused: the session is over.
      disposed = true;
      setState('ended');
      rejectAll('WORKSHOP_ENDED', 'The workshop has ended for this window.');
      return;
    }
    setState('closed');
    rejectAll('ENGINE_UNAVAILABLE', disposed ? 'The connection to the host was closed.' : 'The connection to the host was lost.');
    if (disposed) return;
    const delay = reconnectDelay(attempt, initialDelayMs, maxDelayMs);
    attempt += 1;
    retryHandle = timers.set(open, delay);
  }

  function handleMessage(data: string): void {
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (typeof frame !== 'object' || frame === null) return;
    const f = frame as Record<string, unknown>;
    if (f.type === 'result' && typeof f.id === 'number') {
      const call = pending.get(f.id);
      if (call === undefined) return;
      pending.delete(f.id);
      if (f.ok === true) {
        call.resolve(f.result);
      } else if (isErrorPayload(f.error)) {
        call.reject(fromPayload(f.error));
      } else {
        call.reject(new EnclaveError('INTERNAL', 'The host answered with a malformed error.'));
      }
      return;
    }
    if (f.type === 'event' && typeof f.event === 'string') {
      const set = listeners.get(f.event as EventName);
      if (set === undefined) return;
      for (const listener of [...set]) {
        try {
          listener(f.payload);
        } catch (error) {
          reportListenerError(error);
        }
      }
    }
  }

  open();

  return {
    kind: 'web',

    call<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandResult<C>> {
      if (disposed || state === 'closed') {
        return Promise.reject(new EnclaveError('ENGINE_UNAVAILABLE', 'Not connected to the host.', { command }));
      }
      const id = nextId++;
      const message: ClientFrame = { type: 'call', id, command, input };
      const frame = JSON.stringify(message);
      return new Promise<CommandResult<C>>((resolve, reject) => {
        pending.set(id, {
          resolve: resolve as (value: unknown) => void,
          reject,
          frame: state === 'open' ? null : frame,
        });
        if (state === 'open') sendFrame(frame);
      });
    },

    on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void {
      let set = listeners.get(event);
      if (set === undefined) {
        set = new Set();
        listeners.set(event, set);
      }
      // Each registration is its own entry, so the same function can be added twice and removed once.
      const entry: Listener = (payload) => listener(payload as EventPayloads[E]);
      set.add(entry);
      return () => {
        listeners.get(event)?.delete(entry);
      };
    },

    connectionState: () => state,

    onConnectionChange(listener) {
      connectionListeners.add(listener);
      return () => {
        connectionListeners.delete(listener);
      };
    },

    dispose() {
      if (disposed) return;
      disposed = true;
      if (retryHandle !== null) timers.clear(retryHandle);
      retryHandle = null;
      const current = socket;
      socket = null;
      generation += 1;
      try {
        current?.close();
      } catch {
        // Already closing.
      }
      setState('closed');
      rejectAll('ENGINE_UNAVAILABLE', 'The connection to the host was closed.');
    },
  };
}
