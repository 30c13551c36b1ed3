/**
 * The inference servers Enclave may use as engines: the ones the user added (kept by ServerStore,
 * keys sealed by the SecretBox) and the ones ENCLAVE_SERVERS names (locked). Tells the egress gate
 * which hosts it may reach: a public address only once the user confirmed it.
 */
import { EnclaveError } from '#shared/errors.ts';
import { normalizeServerUrl, serverAddressKind, type AddServerInput, type ServerTestResult, type ServerView } from '#shared/servers.ts';
import type { EgressGate } from '../privacy/egress.ts';
import { listServerModels } from './model-list.ts';
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
  onChange: (servers: ServerView[]) => void;
}

interface KnownServer {
  stored: StoredServer;
  fromEnvironment: boolean;
}

export class ServersService {
  private readonly options: ServersServiceOptions;
  private readonly connections = new Map<string, ServerConnection>();

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
    this.changed();
  }

  test(id: string): Promise<ServerTestResult> {
    return listServerModels(this.connection(id), this.options.gate());
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
