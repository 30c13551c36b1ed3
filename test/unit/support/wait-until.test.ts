import { describe, expect, it } from 'vitest';
import { waitUntil } from '../../support/wait-until.ts';

describe('waitUntil', () => {
  it('resolves with the first truthy value, checking again until it comes', async () => {
    let calls = 0;
    const value = await waitUntil(() => (++calls >= 3 ? { calls } : null), 'the third call', { intervalMs: 1 });
    expect(value).toEqual({ calls: 3 });
  });

  it('takes async conditions, and counts a throw as "not yet"', async () => {
    let calls = 0;
    const value = await waitUntil(
      async () => {
        calls++;
        if (calls < 3) throw new Error('not ready');
        return 'ready';
      },
      'a ready value',
      { intervalMs: 1 },
    );
    expect(value).toBe('ready');
  });

  it('fails after the timeout, naming what it waited for and what the condition last said', async () => {
    await expect(waitUntil(() => 0, 'a number above zero', { timeoutMs: 30, intervalMs: 5 })).rejects.toThrow(/waited 30 ms for a number above zero; the condition last returned 0/);
    await expect(
      waitUntil(
        () => {
          throw new Error('the file is absent');
        },
        'the file',
        { timeoutMs: 30, intervalMs: 5 },
      ),
    ).rejects.toThrow(/the condition last threw the file is absent/);
  });
});
