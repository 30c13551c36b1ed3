/** A conversations database opened for the app or for one workshop participant: the service, its start-up report and its handlers. */
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import type { ConversationsStatus } from '#shared/conversations.ts';
import { APP_CALLER, type Caller, type ChatService } from '../chat/chat-service.ts';
import { ConversationChat } from './conversation-chat.ts';
import { ConversationService } from './conversation-service.ts';
import { openDatabase } from '../platform/db/database.ts';
import type { Handlers } from '../../router/router.ts';
import { conversationsHandlers, type ConversationsCommand } from './handlers.ts';

export const CONVERSATIONS_DB_FILE_NAME = 'conversations.db';

export interface Conversations {
  service: ConversationService;
  /** Shared with the comparison workbench, whose tables live in the same database. */
  db: DatabaseSync;
  chat: ConversationChat;
  status: ConversationsStatus;
  handlers: Handlers<ConversationsCommand>;
  close(): void;
}

/**
 * `caller`: whose turn it is in the chat queue (a workshop participant has their own database and
 * turn); `defaultSystemPrompt`: the prompt of a new conversation that sets none.
 */
export function openConversations(dataDir: string, chat: ChatService, caller: Caller = APP_CALLER, defaultSystemPrompt: () => string = () => ''): Conversations {
  const opened = openDatabase(join(dataDir, CONVERSATIONS_DB_FILE_NAME));
  if (opened.quarantined !== null)
    console.warn(`Enclave: the conversations database could not be used (${opened.quarantined.reason}); it was kept as ${opened.quarantined.path} and a fresh one started`);
  const service = new ConversationService(opened.db, Date.now, defaultSystemPrompt);
  const { interrupted } = service.recover();
  const status: ConversationsStatus = { quarantined: opened.quarantined, backupPath: opened.backupPath, interrupted };
  return {
    service,
    db: opened.db,
    chat: new ConversationChat(service, chat, Date.now, caller),
    status,
    handlers: conversationsHandlers(service, status),
    close: () => closeQuietly(opened.db),
  };
}

function closeQuietly(db: DatabaseSync): void {
  try {
    db.close();
  } catch (error) {
    if (!(error instanceof Error) || !/not open/i.test(error.message)) throw error;
  }
}
