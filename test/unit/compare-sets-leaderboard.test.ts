import { describe, expect, test } from 'vitest';
import { ELO_START, leaderboard } from '../../electron/services/compare/leaderboard.ts';
import { BUILTIN_SETS, exportSet, parseSet } from '../../electron/services/compare/prompt-sets.ts';
import { nextAnswer, type WaitingAnswer } from '../../electron/services/compare/schedule.ts';

describe('leaderboard (Elo)', () => {
  test('a win moves 16 points between equals; ties and "both bad" pull ratings together', () => {
    const board = leaderboard([{ vote: { winner: 1 }, modelIds: ['a', 'b'], category: 'email' }]);
    expect(board.overall).toEqual([
      { modelId: 'b', rating: ELO_START + 16, wins: 1, losses: 0, ties: 0 },
      { modelId: 'a', rating: ELO_START - 16, wins: 0, losses: 1, ties: 0 },
    ]);
    const later = leaderboard([
      { vote: { winner: 1 }, modelIds: ['a', 'b'], category: 'email' },
      { vote: { outcome: 'bad' }, modelIds: ['a', 'b'], category: 'quote' },
    ]);
    expect(later.overall.find((row) => row.modelId === 'b')?.rating).toBeLessThan(ELO_START + 16);
    expect(later.byCategory.map((entry) => entry.category)).toEqual(['email', 'quote']);
    expect(later.byCategory[1]?.rows.every((row) => row.rating === ELO_START && row.ties === 1)).toBe(true);
  });

  test('with three columns the winner beats each of the others', () => {
    const board = leaderboard([{ vote: { winner: 2 }, modelIds: ['a', 'b', 'c'], category: null }]);
    expect(board.overall[0]).toMatchObject({ modelId: 'c', wins: 2 });
    expect(board.byCategory).toEqual([]);
  });
});

describe('prompt sets', () => {
  test('the shipped sets cover the business tasks in French and English', () => {
    const categories = new Set(BUILTIN_SETS.flatMap((set) => set.prompts.map((prompt) => prompt.category)));
    expect([...categories].sort()).toEqual(['email', 'quote', 'reasoning', 'spreadsheet', 'summary', 'translation']);
    expect(BUILTIN_SETS.map((set) => set.language)).toContain('fr');
  });

  test('CSV and JSON round-trip, quotes, commas and line breaks included', () => {
    const set = BUILTIN_SETS[0];
    if (set === undefined) throw new Error('no set');
    for (const format of ['csv', 'json'] as const) {
      const file = exportSet(set, format);
      const back = parseSet(file.content, format, set.name);
      expect(back.prompts).toEqual(set.prompts);
    }
  });

  test('a CSV without the needed columns, or bad JSON, is refused with PROMPT_SET_INVALID', () => {
    expect(() => parseSet('question\nhello', 'csv', 'x')).toThrow(expect.objectContaining({ code: 'PROMPT_SET_INVALID' }));
    expect(() => parseSet('{not json', 'json', undefined)).toThrow(expect.objectContaining({ code: 'PROMPT_SET_INVALID' }));
    expect(() => parseSet('{"name":"x","language":"fr","prompts":[]}', 'json', undefined)).toThrow(expect.objectContaining({ code: 'PROMPT_SET_INVALID' }));
  });
});

describe('schedule', () => {
  const cell = (runId: string, turn: number, column: number, modelId: string, kind: WaitingAnswer['kind'] = 'batch', runCreatedAt = 1): WaitingAnswer => ({ runId, kind, runCreatedAt, turn, column, modelId });

  test('a batch finishes the loaded model first, then goes model by model', () => {
    const waiting = [cell('r', 0, 0, 'a'), cell('r', 1, 0, 'a'), cell('r', 0, 1, 'b'), cell('r', 1, 1, 'b')];
    expect(nextAnswer(waiting, null)).toMatchObject({ turn: 0, column: 0 });
    expect(nextAnswer(waiting, 'b')).toMatchObject({ turn: 0, column: 1 });
  });

  test('a side-by-side follow-up waits for the earlier turn; older runs go first', () => {
    const waiting = [cell('r', 1, 0, 'a', 'compare'), cell('r', 2, 0, 'a', 'compare'), cell('r', 1, 1, 'b', 'compare')];
    expect(nextAnswer(waiting, 'a')).toMatchObject({ turn: 1, column: 0 });
    expect(nextAnswer([cell('new', 0, 0, 'a', 'batch', 5), cell('old', 0, 1, 'b', 'batch', 2)], 'a')).toMatchObject({ runId: 'old' });
    expect(nextAnswer([], null)).toBeNull();
  });
});
