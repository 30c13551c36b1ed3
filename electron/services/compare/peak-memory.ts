/**
 * The engine process's peak resident memory for one answer, on Linux: writing "5" to
 * /proc/<pid>/clear_refs resets VmHWM (the high-water mark), which is read back afterwards.
 * Elsewhere (or if /proc is not readable) the figure is null.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export function resetPeakMemory(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // Not Linux, or not allowed: the peak then covers the process's whole life.
  }
}

export function readPeakMemoryBytes(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? null : Number(match[1]) * 1024;
  } catch {
    return null;
  }
}
