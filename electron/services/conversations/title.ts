/** A title made from the start of a text (a conversation's first question, a comparison's prompt). */
export const TITLE_MAX_CHARS = 60;

/** The first line, cut with an ellipsis beyond TITLE_MAX_CHARS characters. */
export function titleFrom(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > TITLE_MAX_CHARS ? `${line.slice(0, TITLE_MAX_CHARS - 1)}…` : line;
}
