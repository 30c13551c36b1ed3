/** The conversations' commands: one database's history, branches, search, exports and imports. */
import type { conversationsCommandSchemas, ConversationsStatus, ExportedFile } from '#shared/conversations.ts';
import type { Handlers } from '../../router/router.ts';
import type { ConversationService } from './conversation-service.ts';
import type { ConversationImports } from './import/import-jobs.ts';
import { exportArchive, exportJson, exportMarkdown } from './transfer.ts';

/** Imports read files on the host's disk and a backup holds the settings: the app's own router has them, a workshop participant's does not. */
export type ImportCommand = 'conversations.import' | 'conversations.cancelImport' | 'conversations.backup';
export type ConversationsCommand = Exclude<keyof typeof conversationsCommandSchemas, ImportCommand>;

export function importHandlers(imports: ConversationImports, backup: () => Promise<ExportedFile>): Handlers<ImportCommand> {
  return {
    'conversations.backup': () => backup(),
    'conversations.import': (input) => imports.run(input.jobId, input.source, input.locale),
    'conversations.cancelImport': (input) => imports.cancel(input.jobId),
  };
}

export function conversationsHandlers(service: ConversationService, status: ConversationsStatus): Handlers<ConversationsCommand> {
  return {
    'conversations.status': () => status,
    'conversations.list': () => service.list(),
    'conversations.create': (input) =>
      service.create({ ...(input.title !== undefined && { title: input.title }), ...(input.settings !== undefined && { settings: withoutUndefined(input.settings) }) }),
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
    'conversations.presets': () => service.presets(),
    'conversations.savePreset': (input) => service.savePreset(input),
    'conversations.deletePreset': (input) => service.deletePreset(input.name),
  };
}

function withoutUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
