/** The workshop exercises shipped in seeds/workshop-exercises, validated once at load. */
import exercisesEn from '../../../seeds/workshop-exercises/exercises-en.json' with { type: 'json' };
import exercisesFr from '../../../seeds/workshop-exercises/exercises-fr.json' with { type: 'json' };
import { workshopExerciseSetSchema, type WorkshopExerciseSet } from '#shared/workshop.ts';

/** Parses exercise sets; ids must be unique across them (the console keys its list by id). */
export function loadExerciseSets(raw: readonly unknown[]): WorkshopExerciseSet[] {
  const sets = raw.map((set) => workshopExerciseSetSchema.parse(set));
  const ids = new Set<string>();
  for (const { id } of sets.flatMap((set) => set.exercises)) {
    if (ids.has(id)) throw new Error(`workshop exercise ${id} appears twice`);
    ids.add(id);
  }
  return sets;
}

export const WORKSHOP_EXERCISES: readonly WorkshopExerciseSet[] = loadExerciseSets([exercisesFr, exercisesEn]);
