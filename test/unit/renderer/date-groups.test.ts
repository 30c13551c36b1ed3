import { describe, expect, it } from 'vitest';
import type { ConversationSummary } from '#shared/conversations.ts';
import { groupByDate } from '../../../renderer/src/features/chat/date-groups.ts';

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
