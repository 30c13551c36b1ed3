/**
 * The one contract between the renderer and a host (Electron IPC or the web host's WebSocket),
 * merged from the slices each feature owns in shared/<feature>.ts: its commands' input schemas,
 * their results, and the events it pushes.
 *
 * Commands are request/response; their input is validated at the host with the schema below.
 * Long jobs (a generation) stream events keyed by a job id the client chose.
 */
import type { z } from 'zod';
import { apiCommandSchemas, type ApiCommandResults, type ApiEventPayloads } from './api.ts';
import { appCommandSchemas, type AppCommandResults } from './app.ts';
import { chatCommandSchemas, type ChatCommandResults, type ChatEventPayloads } from './chat.ts';
import { compareCommandSchemas, type CompareCommandResults, type CompareEventPayloads } from './compare.ts';
import { conversationsCommandSchemas, type ConversationsCommandResults, type ConversationsEventPayloads } from './conversations.ts';
import { documentsCommandSchemas, type DocumentsCommandResults, type DocumentsEventPayloads } from './documents.ts';
import type { ErrorPayload } from './errors.ts';
import { libraryCommandSchemas, type LibraryCommandResults, type LibraryEventPayloads } from './library.ts';
import { privacyCommandSchemas, type PrivacyCommandResults, type PrivacyEventPayloads } from './privacy.ts';
import { serversCommandSchemas, type ServersCommandResults, type ServersEventPayloads } from './servers.ts';
import { settingsCommandSchemas, type SettingsCommandResults, type SettingsEventPayloads } from './settings.ts';
import { workshopCommandSchemas, type WorkshopCommandResults, type WorkshopEventPayloads } from './workshop.ts';

export const commandSchemas = {
  ...appCommandSchemas,
  ...libraryCommandSchemas,
  ...chatCommandSchemas,
  ...settingsCommandSchemas,
  ...serversCommandSchemas,
  ...conversationsCommandSchemas,
  ...privacyCommandSchemas,
  ...apiCommandSchemas,
  ...workshopCommandSchemas,
  ...compareCommandSchemas,
  ...documentsCommandSchemas,
} as const;

/** What each command answers with. */
export interface CommandResults
  extends
    AppCommandResults,
    LibraryCommandResults,
    ChatCommandResults,
    SettingsCommandResults,
    ServersCommandResults,
    ConversationsCommandResults,
    PrivacyCommandResults,
    ApiCommandResults,
    WorkshopCommandResults,
    CompareCommandResults,
    DocumentsCommandResults {}

export type CommandName = keyof typeof commandSchemas;
export type CommandInput<C extends CommandName> = z.infer<(typeof commandSchemas)[C]>;
export type CommandResult<C extends CommandName> = CommandResults[C];

export const COMMAND_NAMES = Object.keys(commandSchemas) as CommandName[];

export function isCommandName(value: unknown): value is CommandName {
  return typeof value === 'string' && Object.hasOwn(commandSchemas, value);
}

/** Events pushed from the host. Generation events carry the job id they belong to. */
export interface EventPayloads
  extends
    ChatEventPayloads,
    ConversationsEventPayloads,
    LibraryEventPayloads,
    SettingsEventPayloads,
    ServersEventPayloads,
    PrivacyEventPayloads,
    ApiEventPayloads,
    WorkshopEventPayloads,
    CompareEventPayloads,
    DocumentsEventPayloads {}

export type EventName = keyof EventPayloads;

export type HostEvent = { [E in EventName]: { event: E; payload: EventPayloads[E] } }[EventName];

/** The API the renderer sees, identical over both transports. */
export interface EnclaveApi {
  call<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandResult<C>>;
  /** Returns a function that removes the listener. */
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
  /**
   * Desktop app only: the path of a file dropped from the file manager (Electron's
   * `webUtils.getPathForFile`; '' when it has none). A browser never reveals it.
   */
  pathForFile?(file: File): string;
}

/** WebSocket frames. Requests carry an id chosen by the client; responses echo it. */
export type ClientFrame = { type: 'call'; id: number; command: string; input: unknown };
export type ServerFrame =
  { type: 'result'; id: number; ok: true; result: unknown } | { type: 'result'; id: number; ok: false; error: ErrorPayload } | { type: 'event'; event: EventName; payload: unknown };
