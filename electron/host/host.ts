/**
 * The services behind the contract, independent of transport: the Electron shell and the web host
 * both create one Host and pass it commands and events.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { commandSchemas, isCommandName, type AppInfo, type CommandInput, type CommandName, type CommandResult, type HostEvent } from '../../shared/contract.ts';
import { checkExternalLink } from '../../shared/links.ts';
import { EnclaveError, toErrorPayload } from '../../shared/errors.ts';
import type { CallOutcome, ContractEndpoint } from '../../shared/endpoint.ts';
import { EnginePool } from '../engine/engine-pool.ts';
import type { SpawnEngine } from '../engine/engine-process.ts';
import { CATALOG, catalogFile } from '../services/catalog.ts';
import { ApiService } from '../services/api/api-service.ts';
import { WORKSHOP_EXERCISES } from '../services/workshop/exercises.ts';
import { lanInterfaces } from '../services/workshop/lan.ts';
import { ChatService } from '../services/chat.ts';
import { CompareService } from '../services/compare/service.ts';
import { DEFAULT_HF_ENDPOINT, DownloadService } from '../services/downloads.ts';
import { importModels } from '../services/imports.ts';
import { EGRESS_LOG_FILE_NAME, EgressGate, modelHosts } from '../services/egress.ts';
import { installEgressDispatcher, type EgressDispatcher } from '../services/egress-dispatcher.ts';
import { Library } from '../services/library.ts';
import { ModelFitService } from '../services/model-fit.ts';
import { deleteModel } from '../services/model-delete.ts';
import { ModelPacks } from '../services/model-packs.ts';
import { SettingsService, type SettingsBackend } from '../services/settings.ts';
import { ensureDirectories, type AppConfig } from './config.ts';
import { Workshop } from './workshop.ts';
import { openConversations, requireMessages, type Conversations } from './conversation-handlers.ts';

export interface HostOptions {
  kind: AppInfo['host'];
  version: string;
  config: AppConfig;
  spawnEngine: SpawnEngine;
  /** conf in the web host, electron-store in the desktop app. */
  settings: SettingsBackend;
  env?: NodeJS.ProcessEnv;
  /** The built renderer, which workshop participants are served (issue #7). */
  rendererDir?: string;
  /** The desktop app's shell.openExternal adapter; the web host has none (the user's browser opens links). */
  openExternal?: (url: string) => Promise<void>;
  /** The desktop app's save dialog for comparison reports; the web host writes them into <data>/reports. */
  saveReport?: (file: { fileName: string; content: string }) => Promise<string | null>;
  /** The desktop app's open dialog for model imports (issue #3); the web host has none (paths are typed). */
  pickModels?: (kind: 'files' | 'folder') => Promise<string[]>;
  /** The desktop app's shell.showItemInFolder adapter; the web host has none (its user may be on another computer). */
  showItemInFolder?: (path: string) => Promise<void>;
}


type Handlers = { [C in CommandName]: (input: CommandInput<C>) => Promise<CommandResult<C>> | CommandResult<C> };

export class Host implements ContractEndpoint {
  /** The engine processes: one from the start, more while answers for other models run beside it. */
  readonly engine: EnginePool;
  readonly library: Library;
  readonly settings: SettingsService;
  /** Every outbound connection Node code makes asks this gate first (privacy). */
  readonly egress: EgressGate;
  /** The gate at the connection level: the process's global fetch dispatcher (and proxy). */
  private readonly egressDispatcher: EgressDispatcher;
  private readonly chat: ChatService;
  readonly conversations: Conversations;
  readonly downloads: DownloadService;
  private readonly fit: ModelFitService;
  private readonly packs: ModelPacks;
  /** The comparison workbench (issue #5). */
  readonly compare: CompareService;
  /** The local OpenAI-compatible API (issue #7), started and stopped by the settings. */
  readonly api: ApiService;
  /** Workshop mode (issue #7): LAN sharing for a room, off until the trainer starts it. */
  readonly workshop: Workshop;
  private readonly listeners = new Set<(event: HostEvent) => void>();
  private readonly handlers: Handlers;

  constructor(options: HostOptions) {
    ensureDirectories(options.config);
    this.library = new Library(options.config.modelsDir);
    this.engine = new EnginePool({ spawn: options.spawnEngine, cores: availableParallelism() });
    this.chat = new ChatService(this.engine, this.library, (event) => this.emit(event));
    this.conversations = openConversations(options.config.dataDir, this.chat);
    this.engine.onStatus((status) => this.emit({ event: 'engine.status', payload: status }));
    this.compare = new CompareService({
      db: this.conversations.db,
      library: this.library,
      conversations: this.conversations.service,
      dataDir: options.config.dataDir,
      saveReport: options.saveReport,
      chat: this.chat,
      loadedModelIds: () => this.engine.status.loaded.map((model) => model.modelId),
      enginePidOf: (modelId) => this.engine.clientOf(modelId)?.pid,
      capacity: { concurrency: () => this.engine.maxEngines },
      emit: (event) => this.emit(event),
    });
    const env = options.env ?? process.env;
    this.settings = new SettingsService(options.settings, env, (view) => {
      this.egressDispatcher.setProxy(view.values.proxy);
      this.emit({ event: 'settings.changed', payload: view });
      void this.api.apply();
    });
    this.api = new ApiService({
      chat: this.chat,
      models: () => this.library.list(),
      settings: () => this.settings.values,
      emit: (status) => this.emit({ event: 'api.status', payload: status }),
    });
    this.workshop = new Workshop({
      host: this,
      chat: this.chat,
      dataDir: options.config.dataDir,
      staticDir: () => options.rendererDir ?? null,
      emit: (event) => this.emit(event),
    });
    const endpoint = (): string => this.settings.values.hfEndpoint.trim().replace(/\/+$/, '') || DEFAULT_HF_ENDPOINT;
    this.egress = new EgressGate({
      logFile: join(options.config.dataDir, EGRESS_LOG_FILE_NAME),
      allowedHosts: () => modelHosts(endpoint()),
      offline: () => this.settings.values.offline,
    });
    this.egressDispatcher = installEgressDispatcher(this.egress, this.settings.values.proxy, env);
    this.egress.onEntry((entry) => this.emit({ event: 'privacy.egress', payload: entry }));
    this.downloads = new DownloadService({
      modelsDir: options.config.modelsDir,
      gate: this.egress,
      endpoint,
      emit: (job) => this.emit({ event: 'downloads.progress', payload: job }),
      onVerified: () => this.library.rescan(),
    });
    this.fit = new ModelFitService({ engine: this.engine, gate: this.egress, endpoint, catalog: CATALOG });
    this.packs = new ModelPacks({ library: this.library, catalog: CATALOG, emit: (job) => this.emit({ event: 'packs.progress', payload: job }) });
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
      ...this.compare.handlers,
      'catalog.list': () => [...CATALOG],
      'downloads.list': () => this.downloads.list(),
      'downloads.start': ({ catalogId, quant }) => this.downloads.start({ ...catalogFile(catalogId, quant), catalogId, quant }),
      'downloads.pause': ({ id }) => this.downloads.pause(id),
      'downloads.resume': ({ id }) => this.downloads.resume(id),
      'downloads.cancel': ({ id }) => this.downloads.cancel(id),
      'models.import': ({ paths, mode }) => importModels(paths, this.library, mode),
      'hardware.info': () => this.fit.hardware(),
      'catalog.fit': ({ catalogIds }) => this.fit.fit(catalogIds),
      'packs.export': ({ modelIds, folder }) => this.packs.export(modelIds, folder),
      'packs.import': ({ folder }) => this.packs.import(folder),
      'models.pickImport': async ({ kind }) => {
        if (options.pickModels === undefined) return { available: false, paths: [] };
        return { available: true, paths: await options.pickModels(kind) };
      },
      'models.delete': async ({ id }) => {
        await this.engine.unload(id);
        return deleteModel(this.library, id);
      },
      'models.reveal': async ({ id }) => {
        const { path } = this.library.locate(id);
        if (options.showItemInFolder === undefined) return { path, revealed: false };
        await options.showItemInFolder(path);
        return { path, revealed: true };
      },
      'privacy.egressLog': () => this.egress.entries(),
      'api.status': () => this.api.status(),
      'workshop.status': () => this.workshop.status(),
      'workshop.interfaces': () => lanInterfaces(),
      'workshop.start': ({ address, port }) => this.workshop.start(address, port),
      'workshop.stop': () => this.workshop.stop(),
      'workshop.remove': ({ participantId }) => this.workshop.remove(participantId),
      'workshop.reset': () => this.workshop.reset(),
      'workshop.push': ({ text, title }) => this.workshop.push(text, title),
      'workshop.me': () => {
        throw new EnclaveError('FORBIDDEN', 'workshop.me answers workshop participants only');
      },
      'workshop.exercises': () => [...WORKSHOP_EXERCISES],
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
    this.compare.start();
    await this.api.apply();
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
    this.compare.dispose();
    await this.api.close();
    await this.workshop.dispose();
    await this.downloads.dispose();
    await this.engine.dispose();
    this.conversations.close();
    await this.egressDispatcher.uninstall();
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
