/**
 * Many conversations written straight into a data folder's database (one transaction), for the
 * tests and the benchmark that need a heavy user's sidebar. Safe while a host has the file open
 * (WAL): the host lists conversations from the database on each `conversations.list`.
 */
import { join } from 'node:path';
import { ConversationService } from '../../electron/services/conversations/conversation-service.ts';
import { CONVERSATIONS_DB_FILE_NAME } from '../../electron/services/conversations/open-conversations.ts';
import { openDatabase } from '../../electron/services/platform/db/database.ts';

/** The title of the n-th conversation seeded (1 is the newest, shown first). */
export const seededTitle = (n: number): string => `Conversation ${n}`;

/** `count` empty conversations, a minute apart and all older than today, the newest numbered 1. */
export function seedConversations(dataDir: string, count: number): void {
  const { db } = openDatabase(join(dataDir, CONVERSATIONS_DB_FILE_NAME));
  const service = new ConversationService(db);
  const newest = Date.now() - 30 * 24 * 60 * 60 * 1000;
  try {
    db.exec('BEGIN');
    for (let n = count; n >= 1; n--) service.create({ title: seededTitle(n), createdAt: newest - n * 60_000 });
    db.exec('COMMIT');
  } finally {
    db.close();
  }
}
