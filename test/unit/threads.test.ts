import { describe, expect, it } from 'vitest';
import { chooseThreads, parseThreadOverride, TINY_MODEL_PARAMETERS } from '../../electron/engine/threads.ts';

describe('thread choice', () => {
  it('uses the override when one is given', () => {
    expect(chooseThreads({ cores: 8, override: 3, parameterCount: 7e9 })).toBe(3);
  });

  it('runs tiny models on one thread and others on every core', () => {
    expect(chooseThreads({ cores: 8, override: null, parameterCount: TINY_MODEL_PARAMETERS - 1 })).toBe(1);
    expect(chooseThreads({ cores: 8, override: null, parameterCount: 1.5e9 })).toBe(8);
    expect(chooseThreads({ cores: 2, override: null, parameterCount: null })).toBe(2);
    expect(chooseThreads({ cores: 0, override: null, parameterCount: null })).toBe(1);
  });

  it.each([
    [undefined, null],
    ['', null],
    ['4', 4],
    [' 2 ', 2],
    ['0', null],
    ['-1', null],
    ['1.5', null],
    ['many', null],
    ['100000', null],
  ])('parses ENCLAVE_THREADS=%j as %j', (value, expected) => {
    expect(parseThreadOverride(value)).toBe(expected);
  });
});
