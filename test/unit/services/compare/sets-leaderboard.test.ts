import { describe, expect, test } from 'vitest';
import { ELO_START, leaderboard } from '../../../../electron/services/compare/leaderboard.ts';
import { BUILTIN_SETS, exportSet, parseSet } from '../../../../electron/services/compare/prompt-sets.ts';

describe('leaderboard (Elo)', () => {
  test('one vote is no verdict: the winner’s share of points could be anywhere from 21 % to 100 %', () => {
    const board = leaderboard([{ vote: { winner: 1 }, modelIds: ['a', 'b'], category: null }]);
    expect(board.verdict).toMatchObject({ leader: 'b', runnerUp: 'a', margin: 32, votes: 1, clear: false });
    expect(board.verdict?.share.value).toBe(1);
    expect(board.verdict?.share.low).toBeCloseTo(0.2065, 3);
    expect(board.verdict?.share.high).toBe(1);
  });

  test('a model that wins 18 of 20 votes leads clearly; 6 of 10 does not', () => {
    // b's wins alternate with a's, then a wins the rest (Elo weighs recent votes more).
    const votes = (won: number, total: number) => Array.from({ length: total }, (_, index) => ({ vote: { winner: index < 2 * (total - won) ? index % 2 : 0 }, modelIds: ['a', 'b'], category: null }));
    const clear = leaderboard(votes(18, 20)).verdict;
    expect(clear).toMatchObject({ leader: 'a', votes: 20, clear: true });
    // Wilson at 95 % for 18 of 20: 0.699 to 0.972.
    expect(clear?.share.low).toBeCloseTo(0.699, 3);
    expect(clear?.share.high).toBeCloseTo(0.972, 3);
    const unsure = leaderboard(votes(6, 10)).verdict;
    expect(unsure).toMatchObject({ leader: 'a', votes: 10, clear: false });
    expect(unsure?.share.low).toBeLessThan(0.5);
    expect(leaderboard([]).verdict).toBeNull();
  });

  test('a win moves 16 points between equals; ties and "both bad" pull ratings together', () => {
    const board = leaderboard([{ vote: { winner: 1 }, modelIds: ['a', 'b'], category: 'email' }]);
    expect(board.overall).toMatchObject([
      { modelId: 'b', rating: ELO_START + 16, votes: 1, wins: 1, losses: 0, ties: 0 },
      { modelId: 'a', rating: ELO_START - 16, votes: 1, wins: 0, losses: 1, ties: 0 },
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
  test('one shipped set in French, one in English, each covering the business tasks with grading notes', () => {
    expect(BUILTIN_SETS.map((set) => set.language).sort()).toEqual(['en', 'fr']);
    for (const set of BUILTIN_SETS) {
      expect(set.prompts.length).toBeGreaterThanOrEqual(8);
      expect(new Set(set.prompts.map((prompt) => prompt.category))).toEqual(new Set(['email', 'summary', 'translation', 'quote', 'spreadsheet', 'reasoning', 'extraction']));
      for (const prompt of set.prompts) expect(prompt.gradingNotes?.length ?? 0).toBeGreaterThan(20);
      // Both directions of translation.
      expect(set.prompts.filter((prompt) => prompt.category === 'translation')).toHaveLength(2);
    }
  });

  test('the French set is written in French and the English one in English', () => {
    // Common words of each language, counted in the instructions (quoted texts, such as one to translate, left out).
    const french = /\b(le|la|les|des|de|du|un|une|en|au|pour|avec|est|et|ce|sous)\b/gi;
    const english = /\b(the|and|with|for|is|of|to|a|this|in)\b/gi;
    for (const set of BUILTIN_SETS) {
      for (const { prompt: text } of set.prompts) {
        const prompt = text.replace(/«[^»]*»|"[^"]*"/g, '');
        const fr = prompt.match(french)?.length ?? 0;
        const en = prompt.match(english)?.length ?? 0;
        if (set.language === 'fr') expect(fr, prompt).toBeGreaterThan(en);
        else expect(en, prompt).toBeGreaterThan(fr);
      }
    }
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
