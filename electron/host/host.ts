/**
 * The composition root: builds the services, merges each feature's handlers into one router, and
 * hands the transports a contract endpoint. The Electron shell and the web host each create one
 * Host; they reach it through `call`, `onEvent` and the narrow `shell` port, never its services.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { ApiStatus } from '#shared/api.ts';
import type { AppInfo } from '#shared/app.ts';
import type { HostEvent } from '#shared/contract.ts';
import type { CallOutcome, ContractEndpoint } from '#shared/endpoint.ts';
import { EnginePool } from '../engine/client/engine-pool.ts';
import type { SpawnEngine } from '../engine/client/engine-process.ts';
import { createRouter, type Router } from '../router/router.ts';
import { apiHandlers } from '../services/api/handlers.ts';
import { ApiService } from '../services/api/api-service.ts';
import { APP_CALLER, ChatService } from '../services/chat/chat-service.ts';
import { chatHandlers } from '../services/chat/handlers.ts';
import { CompareService } from '../services/compare/service.ts';
import { openConversations, type Conversations } from '../services/conversations/open-conversations.ts';
import { importHandlers } from '../services/conversations/handlers.ts';
import { ConversationImports } from '../services/conversations/import/import-jobs.ts';
import { writeBackup } from '../services/conversations/backup/write-backup.ts';
import { DocumentsService } from '../services/documents/documents-service.ts';
import { documentsHandlers } from '../services/documents/handlers.ts';
import { CATALOG } from '../services/models/catalog.ts';
import { DownloadService } from '../services/models/downloads/download-service.ts';
import { DEFAULT_HF_ENDPOINT } from '../services/models/downloads/hugging-face.ts';
import { ModelFitService } from '../services/models/fit.ts';
import { libraryHandlers, type LibraryPorts } from '../services/models/handlers.ts';
import { Library } from '../services/models/library.ts';
import { ModelPacks } from '../services/models/packs.ts';
import { appHandlers } from '../services/platform/handlers.ts';
import { EGRESS_LOG_FILE_NAME, EgressGate, modelHosts } from '../services/privacy/egress.ts';
import { installEgressDispatcher, type EgressDispatcher } from '../services/privacy/egress-dispatcher.ts';
import { privacyHandlers, type OpenExternal } from '../services/privacy/handlers.ts';
import { serversHandlers } from '../services/servers/handlers.ts';
import { FILE_SECRET_BOX, type SecretBox } from '../services/servers/secret-box.ts';
import { serversFromEnv } from '../services/servers/server-env.ts';
import { ServerStore } from '../services/servers/server-store.ts';
import { ServersService } from '../services/servers/servers-service.ts';
import { settingsHandlers } from '../services/settings/handlers.ts';
import { SettingsService, type SettingsBackend } from '../services/settings/settings.ts';
import { workshopHandlers } from '../services/workshop/handlers.ts';
import { Workshop } from '../services/workshop/workshop.ts';
import { ensureDirectories, type AppConfig } from './config.ts';

export interface HostOptions extends LibraryPorts {
  kind: AppInfo['host'];
  version: string;
  config: AppConfig;
  spawnEngine: SpawnEngine;
  /** The documents' extraction worker: `extract-worker.js` beside the built host (the source file in tests). */
  documentsWorker: string;
  /** conf in the web host, electron-store in the desktop app. */
  settings: SettingsBackend;
  env?: NodeJS.ProcessEnv;
  /** The built renderer, which workshop participants are served. */
  rendererDir?: string;
  openExternal?: OpenExternal;
  /** The desktop app's save dialog for comparison reports; the web host writes them into <data>/reports. */
  saveReport?: (file: { fileName: string; content: string }) => Promise<string | null>;
  /** How servers' API keys are kept: the desktop app's safeStorage; by default as they are, in the settings file (mode 0600). */
  secrets?: SecretBox;
}

/** What the composition built. Tests and benchmarks look inside; the shells never do. */
export interface HostServices {
  /** The engine processes: one from the start, more while answers for other models run beside it. */
  engine: EnginePool;
  library: Library;
  settings: SettingsService;
  /** Every outbound connection Node code makes asks this gate first. */
  egress: EgressGate;
  /** Inference servers used as engines (added in the app or by ENCLAVE_SERVERS). */
  servers: ServersService;
  chat: ChatService;
  conversations: Conversations;
  downloads: DownloadService;
  fit: ModelFitService;
  packs: ModelPacks;
  compare: CompareService;
  /** The local OpenAI-compatible API, started and stopped by the settings. */
  api: ApiService;
  /** LAN sharing for a room, off until the trainer starts it. */
  workshop: Workshop;
  /** Collections of the user's files, their passages, and grounded answers. */
  documents: DocumentsService;
}

/** The little the shells need beyond the contract. */
export interface ShellPort {
  /** The desktop page's request the Electron session refused, for the egress log. */
  logRendererRequest(url: string, resourceType: string): void;
  apiStatus(): ApiStatus;
}

export class Host implements ContractEndpoint {
  readonly services: HostServices;
  readonly shell: ShellPort;
  private readonly router: Router;
  /** The gate at the connection level: the process's global fetch dispatcher (and proxy). */
  private readonly egressDispatcher: EgressDispatcher;
  private readonly listeners = new Set<(event: HostEvent) => void>();

  constructor(options: HostOptions) {
    ensureDirectories(options.config);
    const { config } = options;
    const env = options.env ?? process.env;
    const emit = (event: HostEvent): void => this.emit(event);

    const library = new Library(config.modelsDir);
    const engine = new EnginePool({ spawn: options.spawnEngine, cores: availableParallelism() });
    engine.onStatus((status) => emit({ event: 'engine.status', payload: status }));
    const servers: ServersService = new ServersService({
      store: new ServerStore(options.settings),
      secrets: options.secrets ?? FILE_SECRET_BOX,
      fromEnvironment: serversFromEnv(env),
      environmentPublicConfirmed: env.ENCLAVE_SERVERS_PUBLIC === '1',
      gate: (): EgressGate => egress,
      onChange: (list) => emit({ event: 'servers.changed', payload: list }),
    });
    // ENCLAVE_SPECULATIVE=on: input lookup on every backend, the CPU too (measuring, tests), unless the user turned it off.
    const chat = new ChatService(engine, library, emit, servers, () => (!settings.values.speculativeDecoding ? 'off' : env.ENCLAVE_SPECULATIVE === 'on' ? 'on' : 'auto'));
    const conversations = openConversations(config.dataDir, chat, APP_CALLER, () => settings.values.defaultSystemPrompt);
    const documents = new DocumentsService({
      db: conversations.db,
      dataDir: config.dataDir,
      emit: (ingestion, file) => emit({ event: 'documents.progress', payload: { ingestion, file } }),
      loadedContextSize: (modelId) => engine.status.loaded.find((model) => model.modelId === modelId)?.contextSize ?? null,
      extractWorker: options.documentsWorker,
      embeddings: {
        engine,
        model: () => settings.values.documentsEmbeddingModel,
        resolve: async () => {
          const id = settings.values.documentsEmbeddingModel;
          if (id === '') return null;
          const path = await library.verifiedPath(id);
          const catalogId = library.find(id)?.info.source?.catalogId;
          return { id, path, prefixes: CATALOG.find((entry) => entry.id === catalogId)?.embeddingPrefixes };
        },
        emit: (status) => emit({ event: 'documents.embedding', payload: status }),
      },
    });
    conversations.chat.useDocuments(documents.port);
    const compare = new CompareService({
      db: conversations.db,
      conversations: conversations.service,
      dataDir: config.dataDir,
      saveReport: options.saveReport,
      chat,
      library,
      loadedModelIds: () => engine.status.loaded.map((model) => model.modelId),
      enginePidOf: (modelId) => engine.clientOf(modelId)?.pid,
      capacity: { concurrency: () => engine.maxEngines },
      documents: { ...documents.port, assertCollection: (id) => documents.store.collection(id) },
      emit,
    });
    const settings: SettingsService = new SettingsService(options.settings, env, (view) => {
      this.egressDispatcher.setProxy(view.values.proxy);
      // Another embedding model re-embeds the passages; none drops their vectors.
      documents.embeddings.refresh();
      emit({ event: 'settings.changed', payload: view });
      void api.apply();
    });
    const api = new ApiService({
      chat,
      models: () => [...library.list(), ...servers.modelInfos()],
      settings: () => settings.values,
      emit: (status) => emit({ event: 'api.status', payload: status }),
    });
    const endpoint = (): string => settings.values.hfEndpoint.trim().replace(/\/+$/, '') || DEFAULT_HF_ENDPOINT;
    const egress = new EgressGate({
      logFile: join(config.dataDir, EGRESS_LOG_FILE_NAME),
      allowedHosts: () => modelHosts(endpoint()),
      serverHosts: () => servers.allowedHosts(),
      offline: () => settings.values.offline,
    });
    this.egressDispatcher = installEgressDispatcher(egress, settings.values.proxy, env);
    egress.onEntry((entry) => emit({ event: 'privacy.egress', payload: entry }));
    const downloads = new DownloadService({
      modelsDir: config.modelsDir,
      gate: egress,
      endpoint,
      emit: (job) => emit({ event: 'downloads.progress', payload: job }),
      onVerified: () => library.rescan(),
    });
    const fit = new ModelFitService({ engine, gate: egress, endpoint, catalog: CATALOG });
    const packs = new ModelPacks({ library, catalog: CATALOG, emit: (job) => emit({ event: 'packs.progress', payload: job }) });

    const app = appHandlers({ version: options.version, host: options.kind, modelsDir: config.modelsDir, dataDir: config.dataDir });
    const models = libraryHandlers({ library, engine, downloads, fit, packs, otherModels: () => servers.modelInfos() }, options);
    const workshop = new Workshop({
      shared: { 'app.info': app['app.info'], 'models.list': models['models.list'], 'engine.status': models['engine.status'] },
      events: (listener) => this.onEvent(listener),
      chat,
      dataDir: config.dataDir,
      staticDir: () => options.rendererDir ?? null,
      emit,
      graceMs: workshopGraceMs(env),
      documents: {
        ground: documents.port.ground,
        contextTokens: documents.port.contextTokens,
        collection: (id) => documents.store.collection(id),
        passages: (fileId, around) => documents.store.passages(fileId, around),
      },
    });
    this.services = { engine, library, settings, egress, servers, chat, conversations, downloads, fit, packs, compare, api, workshop, documents };
    this.router = createRouter({
      ...app,
      ...models,
      ...chatHandlers(chat, conversations.chat),
      ...settingsHandlers(settings),
      ...serversHandlers(servers),
      ...conversations.handlers,
      ...importHandlers(
        new ConversationImports(conversations.service, config.dataDir, { db: conversations.db, settings }, (progress) => emit({ event: 'conversations.importProgress', payload: progress })),
        () => writeBackup(conversations.db, settings.values),
      ),
      ...privacyHandlers(egress, options.openExternal, () => conversations.service.answersByModel()),
      ...apiHandlers(api),
      ...workshopHandlers(workshop),
      ...compare.handlers,
      ...documentsHandlers(documents),
    });
    this.shell = {
      logRendererRequest: (url, resourceType) => egress.logRendererRequest(url, resourceType),
      apiStatus: () => api.status(),
    };
  }

  /** Scans the models folder and starts the engine in the background. */
  async start(): Promise<void> {
    const { library, downloads, engine, compare, api, servers } = this.services;
    await library.rescan();
    void servers.refreshModels();
    await downloads.restore();
    void engine.start().catch(() => undefined);
    compare.start();
    // Passages left without a vector by a stop get theirs.
    this.services.documents.embeddings.refresh();
    await api.apply();
  }

  call(command: unknown, input: unknown): Promise<CallOutcome> {
    return this.router.call(command, input);
  }

  onEvent(listener: (event: HostEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async dispose(): Promise<void> {
    const { compare, api, workshop, downloads, engine, conversations, servers, documents } = this.services;
    this.listeners.clear();
    compare.dispose();
    documents.dispose();
    await documents.ingestion.idle();
    await documents.embeddings.idle();
    await api.close();
    await workshop.dispose();
    await downloads.dispose();
    await servers.dispose();
    await engine.dispose();
    conversations.close();
    await this.egressDispatcher.uninstall();
  }

  private emit(event: HostEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

/** ENCLAVE_WORKSHOP_GRACE_MS shortens (tests) or lengthens the time participants keep their window after their room ends. */
function workshopGraceMs(env: NodeJS.ProcessEnv): number | undefined {
  const value = Number(env.ENCLAVE_WORKSHOP_GRACE_MS);
  return env.ENCLAVE_WORKSHOP_GRACE_MS === undefined || !Number.isSafeInteger(value) || value < 0 ? undefined : value;
}
