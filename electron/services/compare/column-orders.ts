/**
 * The order of the models in each turn of a blind prompt set. With one order for the whole set,
 * recognising a model's style once would name it in every other prompt; so each prompt gets its
 * own order, and the orders are balanced: across the set each model sits in each column as often
 * as any other (within one).
 *
 * How: the prompts are dealt at random into groups of as many prompts as there are models; each
 * group gets a Latin square of a fresh random permutation (each model once in each column), its
 * rows given to the group's prompts in random order. A last, smaller group takes some of its
 * square's rows. Groups are random sets of prompts, not neighbours, so one prompt's order says
 * little about another's.
 */
export type Random = () => number;

/** `orders[turn][column]` is the model (its position in the run's list) shown in that column. */
export function balancedColumnOrders(models: number, turns: number, random: Random = Math.random): number[][] {
  const orders: number[][] = Array.from({ length: turns }, () => []);
  const dealt = shuffled(
    Array.from({ length: turns }, (_, turn) => turn),
    random,
  );
  for (let start = 0; start < turns; start += models) {
    const group = dealt.slice(start, start + models);
    const base = shuffled(
      Array.from({ length: models }, (_, model) => model),
      random,
    );
    const rows = shuffled(
      Array.from({ length: models }, (_, shift) => base.map((_, column) => base[(column + shift) % models] as number)),
      random,
    );
    group.forEach((turn, index) => {
      orders[turn] = rows[index] as number[];
    });
  }
  return orders;
}

export function shuffled<T>(items: readonly T[], random: Random = Math.random): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
