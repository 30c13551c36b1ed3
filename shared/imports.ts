/** Importing model files the user already has (a USB stick, another folder). */
import type { ModelInfo, ModelProblem } from './models.ts';

export interface ImportResult {
  /** The models added to the library, as it now lists them. */
  imported: ModelInfo[];
  /** Files refused, with why (the header check's problem, or a copy failure). */
  refused: { path: string; problem: ModelProblem }[];
  /** Files already in the models folder under the same name and size. */
  skipped: string[];
}
