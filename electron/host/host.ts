/**
 * The services behind the contract, independent of transport: the Electron shell and the web host
 * both create one Host and pass it commands and events.
 */
import { commandSchemas, isCommandName, type AppInfo, type CommandInput, type CommandName, type CommandResult, type HostEvent } from '../../shared/contract.ts';
import { EnclaveError, toErrorPayload, type ErrorPayload } from '../../shared/errors.ts';
import { EngineClient } from '../engine/engine-client.ts';
import type { SpawnEngine } from '../engine/engine-process.ts';
import { ChatService } from '../services/chat.ts';
import { Library } from '../services/library.ts';
import { SettingsService, type SettingsBackend } from '../services/settings.ts';
import { ensureDirectories, type AppConfig } from './config.ts';

export interface HostOptions {
  kind: AppInfo['host'];
  version: string;
  config: AppConfig;
  spawnEngine: SpawnEngine;
  /** conf in the web host, electron-store in the desktop app. */
  settings: SettingsBackend;
  env?: NodeJS.ProcessEnv;
}

export type CallOutcome = { ok: true; result: unknown } | { ok: false; error: ErrorPayload };

type Handlers = { [C in CommandName]: (input: CommandInput<C>) => Promise<CommandResult<C>> | CommandResult<C> };

export class Host {
  readonly engine: EngineClient;
  readonly library: Library;
  readonly settings: SettingsService;
  private readonly chat: ChatService;
  private readonly listeners = new Set<(event: HostEvent) => void>();
  private readonly handlers: Handlers;

  constructor(options: HostOptions) {
    ensureDirectories(options.config);
    this.library = new Library(options.config.modelsDir);
    this.engine = new EngineClient(options.spawnEngine);
    this.chat = new ChatService(this.engine, this.library, (event) => this.emit(event));
    this.engine.onStatus((status) => this.emit({ event: 'engine.status', payload: status }));
    this.settings = new SettingsService(options.settings, options.env ?? process.env, (view) => this.emit({ event: 'settings.changed', payload: view }));
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
      'chat.generate': (input) => this.chat.generate(input),
      'chat.stop': (input) => this.chat.stop(input.jobId),
      'settings.get': () => this.settings.view(),
      'settings.update': (input) => this.settings.update(input),
    };
  }

  /** Scans the models folder and starts the engine in the background. */
  async start(): Promise<void> {
    await this.library.rescan();
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
    await this.engine.dispose();
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
