/**
 * Which answer of the waiting ones to generate next. This machine's engine holds one model at a
 * time, so answers run one after another, and the plan avoids reloading: first the answers for
 * the model already loaded, then model by model. Follow-up turns of a side-by-side run wait for the
 * earlier turn (each column continues its own thread).
 *
 * Concurrency later: an engine that keeps several models loaded would take a memory budget and
 * hand the head of each model's queue to its own slot when the models fit together; this plan
 * (per-model order, turn dependencies) stays the same.
 */
import type { CompareRunKind } from '../../../shared/compare.ts';

export interface WaitingAnswer {
  runId: string;
  kind: CompareRunKind;
  runCreatedAt: number;
  turn: number;
  column: number;
  modelId: string;
}

export function nextAnswer(waiting: readonly WaitingAnswer[], loadedModelId: string | null): WaitingAnswer | null {
  const firstRun = [...waiting].sort((a, b) => a.runCreatedAt - b.runCreatedAt)[0];
  if (firstRun === undefined) return null;
  let candidates = waiting.filter((answer) => answer.runId === firstRun.runId);
  if (firstRun.kind === 'compare') {
    const turn = Math.min(...candidates.map((answer) => answer.turn));
    candidates = candidates.filter((answer) => answer.turn === turn);
  }
  const byModelThenTurn = (a: WaitingAnswer, b: WaitingAnswer): number => a.column - b.column || a.turn - b.turn;
  const onLoaded = candidates.filter((answer) => answer.modelId === loadedModelId).sort(byModelThenTurn);
  return onLoaded[0] ?? candidates.sort(byModelThenTurn)[0] ?? null;
}
