/**
 * Wrong join codes per remote address: a six-digit code cannot be tried out by a script when each
 * address gets only a few wrong tries a minute.
 */
import { JOIN_ATTEMPTS_LIMIT } from '#shared/workshop.ts';

export class JoinAttempts {
  private readonly failures = new Map<string, number[]>();

  /** How long this address must wait before it may try again (0: it may try now). */
  waitMs(address: string, now: number = Date.now()): number {
    const recent = this.recent(address, now);
    if (recent.length < JOIN_ATTEMPTS_LIMIT.wrong) return 0;
    return JOIN_ATTEMPTS_LIMIT.windowMs - (now - (recent[0] ?? now));
  }

  recordWrong(address: string, now: number = Date.now()): void {
    this.failures.set(address, [...this.recent(address, now), now]);
  }

  /** A new join code: earlier guesses say nothing about it. */
  clear(): void {
    this.failures.clear();
  }

  private recent(address: string, now: number): number[] {
    const recent = (this.failures.get(address) ?? []).filter((time) => now - time < JOIN_ATTEMPTS_LIMIT.windowMs);
    if (recent.length === 0) this.failures.delete(address);
    else this.failures.set(address, recent);
    return recent;
  }
}
