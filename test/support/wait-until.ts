/**
 * The one way tests wait for something to happen, in vitest and in Playwright's Node side: check a
 * condition now and then every `intervalMs` until it holds, instead of sleeping a fixed time and
 * hoping. The timeout only bounds a hang (it is not a measured assertion): when it passes, the error
 * says what was awaited and what the condition last returned or threw.
 */

export interface WaitOptions {
  /** Upper bound against a hang; default 30 s, well under the test timeouts. */
  timeoutMs?: number;
  /** How often the condition is checked; default 20 ms. */
  intervalMs?: number;
}

/** A value that satisfies the wait: anything but false, null, undefined, 0 and ''. */
type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/**
 * Resolves with the first truthy value `condition` returns (it may be async, and may throw while
 * not ready yet: a throw counts as "not yet"). Rejects after `timeoutMs`, naming `what`.
 */
export async function waitUntil<T>(condition: () => T | Promise<T>, what: string, options: WaitOptions = {}): Promise<Truthy<T>> {
  const { timeoutMs = 30_000, intervalMs = 20 } = options;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as Truthy<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      const seen = last instanceof Error ? `threw ${last.message}` : `returned ${describe(last)}`;
      throw new Error(`waited ${timeoutMs} ms for ${what}; the condition last ${seen}`, { cause: last });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
