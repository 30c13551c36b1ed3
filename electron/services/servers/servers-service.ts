/**
 * The inference servers Enclave may use as engines: the ones the user added (kept by ServerStore,
 * keys sealed by the SecretBox) and the ones ENCLAVE_SERVERS names (locked). Tells the egress gate
 * which hosts it may reach: a public address only once the user confirmed it.
 */
import { EnclaveError } from '#shared/errors.ts';
import type { ModelInfo } from '#shared/models.ts';
import {
  normalizeServerUrl,
  parseServerModelId,
  serverAddressKind,
  serverModelId,
  serverModelName,
  type AddServerInput,
  type ServerModelInfo,
  type ServerTestResult,
  type ServerView,
} from '#shared/servers.ts';
import type { RemoteEngine, RemoteModels } from '../chat/chat-service.ts';
import type { EgressGate } from '../privacy/egress.ts';
import { listServerModels, readServerCapacity } from './model-list.ts';
import { ServerChat } from './server-chat.ts';
import type { SecretBox } from './secret-box.ts';
import { serverAgent, type ServerConnection } from './server-connection.ts';
import type { ServerStore, StoredServer } from './server-store.ts';

export interface ServersServiceOptions {
  store: ServerStore;
  secrets: SecretBox;
  /** Base URLs from ENCLAVE_SERVERS (normalized). */
  fromEnvironment: readonly string[];
  /** ENCLAVE_SERVERS_PUBLIC=1: the environment's public addresses count as confirmed. */
  environmentPublicConfirmed: boolean;
  gate: () => EgressGate;
  /** The list changed, or a server's models were read again. */
  onChange: (servers: ServerView[]) => void;
}

/**
 * Answers one server runs at once for Enclave (the fair queue waits beyond it) when the server
 * does not say: llama-server reports its slots (`-np`) and that number is used instead; vLLM's
 * `--max-num-seqs` and Ollama's OLLAMA_NUM_PARALLEL are not reported.
 */
export const SERVER_CAPACITY = 4;

interface KnownServer {
  stored: StoredServer;
  fromEnvironment: boolean;
}

export class ServersService implements RemoteModels {
  private readonly options: ServersServiceOptions;
  private readonly connections = new Map<string, ServerConnection>();
  private readonly chats = new Map<string, RemoteEngine>();
  /** Each server's models, as last listed. */
  private readonly models = new Map<string, ServerModelInfo[]>();
  /** The answers at once each server reported, as last read with its models. */
  private readonly capacities = new Map<string, number>();

  constructor(options: ServersServiceOptions) {
    this.options = options;
    for (const baseUrl of options.fromEnvironment) {
      const url = new URL(baseUrl);
      if (serverAddressKind(url.hostname) === 'public' && !options.environmentPublicConfirmed) {
        throw new Error(`ENCLAVE_SERVERS names ${url.host}, a public address: text sent there leaves your network. Set ENCLAVE_SERVERS_PUBLIC=1 to confirm.`);
      }
    }
  }

  list(): ServerView[] {
    return this.known().map(({ stored, fromEnvironment }) => viewOf(stored, fromEnvironment));
  }

  /** `host[:port]` of each server the gate may reach. */
  allowedHosts(): string[] {
    return this.known()
      .filter(({ stored, fromEnvironment }) => this.reachable(stored, fromEnvironment))
      .map(({ stored }) => new URL(stored.baseUrl).host.toLowerCase());
  }

  add(input: AddServerInput): ServerView {
    const { baseUrl } = input;
    if (this.known().some(({ stored }) => stored.baseUrl === baseUrl)) throw new EnclaveError('SERVER_EXISTS', `${baseUrl} is already in the list`, { server: baseUrl });
    const address = serverAddressKind(new URL(baseUrl).hostname);
    if (address === 'public' && input.confirmPublic !== true) {
      throw new EnclaveError('SERVER_PUBLIC_ADDRESS', `${baseUrl} is a public address: text sent there leaves your network; confirm to add it`, { server: baseUrl });
    }
    const apiKey = input.apiKey?.trim() ?? '';
    const caCertificate = input.caCertificate?.trim() ?? '';
    const stored: StoredServer = {
      baseUrl,
      ...(apiKey === '' ? {} : { apiKey: { sealedBy: this.options.secrets.kind, value: this.options.secrets.seal(apiKey) } }),
      ...(caCertificate === '' ? {} : { caCertificate }),
      ...(address === 'public' ? { confirmedPublic: true } : {}),
    };
    this.options.store.save([...this.options.store.list(), stored]);
    this.changed();
    return viewOf(stored, false);
  }

  remove(id: string): void {
    const found = this.find(id);
    if (found.fromEnvironment) throw new EnclaveError('FORBIDDEN', `${id} is set by ENCLAVE_SERVERS`, { server: id });
    this.options.store.save(this.options.store.list().filter((server) => server.baseUrl !== found.stored.baseUrl));
    void this.connections
      .get(id)
      ?.dispatcher.close()
      .catch(() => undefined);
    this.connections.delete(id);
    this.chats.delete(id);
    this.models.delete(id);
    this.capacities.delete(id);
    this.changed();
  }

  /** Lists the server's models (and keeps them for the model pickers). */
  async test(id: string): Promise<ServerTestResult> {
    const listed = await listServerModels(this.connection(id), this.options.gate());
    const reported = await readServerCapacity(this.connection(id), this.options.gate());
    this.models.set(id, listed.models);
    if (reported === null) this.capacities.delete(id);
    else this.capacities.set(id, reported);
    this.changed();
    return { ...listed, capacity: this.capacityOf(id), capacityReported: reported !== null };
  }

  /** Answers at once the fair queue lets run on this server. */
  capacityOf(id: string): number {
    return this.capacities.get(id) ?? SERVER_CAPACITY;
  }

  /** Reads every server's models, at start: a server that cannot be reached shows none until tested again. */
  async refreshModels(): Promise<void> {
    await Promise.all(this.list().map((server) => this.test(server.id).catch(() => undefined)));
  }

  /** The servers' models, as entries of the model list. */
  modelInfos(): ModelInfo[] {
    return this.list().flatMap((server) =>
      (this.models.get(server.id) ?? []).map((model) => ({
        id: serverModelId(server.id, model.id),
        name: serverModelName(model.id),
        fileName: model.id,
        sizeBytes: 0,
        architecture: null,
        parameterCount: null,
        quantization: null,
        contextLength: null,
        hasChatTemplate: true,
        problem: null,
        server: { id: server.id, name: server.name },
      })),
    );
  }

  engineFor(modelId: string): RemoteEngine | null {
    const parsed = parseServerModelId(modelId);
    if (parsed === null) return null;
    this.find(parsed.serverId);
    const cached = this.chats.get(parsed.serverId);
    if (cached !== undefined) return cached;
    const chat = new ServerChat(this.connection(parsed.serverId), this.options.gate());
    const capacityOf = (): number => this.capacityOf(parsed.serverId);
    const engine: RemoteEngine = {
      get capacity() {
        return capacityOf();
      },
      generate: (request, listener) => {
        const model = parseServerModelId(request.modelId)?.model ?? request.modelId;
        return chat.generate({ jobId: request.jobId, modelId: request.modelId, serverModel: model, messages: request.messages, sampling: request.sampling }, listener);
      },
      stop: (jobId) => chat.stop(jobId),
    };
    this.chats.set(parsed.serverId, engine);
    return engine;
  }

  /** The agent, address and key to reach one server; built once per server. */
  connection(id: string): ServerConnection {
    const cached = this.connections.get(id);
    if (cached !== undefined) return cached;
    const { stored } = this.find(id);
    const connection: ServerConnection = {
      baseUrl: stored.baseUrl,
      name: new URL(stored.baseUrl).host,
      apiKey: this.openKey(stored),
      dispatcher: serverAgent(this.options.gate(), stored.caCertificate ?? null),
      openDispatcher: () => serverAgent(this.options.gate(), stored.caCertificate ?? null),
    };
    this.connections.set(id, connection);
    return connection;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.connections.values()].map((connection) => connection.dispatcher.close().catch(() => undefined)));
    this.connections.clear();
  }

  private known(): KnownServer[] {
    const stored = this.options.store.list().filter((server) => normalizeServerUrl(server.baseUrl) === server.baseUrl);
    const environment = this.options.fromEnvironment.map((baseUrl): KnownServer => ({ stored: { baseUrl }, fromEnvironment: true }));
    const added = stored.filter((server) => !this.options.fromEnvironment.includes(server.baseUrl)).map((server): KnownServer => ({ stored: server, fromEnvironment: false }));
    return [...environment, ...added];
  }

  private find(id: string): KnownServer {
    const found = this.known().find(({ stored }) => stored.baseUrl === id);
    if (found === undefined) throw new EnclaveError('NOT_FOUND', `no server ${id}`, { server: id });
    return found;
  }

  private reachable(stored: StoredServer, fromEnvironment: boolean): boolean {
    if (serverAddressKind(new URL(stored.baseUrl).hostname) !== 'public') return true;
    return fromEnvironment ? this.options.environmentPublicConfirmed : stored.confirmedPublic === true;
  }

  private openKey(stored: StoredServer): string | null {
    if (stored.apiKey === undefined) return null;
    if (stored.apiKey.sealedBy !== this.options.secrets.kind) {
      throw new EnclaveError('SERVER_UNAUTHORIZED', `the API key of ${stored.baseUrl} was sealed elsewhere and cannot be read here: remove the server and add it again`, { server: stored.baseUrl });
    }
    return this.options.secrets.open(stored.apiKey.value);
  }

  private changed(): void {
    this.options.onChange(this.list());
  }
}

function viewOf(stored: StoredServer, fromEnvironment: boolean): ServerView {
  const url = new URL(stored.baseUrl);
  return {
    id: stored.baseUrl,
    name: url.host,
    baseUrl: stored.baseUrl,
    address: serverAddressKind(url.hostname),
    hasKey: stored.apiKey !== undefined,
    hasCertificate: stored.caCertificate !== undefined,
    fromEnvironment,
  };
}
