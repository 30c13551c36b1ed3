/** Conversations grouped for the sidebar (pinned first, then by the day of their last message) and flattened into the rows it renders. */
import type { ConversationSummary } from '#shared/conversations.ts';

export const DATE_GROUPS = ['pinned', 'today', 'yesterday', 'week', 'older'] as const;
export type DateGroup = (typeof DATE_GROUPS)[number];

export interface ConversationGroup {
  group: DateGroup;
  conversations: ConversationSummary[];
}

/** Groups in display order, empty ones left out. Days follow the local calendar of `now`. */
export function groupByDate(conversations: readonly ConversationSummary[], now: Date): ConversationGroup[] {
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const yesterday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1).getTime();
  const weekAgo = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 6).getTime();
  const groups = new Map<DateGroup, ConversationSummary[]>(DATE_GROUPS.map((group) => [group, []]));
  for (const conversation of conversations) {
    const at = conversation.updatedAt;
    const group: DateGroup = conversation.pinned ? 'pinned' : at >= today ? 'today' : at >= yesterday ? 'yesterday' : at >= weekAgo ? 'week' : 'older';
    groups.get(group)?.push(conversation);
  }
  return DATE_GROUPS.map((group) => ({ group, conversations: groups.get(group) ?? [] })).filter((g) => g.conversations.length > 0);
}

/** One row of the virtualised sidebar: a group's heading, or a conversation in that group. */
export type SidebarRow = { kind: 'group'; group: DateGroup } | { kind: 'conversation'; group: DateGroup; conversation: ConversationSummary };

export function sidebarRows(groups: readonly ConversationGroup[]): SidebarRow[] {
  return groups.flatMap(({ group, conversations }) => [{ kind: 'group', group } as const, ...conversations.map((conversation) => ({ kind: 'conversation', group, conversation }) as const)]);
}

/** The row a key moves to from the conversation at `from` (headings are skipped), or null when the key does not move or there is nowhere to go. */
export function nextConversationRow(rows: readonly SidebarRow[], from: number, key: string): number | null {
  const isConversation = (index: number) => rows[index]?.kind === 'conversation';
  const search = (start: number, step: 1 | -1): number | null => {
    for (let index = start; index >= 0 && index < rows.length; index += step) if (isConversation(index)) return index;
    return null;
  };
  switch (key) {
    case 'ArrowDown':
      return search(from + 1, 1);
    case 'ArrowUp':
      return search(from - 1, -1);
    case 'Home':
      return search(0, 1);
    case 'End':
      return search(rows.length - 1, -1);
    default:
      return null;
  }
}
