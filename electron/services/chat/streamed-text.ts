/**
 * The text of an answer as it streams, saved about once a second: a killed process loses at most
 * that last second, and a long answer costs one write per second, not one per token.
 */
export const SAVE_STREAMED_TEXT_EVERY_MS = 1_000;

export class StreamedText {
  private text = '';
  private savedAt: number;
  private readonly save: (text: string) => void;
  private readonly now: () => number;

  /** `save` gets the whole text so far; it should not throw (a failed write must not stop the stream). */
  constructor(save: (text: string) => void, now: () => number = Date.now) {
    this.save = save;
    this.now = now;
    this.savedAt = now();
  }

  append(delta: string): void {
    this.text += delta;
    if (this.now() - this.savedAt < SAVE_STREAMED_TEXT_EVERY_MS) return;
    this.savedAt = this.now();
    this.save(this.text);
  }

  /** The answer's final text: the engine's when it sends one, else what streamed. */
  final(engineText: string): string {
    return engineText !== '' ? engineText : this.text;
  }

  get value(): string {
    return this.text;
  }
}
