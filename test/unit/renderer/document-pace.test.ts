import { describe, expect, test } from 'vitest';
import { timeLeftMs } from '../../../renderer/src/features/documents/pace.ts';

describe('time left from the pace so far', () => {
  test('what remains at the pace since the first sample', () => {
    // 20 pages in 4 s since the first look: 200 pages left take 40 s.
    expect(timeLeftMs({ at: 1_000, done: 80 }, { at: 5_000, done: 100 }, 300)).toBe(40_000);
  });

  test('no pace yet: nothing done since the first sample, or no time passed', () => {
    expect(timeLeftMs({ at: 1_000, done: 10 }, { at: 9_000, done: 10 }, 300)).toBeNull();
    expect(timeLeftMs({ at: 1_000, done: 10 }, { at: 1_000, done: 12 }, 300)).toBeNull();
  });

  test('never below zero when more is done than the total counted', () => {
    expect(timeLeftMs({ at: 0, done: 0 }, { at: 1_000, done: 12 }, 10)).toBe(0);
  });
});
