import { describe, expect, it } from 'vitest';
import type { ConversationSummary } from '#shared/conversations.ts';
import { groupByDate, nextConversationRow, sidebarRows } from '../../../renderer/src/features/chat/date-groups.ts';

function conversation(title: string, updatedAt: Date, pinned = false): ConversationSummary {
  return { id: title, title, pinned, source: 'local', createdAt: 0, updatedAt: updatedAt.getTime(), messageCount: 0 };
}

describe('groupByDate', () => {
  it('puts pinned first, then today, yesterday, the previous 7 days and older, by local calendar day', () => {
    const now = new Date(2026, 2, 10, 0, 30); // just after midnight
    const groups = groupByDate(
      [
        conversation('pinned old', new Date(2020, 0, 1), true),
        conversation('today', new Date(2026, 2, 10, 0, 5)),
        conversation('late yesterday', new Date(2026, 2, 9, 23, 59)),
        conversation('five days ago', new Date(2026, 2, 5, 12)),
        conversation('eight days ago', new Date(2026, 2, 2, 12)),
      ],
      now,
    );
    expect(groups.map((g) => [g.group, g.conversations.map((c) => c.title)])).toEqual([
      ['pinned', ['pinned old']],
      ['today', ['today']],
      ['yesterday', ['late yesterday']],
      ['week', ['five days ago']],
      ['older', ['eight days ago']],
    ]);
  });

  it('leaves empty groups out', () => {
    expect(groupByDate([], new Date())).toEqual([]);
  });
});

describe('sidebar rows', () => {
  const now = new Date(2026, 2, 10, 12);
  const rows = sidebarRows(groupByDate([conversation('pinned', new Date(2020, 0, 1), true), conversation('a', now), conversation('b', now), conversation('old', new Date(2020, 0, 1))], now));

  it('flattens the groups into a heading then its conversations', () => {
    expect(rows.map((row) => (row.kind === 'group' ? `# ${row.group}` : row.conversation.title))).toEqual(['# pinned', 'pinned', '# today', 'a', 'b', '# older', 'old']);
  });

  it('moves between conversations with the arrow keys, Home and End, over the headings', () => {
    expect(nextConversationRow(rows, 1, 'ArrowDown')).toBe(3);
    expect(nextConversationRow(rows, 3, 'ArrowUp')).toBe(1);
    expect(nextConversationRow(rows, 1, 'ArrowUp')).toBeNull();
    expect(nextConversationRow(rows, 6, 'ArrowDown')).toBeNull();
    expect(nextConversationRow(rows, 4, 'Home')).toBe(1);
    expect(nextConversationRow(rows, 1, 'End')).toBe(6);
    expect(nextConversationRow(rows, 1, 'Enter')).toBeNull();
  });
});
