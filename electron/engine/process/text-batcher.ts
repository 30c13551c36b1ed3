/**
 * Collects streamed text and flushes it about once per animation frame, so a fast model sends
 * tens of messages a second rather than one per token. The first text of an answer goes out at
 * once: batching it would only delay the first token the user sees by up to one interval. Text of
 * another kind (the reasoning, then the answer) starts a new batch, so the order is kept.
 */
export const FRAME_MS = 16;

export type TextKind = 'answer' | 'thought';

export class TextBatcher {
  private pending = '';
  private pendingKind: TextKind = 'answer';
  private timer: ReturnType<typeof setTimeout> | null = null;
  private sentAny = false;
  private readonly flushTo: (text: string, kind: TextKind) => void;
  private readonly intervalMs: number;

  constructor(flushTo: (text: string, kind: TextKind) => void, intervalMs = FRAME_MS) {
    this.flushTo = flushTo;
    this.intervalMs = intervalMs;
  }

  push(text: string, kind: TextKind = 'answer'): void {
    if (text === '') return;
    if (kind !== this.pendingKind) {
      this.flush();
      this.pendingKind = kind;
    }
    this.pending += text;
    if (!this.sentAny) {
      this.flush();
      return;
    }
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    this.sentAny = true;
    this.flushTo(text, this.pendingKind);
  }
}
