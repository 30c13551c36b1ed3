/**
 * Which waiting answers to generate next, and how many at once. The engine says how many answers
 * it can generate at the same time (`EngineCapacity`: models that fit in memory together run side
 * by side; one today). Each model answers one question at a time, even where the engine could
 * share one model among several answers: its measured speed must be its own, not a share. So the
 * answers started together are for different models. Runs go first come, first served. Within a run the plan avoids
 * reloads: the loaded model's answers first, then model by model (a batch loads each model once).
 * A follow-up turn of a side-by-side run waits for the earlier turn of its column, since each
 * column continues its own thread.
 *
 * Blind runs skip the loaded-model preference: the column that answers first would otherwise be
 * the model the user chatted with last, a tell.
 */
import type { CompareRunKind } from '#shared/compare.ts';

export interface WaitingAnswer {
  runId: string;
  kind: CompareRunKind;
  runCreatedAt: number;
  blind: boolean;
  turn: number;
  /** Where the answer is shown. */
  column: number;
  /** Which of the run's models writes it (its position in the run's list): the same as `column` except in a blind prompt set, whose order changes per prompt. */
  modelColumn: number;
  modelId: string;
}

/** What the engine can run at once; the workbench asks before starting answers. */
export interface EngineCapacity {
  /** How many answers (each on its own model) the engine can generate at the same time; 1 or more. */
  concurrency(): number;
}

/** One answer at a time (tests, and a runner given no capacity). */
export const ONE_AT_A_TIME: EngineCapacity = { concurrency: () => 1 };

export function answerKey(answer: Pick<WaitingAnswer, 'runId' | 'turn' | 'column'>): string {
  return `${answer.runId}/${answer.turn}/${answer.column}`;
}

/**
 * Up to `free` answers to start now, next to the `active` ones (started, not finished), in the
 * order to start them.
 */
export function nextAnswers(waiting: readonly WaitingAnswer[], active: readonly WaitingAnswer[], loadedModelIds: readonly string[], free: number): WaitingAnswer[] {
  const busyModels = new Set(active.map((answer) => answer.modelId));
  const activeKeys = new Set(active.map(answerKey));
  const open = [...waiting.filter((answer) => !activeKeys.has(answerKey(answer))), ...active];
  const picks: WaitingAnswer[] = [];
  for (const runId of runsInOrder(waiting)) {
    const candidates = waiting
      .filter((answer) => answer.runId === runId && !activeKeys.has(answerKey(answer)) && isReady(answer, open))
      .sort((a, b) => preference(a, loadedModelIds) - preference(b, loadedModelIds) || a.modelColumn - b.modelColumn || a.turn - b.turn);
    for (const answer of candidates) {
      if (picks.length >= free) return picks;
      if (busyModels.has(answer.modelId)) continue;
      busyModels.add(answer.modelId);
      picks.push(answer);
    }
  }
  return picks;
}

function runsInOrder(waiting: readonly WaitingAnswer[]): string[] {
  const created = new Map(waiting.map((answer) => [answer.runId, answer.runCreatedAt]));
  return [...created.keys()].sort((a, b) => (created.get(a) ?? 0) - (created.get(b) ?? 0) || a.localeCompare(b));
}

/** A side-by-side column's turn needs that column's earlier turns finished; other kinds have no order. */
function isReady(answer: WaitingAnswer, open: readonly WaitingAnswer[]): boolean {
  if (answer.kind !== 'compare') return true;
  return !open.some((other) => other.runId === answer.runId && other.column === answer.column && other.turn < answer.turn);
}

function preference(answer: WaitingAnswer, loadedModelIds: readonly string[]): number {
  return !answer.blind && loadedModelIds.includes(answer.modelId) ? 0 : 1;
}
