/**
 * The services behind the contract, independent of transport: the Electron shell and the web host
 * both create one Host and pass it commands and events.
 */
import { join } from 'node:path';
import { commandSchemas, isCommandName, type AppInfo, type CommandInput, type CommandName, type CommandResult, type HostEvent } from '../../shared/contract.ts';
import { checkExternalLink } from '../../shared/links.ts';
import { EnclaveError, toErrorPayload, type ErrorPayload } from '../../shared/errors.ts';
import { EngineClient } from '../engine/engine-client.ts';
import type { SpawnEngine } from '../engine/engine-process.ts';
import { CATALOG, catalogFile } from '../services/catalog.ts';
import { ChatService } from '../services/chat.ts';
import { DEFAULT_HF_ENDPOINT, DownloadService } from '../services/downloads.ts';
import { importModels } from '../services/imports.ts';
import { EGRESS_LOG_FILE_NAME, EgressGate, modelHosts } from '../services/egress.ts';
import { Library } from '../services/library.ts';
import { SettingsService, type SettingsBackend } from '../services/settings.ts';
import { ensureDirectories, type AppConfig } from './config.ts';
import { openConversations, requireMessages, type Conversations } from './conversation-handlers.ts';

export interface HostOptions {
  kind: AppInfo['host'];
  version: string;
  config: AppConfig;
  spawnEngine: SpawnEngine;
  /** conf in the web host, electron-store in the desktop app. */
  settings: SettingsBackend;
  env?: NodeJS.ProcessEnv;
  /** The desktop app's shell.openExternal adapter; the web host has none (the user's browser opens links). */
  openExternal?: (url: string) => Promise<void>;
}

export type CallOutcome = { ok: true; result: unknown } | { ok: false; error: ErrorPayload };

type Handlers = { [C in CommandName]: (input: CommandInput<C>) => Promise<CommandResult<C>> | CommandResult<C> };

export class Host {
  readonly engine: EngineClient;
  readonly library: Library;
  readonly settings: SettingsService;
  /** Every outbound connection Node code makes asks this gate first (privacy). */
  readonly egress: EgressGate;
  private readonly chat: ChatService;
  readonly conversations: Conversations;
  readonly downloads: DownloadService;
  private readonly listeners = new Set<(event: HostEvent) => void>();
  private readonly handlers: Handlers;

  constructor(options: HostOptions) {
    ensureDirectories(options.config);
    this.library = new Library(options.config.modelsDir);
    this.engine = new EngineClient(options.spawnEngine);
    this.chat = new ChatService(this.engine, this.library, (event) => this.emit(event));
    this.conversations = openConversations(options.config.dataDir, this.chat);
    this.engine.onStatus((status) => this.emit({ event: 'engine.status', payload: status }));
    this.settings = new SettingsService(options.settings, options.env ?? process.env, (view) => this.emit({ event: 'settings.changed', payload: view }));
    const allowedHosts = modelHosts((options.env ?? process.env).ENCLAVE_HF_ENDPOINT);
    this.egress = new EgressGate({
      logFile: join(options.config.dataDir, EGRESS_LOG_FILE_NAME),
      allowedHosts: () => allowedHosts,
      offline: () => this.settings.values.offline,
    });
    this.downloads = new DownloadService({
      modelsDir: options.config.modelsDir,
      gate: this.egress,
      endpoint: (options.env ?? process.env).ENCLAVE_HF_ENDPOINT?.trim().replace(/\/+$/, '') || DEFAULT_HF_ENDPOINT,
      emit: (job) => this.emit({ event: 'downloads.progress', payload: job }),
      onVerified: () => this.library.rescan(),
    });
    const info: AppInfo = { version: options.version, host: options.kind, modelsDir: options.config.modelsDir, dataDir: options.config.dataDir };
    this.handlers = {
      'app.info': () => info,
      'models.list': () => this.library.list(),
      'models.rescan': () => this.library.rescan(),
      'engine.status': () => this.engine.status,
      'models.unload': async () => {
        await this.engine.unload();
        return this.engine.status;
      },
      'chat.generate': ({ conversation, messages, ...rest }) =>
        conversation !== undefined
          ? this.conversations.chat.generate({ ...rest, conversation })
          : this.chat.generate({ ...rest, messages: requireMessages(messages) }),
      'chat.stop': (input) => this.chat.stop(input.jobId),
      'settings.get': () => this.settings.view(),
      'settings.update': (input) => this.settings.update(input),
      ...this.conversations.handlers,
      'catalog.list': () => [...CATALOG],
      'downloads.list': () => this.downloads.list(),
      'downloads.start': ({ catalogId, quant }) => this.downloads.start({ ...catalogFile(catalogId, quant), catalogId, quant }),
      'downloads.pause': ({ id }) => this.downloads.pause(id),
      'downloads.resume': ({ id }) => this.downloads.resume(id),
      'downloads.cancel': ({ id }) => this.downloads.cancel(id),
      'models.import': ({ paths }) => importModels(paths, this.library),
      'privacy.egressLog': () => this.egress.entries(),
      'links.open': async ({ url }) => {
        const check = checkExternalLink(url);
        if (!check.safe) throw new EnclaveError('LINK_REFUSED', `link refused: ${check.reason}`, { reason: check.reason });
        if (options.openExternal === undefined) return { opened: false };
        await options.openExternal(check.href);
        return { opened: true };
      },
    };
  }

  /** Scans the models folder and starts the engine in the background. */
  async start(): Promise<void> {
    await this.library.rescan();
    await this.downloads.restore();
    void this.engine.start().catch(() => undefined);
  }

  /** Validates and runs one command. Never throws: every failure is a typed error. */
  async call(command: unknown, input: unknown): Promise<CallOutcome> {
    try {
      if (!isCommandName(command)) throw new EnclaveError('UNKNOWN_COMMAND', `unknown command ${JSON.stringify(String(command)).slice(0, 100)}`);
      return { ok: true, result: await this.run(command, input) };
    } catch (error) {
      return { ok: false, error: toErrorPayload(error) };
    }
  }

  onEvent(listener: (event: HostEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async dispose(): Promise<void> {
    this.listeners.clear();
    await this.downloads.dispose();
    await this.engine.dispose();
    this.conversations.close();
  }

  private async run<C extends CommandName>(command: C, input: unknown): Promise<CommandResult<C>> {
    const parsed = commandSchemas[command].safeParse(input);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 5).map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
      throw new EnclaveError('BAD_REQUEST', `invalid input for ${command}`, { issues });
    }
    const handler = this.handlers[command] as (input: CommandInput<C>) => Promise<CommandResult<C>> | CommandResult<C>;
    return handler(parsed.data as CommandInput<C>);
  }

  private emit(event: HostEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
