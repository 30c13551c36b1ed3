import { describe, expect, it } from 'vitest';
import { chooseBatchSize, chooseThreads, parseThreadOverride, PROMPT_BATCH_SIZE, TINY_MODEL_PARAMETERS } from '../../electron/engine/threads.ts';

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

  it('runs larger models on the cores that do math, never more than the cores available', () => {
    // 8 logical CPUs, 4 physical cores (hyperthreads): llama.cpp's own default is 4.
    expect(chooseThreads({ cores: 8, mathCores: 4, override: null, parameterCount: 1.5e9 })).toBe(4);
    // A container limited to 2 CPUs on a 16-core host.
    expect(chooseThreads({ cores: 2, mathCores: 16, override: null, parameterCount: 1.5e9 })).toBe(2);
    // Unknown: every core.
    expect(chooseThreads({ cores: 6, mathCores: 0, override: null, parameterCount: 1.5e9 })).toBe(6);
    expect(chooseThreads({ cores: 6, mathCores: null, override: null, parameterCount: null })).toBe(6);
    // Tiny models stay on one thread, and an override still wins.
    expect(chooseThreads({ cores: 8, mathCores: 4, override: null, parameterCount: 300_000 })).toBe(1);
    expect(chooseThreads({ cores: 8, mathCores: 4, override: 8, parameterCount: 1.5e9 })).toBe(8);
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

  it('evaluates prompts in batches of PROMPT_BATCH_SIZE tokens, never more than the context holds', () => {
    expect(PROMPT_BATCH_SIZE).toBe(256);
    expect(chooseBatchSize(4096)).toBe(256);
    expect(chooseBatchSize(16_384)).toBe(256);
    expect(chooseBatchSize(100)).toBe(100);
    expect(chooseBatchSize(0)).toBe(1);
  });
});
