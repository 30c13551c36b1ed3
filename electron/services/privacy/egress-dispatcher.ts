/**
 * The egress gate at the connection level. A global undici dispatcher (Node's fetch uses it, and so
 * do ipull and node-llama-cpp's remote GGUF reader, which call fetch) whose connector asks the gate
 * before every new socket, so a redirect to a CDN or a library that never called `authorize` is
 * still checked and logged. Company proxies are configured here too: an explicit proxy URL (the
 * `proxy` setting) or the HTTPS_PROXY / HTTP_PROXY / NO_PROXY environment. The gate checks the
 * target host before the tunnel through the proxy is opened, never the proxy's own address.
 */
import { buildConnector, Client, EnvHttpProxyAgent, getGlobalDispatcher, Pool, ProxyAgent, setGlobalDispatcher, type Dispatcher } from 'undici';
import type { EgressGate } from './egress.ts';

type ConnectionGate = Pick<EgressGate, 'authorizeConnection' | 'authorizeRequest'>;

export function gatedConnector(gate: ConnectionGate, inner: buildConnector.connector): buildConnector.connector {
  return (options, callback) => {
    try {
      gate.authorizeConnection({ protocol: options.protocol, hostname: options.hostname, port: options.port });
    } catch (error) {
      callback(error as Error, null);
      return;
    }
    inner(options, callback);
  };
}

export interface EgressDispatcherOptions {
  /**
   * Opens the sockets the gate allowed, in place of undici's own connector. Tests use it to reach a
   * loopback stand-in under Hugging Face's real host names (no DNS here); the gate still sees, checks
   * and logs the names and ports the request asked for.
   */
  connect?: buildConnector.connector;
}

/** The per-origin pool undici would make, with its connector (direct, or the proxy tunnel) behind the gate. */
function gatedFactory(gate: ConnectionGate, options: EgressDispatcherOptions): (origin: string | URL, options: object) => Dispatcher {
  return (origin, factoryOptions) => {
    const poolOptions = factoryOptions as Pool.Options & { connections?: number | null };
    const connect = options.connect ?? (typeof poolOptions.connect === 'function' ? poolOptions.connect : buildConnector({ ...poolOptions.connect }));
    const gated = { ...poolOptions, connect: gatedConnector(gate, connect) };
    return poolOptions.connections === 1 ? new Client(origin, gated) : new Pool(origin, gated);
  };
}

export function createEgressDispatcher(gate: ConnectionGate, proxy: string | null, env: NodeJS.ProcessEnv, options: EgressDispatcherOptions = {}): Dispatcher {
  // A request that would reuse a kept-alive socket (no new connection) is checked too.
  return agentFor(gate, proxy, env, options).compose((dispatch) => (options, handler) => {
    try {
      gate.authorizeRequest(String(options.origin));
    } catch (error) {
      // Reported through the handler like undici's own interceptors: a throw here can escape fetch's promise.
      const legacy = handler as { onError?: (error: Error) => void };
      if (handler.onResponseError !== undefined) handler.onResponseError(null as never, error as Error);
      else legacy.onError?.(error as Error);
      return true;
    }
    return dispatch(options, handler);
  });
}

function agentFor(gate: ConnectionGate, proxy: string | null, env: NodeJS.ProcessEnv, options: EgressDispatcherOptions): Dispatcher {
  const factory = gatedFactory(gate, options);
  if (proxy !== null && proxy !== '') return new ProxyAgent({ uri: proxy, factory });
  return new EnvHttpProxyAgent({
    factory,
    httpProxy: env.http_proxy ?? env.HTTP_PROXY ?? '',
    httpsProxy: env.https_proxy ?? env.HTTPS_PROXY ?? env.http_proxy ?? env.HTTP_PROXY ?? '',
    noProxy: env.no_proxy ?? env.NO_PROXY ?? '',
  });
}

export interface EgressDispatcher {
  /** Rebuilds the dispatcher for a changed proxy setting; transfers already running finish on the old one. */
  setProxy(proxy: string | null): void;
  /** Puts back the dispatcher that was global before (unless another was installed since). */
  uninstall(): Promise<void>;
}

/** Makes every fetch in this process go through the gate. */
export function installEgressDispatcher(gate: ConnectionGate, proxy: string | null, env: NodeJS.ProcessEnv, options: EgressDispatcherOptions = {}): EgressDispatcher {
  const previous = getGlobalDispatcher();
  let current = createEgressDispatcher(gate, proxy, env, options);
  setGlobalDispatcher(current);
  return {
    setProxy(next) {
      const old = current;
      current = createEgressDispatcher(gate, next, env, options);
      if (getGlobalDispatcher() === old) setGlobalDispatcher(current);
      void old.close().catch(() => undefined);
    },
    async uninstall() {
      if (getGlobalDispatcher() === current) setGlobalDispatcher(previous);
      await current.destroy().catch(() => undefined);
    },
  };
}
