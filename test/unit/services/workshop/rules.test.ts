/** Workshop mode's pure rules: the shipped exercises, wrong-code limits, ports. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { isUserPort, parseUserPort } from '#shared/ports.ts';
import { JOIN_ATTEMPTS_LIMIT } from '#shared/workshop.ts';
import { loadExerciseSets, WORKSHOP_EXERCISES } from '../../../../electron/services/workshop/exercises.ts';
import { JoinAttempts } from '../../../../electron/services/workshop/join-attempts.ts';

const SEEDS = join(import.meta.dirname, '..', '..', '..', '..', 'seeds', 'workshop-exercises');

describe('workshop exercises (seeds/workshop-exercises)', () => {
  test('every file there is shipped, valid, in French and English', () => {
    const files = readdirSync(SEEDS).filter((name) => name.endsWith('.json'));
    expect(files.length).toBe(WORKSHOP_EXERCISES.length);
    const fromDisk = loadExerciseSets(files.map((name) => JSON.parse(readFileSync(join(SEEDS, name), 'utf8')) as unknown));
    expect([...fromDisk].sort((a, b) => a.language.localeCompare(b.language))).toEqual([...WORKSHOP_EXERCISES].sort((a, b) => a.language.localeCompare(b.language)));
    expect(WORKSHOP_EXERCISES.map((set) => set.language).sort()).toEqual(['en', 'fr']);
    for (const set of WORKSHOP_EXERCISES) {
      expect(set.exercises.length).toBeGreaterThanOrEqual(4);
      for (const exercise of set.exercises) expect(exercise.id.startsWith(`${set.language}-`)).toBe(true);
    }
  });

  test('a set with a duplicate id or a missing field is refused', () => {
    const [first] = WORKSHOP_EXERCISES;
    if (first === undefined) throw new Error('no exercise set');
    expect(() => loadExerciseSets([first, { ...first, language: 'en' }])).toThrow(/appears twice/);
    expect(() => loadExerciseSets([{ ...first, exercises: [{ id: 'x', title: 'No prompt', goal: 'g' }] }])).toThrow();
    expect(() => loadExerciseSets([{ ...first, format: 'enclave.prompt-set' }])).toThrow();
  });
});

describe('wrong join codes per address', () => {
  test(`${JOIN_ATTEMPTS_LIMIT.wrong} a minute, then a wait until the oldest is a minute old`, () => {
    const attempts = new JoinAttempts();
    for (let n = 0; n < JOIN_ATTEMPTS_LIMIT.wrong; n++) {
      expect(attempts.waitMs('10.0.0.7', 1000 + n)).toBe(0);
      attempts.recordWrong('10.0.0.7', 1000 + n);
    }
    expect(attempts.waitMs('10.0.0.7', 1010)).toBe(JOIN_ATTEMPTS_LIMIT.windowMs - 10);
    expect(attempts.waitMs('10.0.0.8', 1010)).toBe(0);
    expect(attempts.waitMs('10.0.0.7', 1000 + JOIN_ATTEMPTS_LIMIT.windowMs)).toBe(0);
    attempts.clear();
    expect(attempts.waitMs('10.0.0.7', 1010)).toBe(0);
  });
});

describe('user ports', () => {
  test.each([
    ['5171', 5171],
    [' 1024 ', 1024],
    ['65535', 65535],
    ['1023', null],
    ['65536', null],
    ['0', null],
    ['51.7', null],
    ['5e3', null],
    ['-5171', null],
    ['', null],
  ])('%j is %s', (text, port) => {
    expect(parseUserPort(text)).toBe(port);
  });

  test('isUserPort: integers from 1024 to 65535', () => {
    expect([1023, 1024, 65535, 65536, 5171.5].map(isUserPort)).toEqual([false, true, true, false, false]);
  });
});
