/** Which comparison answers start next, one at a time (today's engine) or several at once. */
import { describe, expect, test } from 'vitest';
import { nextAnswers, type WaitingAnswer } from '../../../../electron/services/compare/schedule.ts';

function cell(runId: string, turn: number, column: number, modelId: string, options: Partial<Pick<WaitingAnswer, 'kind' | 'runCreatedAt' | 'blind' | 'modelColumn'>> = {}): WaitingAnswer {
  return { runId, kind: options.kind ?? 'batch', runCreatedAt: options.runCreatedAt ?? 1, blind: options.blind ?? false, turn, column, modelColumn: options.modelColumn ?? column, modelId };
}

const at = (answers: readonly WaitingAnswer[]): [string, number, number][] => answers.map((answer) => [answer.runId, answer.turn, answer.column]);

describe('one at a time', () => {
  const batch = [cell('r', 0, 0, 'a'), cell('r', 1, 0, 'a'), cell('r', 0, 1, 'b'), cell('r', 1, 1, 'b')];

  test('a batch goes model by model, the loaded model first', () => {
    expect(at(nextAnswers(batch, [], [], 1))).toEqual([['r', 0, 0]]);
    expect(at(nextAnswers(batch, [], ['b'], 1))).toEqual([['r', 0, 1]]);
  });

  test('played to the end, a batch of two models loads each once', () => {
    let waiting = [...batch];
    let loaded = ['b'];
    const order: string[] = [];
    while (waiting.length > 0) {
      const [next] = nextAnswers(waiting, [], loaded, 1);
      if (next === undefined) throw new Error('nothing picked');
      order.push(next.modelId);
      loaded = [next.modelId];
      waiting = waiting.filter((answer) => answer !== next);
    }
    expect(order).toEqual(['b', 'b', 'a', 'a']);
  });

  test('a blind run ignores the loaded model: going first would tell which column it is', () => {
    const blind = batch.map((answer) => ({ ...answer, blind: true }));
    expect(at(nextAnswers(blind, [], ['b'], 1))).toEqual([['r', 0, 0]]);
  });

  test('a blind prompt set, its models in a different order per prompt, still goes model by model', () => {
    // Turn 0 shows a then b, turn 1 b then a.
    let waiting = [
      cell('r', 0, 0, 'a', { blind: true, modelColumn: 0 }),
      cell('r', 0, 1, 'b', { blind: true, modelColumn: 1 }),
      cell('r', 1, 0, 'b', { blind: true, modelColumn: 1 }),
      cell('r', 1, 1, 'a', { blind: true, modelColumn: 0 }),
    ];
    const order: string[] = [];
    while (waiting.length > 0) {
      const [next] = nextAnswers(waiting, [], [], 1);
      if (next === undefined) throw new Error('nothing picked');
      order.push(next.modelId);
      waiting = waiting.filter((answer) => answer !== next);
    }
    expect(order).toEqual(['a', 'a', 'b', 'b']);
  });

  test('a side-by-side follow-up waits for the earlier turn of its own column; older runs go first', () => {
    const waiting = [cell('r', 1, 0, 'a', { kind: 'compare' }), cell('r', 2, 0, 'a', { kind: 'compare' }), cell('r', 2, 1, 'b', { kind: 'compare' })];
    // Column A's turn 2 waits for its turn 1; column B's turn 1 is done, so its turn 2 may go (first, B being loaded).
    expect(at(nextAnswers(waiting, [], [], 2))).toEqual([
      ['r', 1, 0],
      ['r', 2, 1],
    ]);
    expect(at(nextAnswers(waiting, [], ['b'], 1))).toEqual([['r', 2, 1]]);
    // Column B's turn 1 is still being generated: its turn 2 waits.
    expect(at(nextAnswers(waiting, [cell('r', 1, 1, 'b', { kind: 'compare' })], ['b'], 1))).toEqual([['r', 1, 0]]);
    expect(at(nextAnswers([cell('new', 0, 0, 'a', { runCreatedAt: 5 }), cell('old', 0, 1, 'b', { runCreatedAt: 2 })], [], ['a'], 1))).toEqual([['old', 0, 1]]);
    expect(nextAnswers([], [], [], 1)).toEqual([]);
  });
});

describe('several at once', () => {
  test('up to the free places, each on a different model', () => {
    const waiting = [cell('r', 0, 0, 'a'), cell('r', 1, 0, 'a'), cell('r', 0, 1, 'b'), cell('r', 1, 1, 'b'), cell('r', 0, 2, 'c')];
    expect(at(nextAnswers(waiting, [], [], 2))).toEqual([
      ['r', 0, 0],
      ['r', 0, 1],
    ]);
    expect(at(nextAnswers(waiting, [], [], 4))).toEqual([
      ['r', 0, 0],
      ['r', 0, 1],
      ['r', 0, 2],
    ]);
  });

  test('a model already answering is not given a second answer; a free place goes to the next run', () => {
    const waiting = [cell('r', 1, 0, 'a'), cell('r', 1, 1, 'b'), cell('s', 0, 0, 'c', { runCreatedAt: 9 })];
    const active = [cell('r', 0, 0, 'a'), cell('r', 0, 1, 'b')];
    expect(at(nextAnswers([...waiting, ...active], active, [], 1))).toEqual([['s', 0, 0]]);
    expect(nextAnswers(waiting.slice(0, 2), active, [], 2)).toEqual([]);
  });
});
