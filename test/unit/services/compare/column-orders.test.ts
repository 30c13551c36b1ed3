/** The per-prompt model orders of a blind prompt set: each a permutation, balanced across the set, and not one order for all. */
import { describe, expect, test } from 'vitest';
import { balancedColumnOrders, type Random } from '../../../../electron/services/compare/column-orders.ts';

/** A seeded generator (mulberry32), so a failure can be replayed. */
function seeded(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** How many times each model sits in each column: counts[model][column]. */
function seats(orders: readonly number[][], models: number): number[] {
  const counts = new Map<string, number>();
  for (let model = 0; model < models; model++) for (let column = 0; column < models; column++) counts.set(`${model}@${column}`, 0);
  for (const order of orders) order.forEach((model, column) => counts.set(`${model}@${column}`, (counts.get(`${model}@${column}`) ?? 0) + 1));
  return [...counts.values()];
}

describe('balanced column orders', () => {
  test.each([
    [2, 11],
    [2, 1],
    [3, 11],
    [4, 11],
    [4, 5],
    [3, 300],
  ])('%i models, %i prompts: every order is a permutation, and each model sits in each column as often as any other, within one', (models, turns) => {
    for (let seed = 1; seed <= 50; seed++) {
      const orders = balancedColumnOrders(models, turns, seeded(seed));
      expect(orders).toHaveLength(turns);
      for (const order of orders) expect([...order].sort()).toEqual(Array.from({ length: models }, (_, model) => model));
      const counts = seats(orders, models);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    }
  });

  test('the 11 prompts of a shipped set do not all get one order, with the real random source', () => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const orders = balancedColumnOrders(2, 11);
      expect(new Set(orders.map((order) => order.join())).size).toBe(2);
    }
  });

  test('the order of one prompt does not decide the next one: both orders follow each order', () => {
    const follows = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) {
      const orders = balancedColumnOrders(2, 11, seeded(seed));
      orders.slice(1).forEach((order, index) => follows.add(`${orders[index]?.join() ?? ''}→${order.join()}`));
    }
    expect(follows).toEqual(new Set(['0,1→0,1', '0,1→1,0', '1,0→0,1', '1,0→1,0']));
  });

  test('with 3 models, a model is not always followed by the same one: the relative order changes across the set', () => {
    const orders = balancedColumnOrders(3, 300, seeded(7));
    expect(new Set(orders.map((order) => order.join())).size).toBe(6);
  });
});
