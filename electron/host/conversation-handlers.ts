/** The conversations part of the Host: the database, its start-up report and the command handlers. */
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import type { CommandInput, CommandName, CommandResult } from '../../shared/contract.ts';
import type { ConversationsStatus } from '../../shared/conversations.ts';
import { EnclaveError } from '../../shared/errors.ts';
import { APP_CALLER, type Caller, type ChatService } from '../services/chat.ts';
import { ConversationChat } from '../services/conversation-chat.ts';
import { exportArchive, exportJson, exportMarkdown, importChatGpt } from '../services/conversation-transfer.ts';
import { ConversationService } from '../services/conversations.ts';
import { openDatabase } from '../services/db/database.ts';

export const CONVERSATIONS_DB_FILE_NAME = 'conversations.db';

type ConversationCommand = Extract<CommandName, `conversations.${string}`>;
type ConversationHandlers = { [C in ConversationCommand]: (input: CommandInput<C>) => CommandResult<C> };

export interface Conversations {
  service: ConversationService;
  /** Shared with the comparison workbench, whose tables live in the same database. */
  db: DatabaseSync;
  chat: ConversationChat;
  status: ConversationsStatus;
  handlers: ConversationHandlers;
  close(): void;
}

/** `caller`: whose turn it is in the chat queue (a workshop participant has their own database and turn, issue #7). */
export function openConversations(dataDir: string, chat: ChatService, caller: Caller = APP_CALLER): Conversations {
  const opened = openDatabase(join(dataDir, CONVERSATIONS_DB_FILE_NAME));
  if (opened.quarantined !== null) console.warn(`Enclave: the conversations database could not be used (${opened.quarantined.reason}); it was kept as ${opened.quarantined.path} and a fresh one started`);
  const service = new ConversationService(opened.db);
  const { interrupted } = service.recover();
  const status: ConversationsStatus = { quarantined: opened.quarantined, backupPath: opened.backupPath, interrupted };
  return {
    service,
    db: opened.db,
    chat: new ConversationChat(service, chat, Date.now, caller),
    status,
    handlers: handlersFor(service, status),
    close: () => closeQuietly(opened.db),
  };
}

function handlersFor(service: ConversationService, status: ConversationsStatus): ConversationHandlers {
  return {
    'conversations.status': () => status,
    'conversations.list': () => service.list(),
    'conversations.create': (input) => service.create({ ...(input.title !== undefined && { title: input.title }), ...(input.settings !== undefined && { settings: withoutUndefined(input.settings) }) }),
    'conversations.get': (input) => service.get(input.id),
    'conversations.rename': (input) => service.rename(input.id, input.title),
    'conversations.pin': (input) => service.pin(input.id, input.pinned),
    'conversations.delete': (input) => {
      service.delete(input.id);
      return { deleted: true };
    },
    'conversations.restore': (input) => service.restore(input.id),
    'conversations.search': (input) => service.search(input.query),
    'conversations.updateSettings': (input) => service.updateSettings(input.id, input.settings),
    'conversations.selectBranch': (input) => service.selectBranch(input.id, input.messageId),
    'conversations.deleteMessage': (input) => service.deleteMessage(input.id, input.messageId),
    'conversations.export': (input) => (input.format === 'markdown' ? exportMarkdown(service, input.id, input.locale) : exportJson(service, input.id)),
    'conversations.exportAll': () => exportArchive(service),
    'conversations.importChatGpt': (input) => importChatGpt(service, input.content),
    'conversations.presets': () => service.presets(),
    'conversations.savePreset': (input) => service.savePreset(input),
    'conversations.deletePreset': (input) => service.deletePreset(input.name),
  };
}

function withoutUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

function closeQuietly(db: DatabaseSync): void {
  try {
    db.close();
  } catch (error) {
    if (!(error instanceof Error) || !/not open/i.test(error.message)) throw error;
  }
}

export function requireMessages<T>(messages: T | undefined): T {
  if (messages === undefined) throw new EnclaveError('BAD_REQUEST', 'give either messages or conversation');
  return messages;
}
