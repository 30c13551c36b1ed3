/** Conversations grouped for the sidebar: pinned first, then by the day of their last message. */
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
