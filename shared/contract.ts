/**
 * The one contract between the renderer and a host (Electron IPC or the web host's WebSocket).
 *
 * Commands are request/response; their input is validated at the host with the schema below.
 * Long jobs (a generation) answer with a job id at once, then stream events keyed by that id.
 */
import { z } from 'zod';
import { chatMessageSchema, LIMITS, samplingSchema } from './chat.ts';
import type { GenerationStats } from './chat.ts';
import type { ErrorPayload } from './errors.ts';
import type { EngineStatus, ModelInfo } from './models.ts';
import { settingsPatchSchema, type SettingsView } from './settings.ts';

const idSchema = z.string().min(1).max(LIMITS.maxIdChars);

export interface AppInfo {
  version: string;
  host: 'electron' | 'web';
  modelsDir: string;
  dataDir: string;
}

export const commandSchemas = {
  'app.info': z.strictObject({}),
  'models.list': z.strictObject({}),
  'models.rescan': z.strictObject({}),
  'engine.status': z.strictObject({}),
  'models.unload': z.strictObject({}),
  'chat.generate': z.strictObject({
    modelId: idSchema,
    messages: z.array(chatMessageSchema).min(1).max(LIMITS.maxMessages),
    sampling: samplingSchema.optional(),
  }),
  'chat.stop': z.strictObject({ jobId: idSchema }),
  'settings.get': z.strictObject({}),
  'settings.update': settingsPatchSchema,
} as const;

/** What each command answers with. */
export interface CommandResults {
  'app.info': AppInfo;
  'models.list': ModelInfo[];
  'models.rescan': ModelInfo[];
  'engine.status': EngineStatus;
  'models.unload': EngineStatus;
  'chat.generate': { jobId: string };
  'chat.stop': { stopped: boolean };
  'settings.get': SettingsView;
  'settings.update': SettingsView;
}

export type CommandName = keyof typeof commandSchemas;
export type CommandInput<C extends CommandName> = z.infer<(typeof commandSchemas)[C]>;
export type CommandResult<C extends CommandName> = CommandResults[C];

export const COMMAND_NAMES = Object.keys(commandSchemas) as CommandName[];

export function isCommandName(value: unknown): value is CommandName {
  return typeof value === 'string' && Object.hasOwn(commandSchemas, value);
}

/** Events pushed from the host. Generation events carry the job id they belong to. */
export interface EventPayloads {
  /** A batch of answer text, about one per animation frame. */
  'chat.delta': { jobId: string; text: string };
  /** The model finished loading for this job; reported once per load. */
  'chat.loaded': { jobId: string; modelId: string; loadMs: number };
  'chat.done': { jobId: string; text: string; stats: GenerationStats };
  'chat.error': { jobId: string; error: ErrorPayload };
  'engine.status': EngineStatus;
  'settings.changed': SettingsView;
}

export type EventName = keyof EventPayloads;

export type HostEvent = { [E in EventName]: { event: E; payload: EventPayloads[E] } }[EventName];

/** The API the renderer sees, identical over both transports. */
export interface EnclaveApi {
  call<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandResult<C>>;
  /** Returns a function that removes the listener. */
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
}

/** WebSocket frames. Requests carry an id chosen by the client; responses echo it. */
export type ClientFrame = { type: 'call'; id: number; command: string; input: unknown };
export type ServerFrame =
  | { type: 'result'; id: number; ok: true; result: unknown }
  | { type: 'result'; id: number; ok: false; error: ErrorPayload }
  | { type: 'event'; event: EventName; payload: unknown };
