import { describe, expect, it } from 'vitest';
import type { ClientFrame, ServerFrame } from '#shared/contract.ts';
import { EnclaveError } from '#shared/errors.ts';
import type { ConnectionState } from '../../../renderer/src/api/transport.ts';
import { createWsTransport, reconnectDelay } from '../../../renderer/src/api/ws-transport.ts';
import type { SocketHandlers, Timers } from '../../../renderer/src/api/ws-transport.ts';
import { newJobId } from '#shared/chat.ts';
import { WORKSHOP_LEFT_CLOSE_CODE } from '#shared/workshop.ts';

class FakeSocket {
  sent: ClientFrame[] = [];
  closed = false;
  readonly url: string;
  readonly handlers: SocketHandlers;
  constructor(url: string, handlers: SocketHandlers) {
    this.url = url;
    this.handlers = handlers;
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data) as ClientFrame);
  }
  close(): void {
    this.closed = true;
  }
  open(): void {
    this.handlers.onOpen();
  }
  receive(frame: ServerFrame | string): void {
    this.handlers.onMessage(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }
  drop(code?: number): void {
    this.handlers.onClose(code);
  }
}

class FakeTimers implements Timers {
  scheduled: { callback: () => void; ms: number; cancelled: boolean }[] = [];
  set(callback: () => void, ms: number): unknown {
    const timer = { callback, ms, cancelled: false };
    this.scheduled.push(timer);
    return timer;
  }
  clear(handle: unknown): void {
    (handle as { cancelled: boolean }).cancelled = true;
  }
  /** Runs the timers scheduled so far that were not cancelled. */
  runAll(): void {
    const due = this.scheduled;
    this.scheduled = [];
    for (const timer of due) if (!timer.cancelled) timer.callback();
  }
}

function setup() {
  const sockets: FakeSocket[] = [];
  const timers = new FakeTimers();
  const listenerErrors: unknown[] = [];
  const transport = createWsTransport({
    url: 'ws://127.0.0.1:4000/ws',
    connect: (url, handlers) => {
      const socket = new FakeSocket(url, handlers);
      sockets.push(socket);
      return socket;
    },
    timers,
    initialDelayMs: 100,
    maxDelayMs: 1_000,
    onListenerError: (error) => listenerErrors.push(error),
  });
  const states: ConnectionState[] = [];
  transport.onConnectionChange((state) => states.push(state));
  const socket = (index = sockets.length - 1): FakeSocket => {
    const s = sockets[index];
    if (s === undefined) throw new Error(`no socket ${index}`);
    return s;
  };
  return { transport, sockets, socket, timers, states, listenerErrors };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('ws transport', () => {
  it('a workshop participant whose room is over is closed for good: no reconnecting, calls refused as WORKSHOP_ENDED', async () => {
    const { transport, sockets, socket, timers, states } = setup();
    socket().open();
    const pending = transport.call('conversations.list', {});
    socket().drop(WORKSHOP_LEFT_CLOSE_CODE);
    expect(((await rejection(pending)) as EnclaveError).code).toBe('WORKSHOP_ENDED');
    expect(states).toEqual(['open', 'ended']);
    timers.runAll();
    expect(sockets).toHaveLength(1);
    expect(((await rejection(transport.call('app.info', {}))) as EnclaveError).code).toBe('ENGINE_UNAVAILABLE');
  });

  it('connects to the url and queues calls until the socket opens', async () => {
    const { transport, socket, states } = setup();
    expect(socket().url).toBe('ws://127.0.0.1:4000/ws');
    expect(transport.connectionState()).toBe('connecting');

    const result = transport.call('models.list', {});
    expect(socket().sent).toEqual([]);
    socket().open();
    expect(states).toEqual(['open']);
    expect(socket().sent).toEqual([{ type: 'call', id: 1, command: 'models.list', input: {} }]);

    socket().receive({ type: 'result', id: 1, ok: true, result: [] });
    await expect(result).resolves.toEqual([]);
  });

  it('matches results to calls by id, whatever the order', async () => {
    const { transport, socket } = setup();
    socket().open();
    const info = transport.call('app.info', {});
    const status = transport.call('engine.status', {});
    const [first, second] = socket().sent;
    expect(first?.id).not.toBe(second?.id);

    socket().receive({ type: 'result', id: second?.id ?? -1, ok: true, result: { state: 'idle' } });
    socket().receive({ type: 'result', id: first?.id ?? -1, ok: true, result: { version: '1' } });
    await expect(info).resolves.toEqual({ version: '1' });
    await expect(status).resolves.toEqual({ state: 'idle' });
  });

  it('rejects with an EnclaveError carrying the payload', async () => {
    const { transport, socket } = setup();
    socket().open();
    const call = transport.call('chat.generate', { jobId: newJobId(), modelId: 'x.gguf', messages: [{ role: 'user', content: 'hi' }] });
    socket().receive({
      type: 'result',
      id: 1,
      ok: false,
      error: { code: 'MODEL_NOT_FOUND', message: 'no such model', details: { modelId: 'x.gguf' } },
    });
    const error = await rejection(call);
    expect(error).toBeInstanceOf(EnclaveError);
    expect((error as EnclaveError).toPayload()).toEqual({
      code: 'MODEL_NOT_FOUND',
      message: 'no such model',
      details: { modelId: 'x.gguf' },
    });
  });

  it('turns a malformed error into INTERNAL and ignores garbage frames', async () => {
    const { transport, socket } = setup();
    socket().open();
    const call = transport.call('app.info', {});
    socket().receive('not json');
    socket().receive('42');
    socket().receive({ type: 'result', id: 999, ok: true, result: null });
    socket().receive(JSON.stringify({ type: 'result', id: 1, ok: false, error: { code: 'NOPE' } }));
    expect(((await rejection(call)) as EnclaveError).code).toBe('INTERNAL');
  });

  it('dispatches events to their listeners until removed', () => {
    const { transport, socket, listenerErrors } = setup();
    socket().open();
    const deltas: string[] = [];
    const off = transport.on('chat.delta', (payload) => deltas.push(payload.text));
    transport.on('chat.delta', () => {
      throw new Error('listener bug');
    });
    const statuses: unknown[] = [];
    transport.on('engine.status', (payload) => statuses.push(payload));

    socket().receive({ type: 'event', event: 'chat.delta', payload: { jobId: 'j1', text: 'Bon' } });
    socket().receive({ type: 'event', event: 'chat.delta', payload: { jobId: 'j1', text: 'jour' } });
    off();
    socket().receive({ type: 'event', event: 'chat.delta', payload: { jobId: 'j1', text: '!' } });

    expect(deltas).toEqual(['Bon', 'jour']);
    expect(statuses).toEqual([]);
    expect(listenerErrors).toHaveLength(3);
  });

  it('rejects pending calls with ENGINE_UNAVAILABLE when the socket drops, then reconnects with backoff', async () => {
    const { transport, sockets, socket, timers, states } = setup();
    const deltas: string[] = [];
    transport.on('chat.delta', (payload) => deltas.push(payload.text));
    socket().open();
    const pending = transport.call('models.rescan', {});
    socket().drop();

    const error = (await rejection(pending)) as EnclaveError;
    expect(error).toBeInstanceOf(EnclaveError);
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(transport.connectionState()).toBe('closed');
    // While closed, calls fail at once rather than hang.
    expect(((await rejection(transport.call('app.info', {}))) as EnclaveError).code).toBe('ENGINE_UNAVAILABLE');

    expect(timers.scheduled.map((t) => t.ms)).toEqual([100]);
    timers.runAll();
    expect(sockets).toHaveLength(2);
    socket().drop(); // the second attempt fails too
    expect(timers.scheduled.map((t) => t.ms)).toEqual([200]);
    timers.runAll();
    socket().open();
    expect(states).toEqual(['open', 'closed', 'connecting', 'closed', 'connecting', 'open']);

    // Listeners survive the reconnect; late frames from an old socket are ignored.
    socket().receive({ type: 'event', event: 'chat.delta', payload: { jobId: 'j', text: 'new' } });
    socket(0).receive({ type: 'event', event: 'chat.delta', payload: { jobId: 'j', text: 'old' } });
    expect(deltas).toEqual(['new']);

    const again = transport.call('app.info', {});
    expect(socket().sent).toHaveLength(1);
    socket().receive({ type: 'result', id: socket().sent[0]?.id ?? -1, ok: true, result: { version: '2' } });
    await expect(again).resolves.toEqual({ version: '2' });

    // A successful open resets the backoff.
    socket().drop();
    expect(timers.scheduled.map((t) => t.ms)).toEqual([100]);
  });

  it('caps the backoff', () => {
    expect([0, 1, 2, 3, 4, 5, 50].map((n) => reconnectDelay(n, 250, 5_000))).toEqual([250, 500, 1_000, 2_000, 4_000, 5_000, 5_000]);
  });

  it('treats a socket that cannot be created as a drop', () => {
    const timers = new FakeTimers();
    let attempts = 0;
    const transport = createWsTransport({
      url: 'ws://x/ws',
      connect: () => {
        attempts += 1;
        throw new Error('SyntaxError: invalid url');
      },
      timers,
    });
    expect(transport.connectionState()).toBe('closed');
    timers.runAll();
    expect(attempts).toBe(2);
    transport.dispose();
  });

  it('dispose closes the socket, rejects pending calls and stops reconnecting', async () => {
    const { transport, socket, timers } = setup();
    socket().open();
    const pending = transport.call('app.info', {});
    transport.dispose();
    expect(socket().closed).toBe(true);
    expect(((await rejection(pending)) as EnclaveError).code).toBe('ENGINE_UNAVAILABLE');
    socket().drop();
    expect(timers.scheduled).toEqual([]);
    expect(transport.connectionState()).toBe('closed');
  });
});
