import { describe, expect, it, vi } from 'vitest';
import { createEventRouter, IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, unwrapOutcome } from '../../../electron/shell/bridge.ts';

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('IPC channels', () => {
  it('are namespaced and distinct', () => {
    expect(IPC_CALL_CHANNEL).toBe('enclave:call');
    expect(IPC_EVENT_CHANNEL).toBe('enclave:event');
  });
});

describe('unwrapOutcome', () => {
  it('returns the result of a successful call, falsy ones included', () => {
    expect(unwrapOutcome({ ok: true, result: [{ id: 'm' }] })).toEqual([{ id: 'm' }]);
    expect(unwrapOutcome({ ok: true, result: null })).toBeNull();
    expect(unwrapOutcome({ ok: true, result: 0 })).toBe(0);
  });

  it('throws the error payload as a plain object, so its code survives the context bridge', () => {
    const error = thrown(() => unwrapOutcome({ ok: false, error: { code: 'MODEL_NOT_FOUND', message: 'no such model', details: { modelId: 'x' } } }));
    expect(error).not.toBeInstanceOf(Error);
    expect(error).toEqual({ code: 'MODEL_NOT_FOUND', message: 'no such model', details: { modelId: 'x' } });
    expect(thrown(() => unwrapOutcome({ ok: false, error: { code: 'BUSY', message: 'busy' } }))).toStrictEqual({ code: 'BUSY', message: 'busy' });
  });

  it('does not pass along extra fields of the error', () => {
    const error = thrown(() => unwrapOutcome({ ok: false, error: { code: 'BUSY', message: 'busy', stack: 'secret', sender: {} } }));
    expect(error).toStrictEqual({ code: 'BUSY', message: 'busy' });
  });

  it.each([undefined, null, 'ok', { ok: true }, { ok: 'true', result: 1 }, { ok: false }, { ok: false, error: { code: 'NOPE', message: 'x' } }, { ok: false, error: 'boom' }])(
    'turns the malformed outcome %j into an INTERNAL error',
    (outcome) => {
      expect(thrown(() => unwrapOutcome(outcome))).toMatchObject({ code: 'INTERNAL' });
    },
  );
});

describe('createEventRouter', () => {
  it('hands each event to the listeners of that event only', () => {
    const router = createEventRouter();
    const deltas: unknown[] = [];
    const statuses: unknown[] = [];
    router.on('chat.delta', (payload) => deltas.push(payload));
    router.on('engine.status', (payload) => statuses.push(payload));
    router.dispatch({ event: 'chat.delta', payload: { jobId: 'j', text: 'Bon' } });
    router.dispatch({ event: 'chat.delta', payload: { jobId: 'j', text: 'jour' } });
    expect(deltas).toEqual([
      { jobId: 'j', text: 'Bon' },
      { jobId: 'j', text: 'jour' },
    ]);
    expect(statuses).toEqual([]);
  });

  it('ignores malformed and unknown messages', () => {
    const router = createEventRouter();
    const listener = vi.fn();
    router.on('chat.done', listener);
    for (const message of [undefined, null, 'chat.done', { event: 42, payload: {} }, { payload: {} }, { event: 'chat.doneX', payload: {} }, { event: '__proto__', payload: {} }]) {
      router.dispatch(message);
    }
    expect(listener).not.toHaveBeenCalled();
  });

  it('stops calling a listener once removed, and keeps duplicate registrations apart', () => {
    const router = createEventRouter();
    const listener = vi.fn();
    const offFirst = router.on('chat.delta', listener);
    const offSecond = router.on('chat.delta', listener);
    router.dispatch({ event: 'chat.delta', payload: 1 });
    expect(listener).toHaveBeenCalledTimes(2);
    offFirst();
    offFirst();
    router.dispatch({ event: 'chat.delta', payload: 2 });
    expect(listener).toHaveBeenCalledTimes(3);
    offSecond();
    router.dispatch({ event: 'chat.delta', payload: 3 });
    expect(listener).toHaveBeenCalledTimes(3);
  });

  it('keeps delivering when one listener throws', () => {
    const errors: unknown[] = [];
    const router = createEventRouter((error) => errors.push(error));
    const after = vi.fn();
    router.on('chat.error', () => {
      throw new Error('listener bug');
    });
    router.on('chat.error', after);
    router.dispatch({ event: 'chat.error', payload: { jobId: 'j' } });
    expect(after).toHaveBeenCalledWith({ jobId: 'j' });
    expect(errors).toEqual([new Error('listener bug')]);
  });

  it('refuses a listener that is not a function', () => {
    const router = createEventRouter();
    expect(() => router.on('chat.delta', 'alert(1)' as never)).toThrow(TypeError);
  });
});
