import { describe, expect, it } from 'vitest';
import { chooseBatchSize, chooseThreads, DECODE_ALONE_BELOW_PARAMETERS, parseThreadOverride, PROMPT_BATCH_SIZE } from '../../../electron/engine/process/threads.ts';

describe('thread choice', () => {
  it('uses the override for prompts and generation alike', () => {
    expect(chooseThreads({ cores: 8, override: 3, parameterCount: 7e9 })).toEqual({ prompt: 3, decode: 3 });
    expect(chooseThreads({ cores: 8, mathCores: 4, override: 8, parameterCount: 1e6 })).toEqual({ prompt: 8, decode: 8 });
  });

  it('evaluates prompts on every math core; generates small models on one thread, larger ones on every math core', () => {
    expect(chooseThreads({ cores: 8, override: null, parameterCount: DECODE_ALONE_BELOW_PARAMETERS - 1 })).toEqual({ prompt: 8, decode: 1 });
    expect(chooseThreads({ cores: 2, override: null, parameterCount: 135e6 })).toEqual({ prompt: 2, decode: 1 });
    expect(chooseThreads({ cores: 8, override: null, parameterCount: DECODE_ALONE_BELOW_PARAMETERS })).toEqual({ prompt: 8, decode: 8 });
    expect(chooseThreads({ cores: 8, override: null, parameterCount: 1.5e9 })).toEqual({ prompt: 8, decode: 8 });
    // Before a model is known (the engine's start): every core.
    expect(chooseThreads({ cores: 2, override: null, parameterCount: null })).toEqual({ prompt: 2, decode: 2 });
    expect(chooseThreads({ cores: 0, override: null, parameterCount: null })).toEqual({ prompt: 1, decode: 1 });
  });

  it('generates every model on every math core when llama.cpp keeps a thread pool (built with OpenMP)', () => {
    expect(chooseThreads({ cores: 2, override: null, parameterCount: 135e6, threadPool: true })).toEqual({ prompt: 2, decode: 2 });
    expect(chooseThreads({ cores: 8, mathCores: 4, override: null, parameterCount: 300_000, threadPool: true })).toEqual({ prompt: 4, decode: 4 });
    expect(chooseThreads({ cores: 2, override: null, parameterCount: 135e6, threadPool: false })).toEqual({ prompt: 2, decode: 1 });
    expect(chooseThreads({ cores: 8, override: 1, parameterCount: 1.5e9, threadPool: true })).toEqual({ prompt: 1, decode: 1 });
  });

  it('counts the cores that do math, never more than the cores available', () => {
    // 8 logical CPUs, 4 physical cores (hyperthreads): llama.cpp's own default is 4.
    expect(chooseThreads({ cores: 8, mathCores: 4, override: null, parameterCount: 1.5e9 })).toEqual({ prompt: 4, decode: 4 });
    // A container limited to 2 CPUs on a 16-core host.
    expect(chooseThreads({ cores: 2, mathCores: 16, override: null, parameterCount: 1.5e9 })).toEqual({ prompt: 2, decode: 2 });
    // Unknown: every core.
    expect(chooseThreads({ cores: 6, mathCores: 0, override: null, parameterCount: 1.5e9 })).toEqual({ prompt: 6, decode: 6 });
    expect(chooseThreads({ cores: 6, mathCores: null, override: null, parameterCount: null })).toEqual({ prompt: 6, decode: 6 });
    expect(chooseThreads({ cores: 8, mathCores: 4, override: null, parameterCount: 300_000 })).toEqual({ prompt: 4, decode: 1 });
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
