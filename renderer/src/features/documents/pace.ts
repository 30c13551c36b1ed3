/** Time left from the pace so far: what was done since the first look, over the time it took, applied to what remains. */

export interface PaceSample {
  at: number;
  done: number;
}

/** Milliseconds left, or null while nothing was done since the first sample (no pace yet). */
export function timeLeftMs(first: PaceSample, now: PaceSample, total: number): number | null {
  const done = now.done - first.done;
  const elapsed = now.at - first.at;
  if (done <= 0 || elapsed <= 0) return null;
  return Math.max(0, ((total - now.done) * elapsed) / done);
}
