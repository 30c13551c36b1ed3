/** A transport for store tests: the test answers its calls by hand and emits its events. */
import type { CommandName, EventName, EventPayloads } from '#shared/contract.ts';
import type { ConnectionState, Transport } from '../../../renderer/src/api/transport.ts';
import type { KeyValueStorage } from '../../../renderer/src/state/slice.ts';

interface Call {
  command: CommandName;
  input: unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** A transport whose calls the test answers by hand and whose events the test emits. */
export function fakeTransport(initial: ConnectionState = 'open') {
  const calls: Call[] = [];
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  let state = initial;
  const transport: Transport = {
    kind: 'web',
    call(command, input) {
      return new Promise((resolve, reject) => {
        calls.push({ command, input, resolve: resolve as (value: unknown) => void, reject });
      });
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (set === undefined) listeners.set(event, (set = new Set()));
      const entry = listener as (payload: unknown) => void;
      set.add(entry);
      return () => set.delete(entry);
    },
    connectionState: () => state,
    onConnectionChange(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
    dispose() {},
  };
  return {
    transport,
    calls,
    emit<E extends EventName>(event: E, payload: EventPayloads[E]) {
      for (const listener of listeners.get(event) ?? []) listener(payload);
    },
    setConnection(next: ConnectionState) {
      state = next;
      for (const listener of connectionListeners) listener(next);
    },
    /** The job id the store chose for its oldest unanswered chat.generate. */
    jobIdSent(): string {
      const call = calls.find((c) => c.command === 'chat.generate');
      const jobId = (call?.input as { jobId?: unknown } | undefined)?.jobId;
      if (typeof jobId !== 'string') throw new Error('no pending chat.generate with a job id');
      return jobId;
    },
    /** Answers the oldest unanswered call of this command. */
    answer(command: CommandName, value: unknown) {
      const index = calls.findIndex((c) => c.command === command);
      const call = calls[index];
      if (call === undefined) throw new Error(`no pending ${command} call`);
      calls.splice(index, 1);
      call.resolve(value);
    },
    fail(command: CommandName, error: unknown) {
      const index = calls.findIndex((c) => c.command === command);
      const call = calls[index];
      if (call === undefined) throw new Error(`no pending ${command} call`);
      calls.splice(index, 1);
      call.reject(error);
    },
    pending: (command: CommandName) => calls.filter((c) => c.command === command),
  };
}

export const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export function memoryStorage(initial: Record<string, string> = {}): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return {
    data,
    get: (key) => data.get(key) ?? null,
    set: (key, value) => {
      if (value === null) data.delete(key);
      else data.set(key, value);
    },
  };
}
