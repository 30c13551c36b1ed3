/**
 * The one egress gate. Code that means to connect asks `authorize` first (a request); the
 * connection-level dispatcher (egress-dispatcher.ts) asks `authorizeConnection` for every socket
 * fetch opens. Allowed only for a download or a server request the user started, only to the
 * configured model hosts and inference servers, never when offline. Every attempt, allowed or not, is appended to a JSONL log the user can open
 * and export; past a few megabytes the log moves to `egress-log.1.jsonl` (replacing the older one).
 */
import { appendFileSync, closeSync, fstatSync, openSync, readSync, renameSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { EnclaveError } from '#shared/errors.ts';
import { isLoopbackHostname } from '#shared/loopback.ts';
import type { EgressLogEntry, EgressOutcome, EgressPurpose } from '#shared/privacy.ts';

export type { EgressLogEntry, EgressOutcome, EgressPurpose } from '#shared/privacy.ts';
export type EgressEndOutcome = 'completed' | 'failed' | 'cancelled';

export interface EgressRequest {
  url: string;
  purpose: EgressPurpose;
  userInitiated: boolean;
  /** The model a server request asks for, logged with it. */
  model?: string;
}

/** What a request sent and received (its bodies), logged when it ends; never the text itself. */
export interface EgressTraffic {
  bytesSent: number;
  bytesReceived: number;
}

export interface EgressHandle {
  /** Logs how the connection ended; only the first call counts. */
  finish(outcome: EgressEndOutcome, detail?: string, traffic?: EgressTraffic): void;
  /**
   * Called when the connection-level gate refuses a socket while this request is open (a redirect
   * to a host that is not allowed, offline switched on): the caller stops instead of retrying.
   */
  onRefusal(listener: (error: EnclaveError) => void): void;
}

export interface EgressGateOptions {
  /** JSONL in the data folder. */
  logFile: string;
  allowedHosts: () => readonly string[];
  /** The configured inference servers' `host[:port]`: reachable over http as well as https. */
  serverHosts?: () => readonly string[];
  offline: () => boolean;
  now?: () => Date;
}

export const EGRESS_LOG_FILE_NAME = 'egress-log.jsonl';
/** Past this size the log becomes `<log>.1.jsonl` and a new one starts: about twice this is kept. */
export const EGRESS_LOG_ROTATE_BYTES = 4 * 1024 * 1024;

/** The previous log, kept beside the current one after a rotation. */
export function rotatedLogFile(logFile: string): string {
  return logFile.replace(/(\.jsonl)?$/, '.1.jsonl');
}

/**
 * Hugging Face and every host under its two domains. Its guide to downloading behind a firewall
 * lists the current hosts (`huggingface.co`, `cas-server.xethub.hf.co`, `transfer.xethub.hf.co`,
 * `us.aws.cdn.hf.co`, `us.gcp.cdn.hf.co`, `cdn-lfs-us-1.hf.co`, their `-eu` twins...), warns that
 * they change, and recommends allowing the two suffixes: a Xet-stored file's `resolve` answers 302
 * to `us.aws.cdn.hf.co/xet-bridge-us/...`, which a fixed list from a year earlier refused. An entry
 * that starts with a dot matches any name under it (never the bare name, never `evilhf.co`).
 */
export const HUGGING_FACE_HOSTS = ['huggingface.co', '.huggingface.co', 'hf.co', '.hf.co'] as const;

/** Whether a gate entry (`host`, `host:port`, or `.suffix`) covers this URL's host. */
export function hostEntryMatches(entry: string, url: URL): boolean {
  const rule = entry.toLowerCase();
  const hostname = url.hostname.toLowerCase();
  // An entry with a port must match host:port; one without matches the name on the default port.
  if (rule.startsWith('.')) return url.port === '' && rule.length > 1 && hostname.endsWith(rule);
  return rule === url.host.toLowerCase() || (rule === hostname && url.port === '');
}

/**
 * The hosts model downloads may reach: a configured endpoint (a mirror, or a local test server)
 * replaces Hugging Face entirely; without one, Hugging Face and its CDN hosts.
 */
export function modelHosts(endpoint: string | undefined): string[] {
  if (endpoint === undefined || endpoint.trim() === '') return [...HUGGING_FACE_HOSTS];
  const url = URL.parse(endpoint.trim());
  if (url === null || url.host === '') return [];
  return url.host.toLowerCase() === 'huggingface.co' ? [...HUGGING_FACE_HOSTS] : [url.host.toLowerCase()];
}

const MAX_DETAIL_CHARS = 500;

/** One new TCP connection as the connection-level gate sees it (no path: only the target). */
export interface EgressConnection {
  protocol: string;
  hostname: string;
  port: string | number;
}

export class EgressGate {
  private readonly options: EgressGateOptions;
  /** Purposes of the authorized requests not yet finished: while any is open, a user-started transfer is running. */
  private readonly open = new Map<symbol, { purpose: EgressPurpose; refusalListeners: ((error: EnclaveError) => void)[] }>();
  private readonly entryListeners = new Set<(entry: EgressLogEntry) => void>();
  private logBytes: number;

  constructor(options: EgressGateOptions) {
    this.options = options;
    endWithNewline(options.logFile);
    this.logBytes = fileSize(options.logFile);
  }

  /** Every entry as it is written (the Privacy page shows them live instead of reading the file again). */
  onEntry(listener: (entry: EgressLogEntry) => void): () => void {
    this.entryListeners.add(listener);
    return () => this.entryListeners.delete(listener);
  }

  /**
   * A request from the renderer's page that the Electron shell refused (its session may reach only
   * the app's own origin): nothing was sent, and the log says so.
   */
  logRendererRequest(url: string, resourceType: string): void {
    const parsed = URL.parse(url);
    this.append({
      host: parsed?.host.toLowerCase() ?? '',
      url: parsed === null ? truncate(url) : redact(parsed),
      purpose: 'renderer',
      outcome: 'blocked-host',
      level: 'request',
      detail: truncate(resourceType),
    });
  }

  /** Logs the attempt. Throws 'OFFLINE' or 'EGRESS_BLOCKED' when refused; otherwise a handle to log how it ended. */
  authorize(request: EgressRequest): EgressHandle {
    const url = URL.parse(request.url);
    const host = url?.host.toLowerCase() ?? '';
    const logged = url === null ? truncate(request.url) : redact(url);
    const model = request.model === undefined ? {} : { model: truncate(request.model) };
    const log = (outcome: EgressOutcome, detail?: string, traffic?: EgressTraffic): void =>
      this.append({ host, url: logged, purpose: request.purpose, outcome, level: 'request', detail, ...model, ...traffic });

    if (this.options.offline()) {
      log('blocked-offline');
      throw new EnclaveError('OFFLINE', 'offline mode is on: no network connection is allowed', { host });
    }
    if (!request.userInitiated) {
      log('blocked-not-user-initiated');
      throw new EnclaveError('EGRESS_BLOCKED', 'only a request the user started may reach the network', { host, reason: 'not-user-initiated' });
    }
    const refusal = url === null ? 'not a URL' : this.refusal(url);
    if (refusal !== null) {
      log('blocked-host', refusal);
      throw new EnclaveError('EGRESS_BLOCKED', `connection refused: ${refusal}`, { host, reason: refusal });
    }
    log('allowed');
    const key = Symbol(request.purpose);
    const refusalListeners: ((error: EnclaveError) => void)[] = [];
    this.open.set(key, { purpose: request.purpose, refusalListeners });
    return {
      finish: (outcome, detail, traffic) => {
        if (!this.open.delete(key)) return;
        log(outcome, detail === undefined ? undefined : truncate(detail), traffic);
      },
      onRefusal: (listener) => void refusalListeners.push(listener),
    };
  }

  /**
   * Checks where a redirect leads before a library follows it on its own: a target that
   * `authorize` would refuse is refused (and logged) now; an allowed one logs nothing yet (its
   * connection is logged when it opens).
   */
  checkTarget(request: EgressRequest): void {
    const url = URL.parse(request.url);
    if (this.options.offline() || !request.userInitiated || url === null || this.refusal(url) !== null) this.authorize(request);
  }

  /**
   * The connection-level check (egress-dispatcher.ts calls it for every new
   * socket, redirects and library code that never called `authorize` included). Allowed only while
   * a user-started request is open, to a model host, when not offline; logged either way.
   */
  authorizeConnection(connection: EgressConnection): void {
    const port = String(connection.port);
    const defaultPort = connection.protocol === 'https:' ? '443' : connection.protocol === 'http:' ? '80' : '';
    const hostname = connection.hostname.includes(':') && !connection.hostname.startsWith('[') ? `[${connection.hostname}]` : connection.hostname;
    const origin = `${connection.protocol}//${hostname}${port === '' || port === defaultPort ? '' : `:${port}`}`;
    this.checkConnection(origin, true);
  }

  /**
   * The same check for a request about to reuse an open keep-alive socket (one opened while a
   * download ran): only refusals are logged, the socket's opening already was.
   */
  authorizeRequest(origin: string): void {
    this.checkConnection(origin, false);
  }

  private checkConnection(origin: string, logAllowed: boolean): void {
    const url = URL.parse(origin);
    const host = url?.host.toLowerCase() ?? truncate(origin);
    const open = [...this.open.values()];
    const purpose: EgressPurpose = open.at(-1)?.purpose ?? 'unattributed';
    const refuse = (outcome: EgressOutcome, error: EnclaveError, detail?: string): never => {
      this.append({ host, url: url === null ? truncate(origin) : redact(url), purpose, outcome, level: 'connection', detail });
      for (const request of open) for (const listener of request.refusalListeners) listener(error);
      throw error;
    };
    if (this.options.offline()) refuse('blocked-offline', new EnclaveError('OFFLINE', 'offline mode is on: no network connection is allowed', { host }));
    if (open.length === 0) {
      refuse('blocked-not-user-initiated', new EnclaveError('EGRESS_BLOCKED', `connection to ${host} refused: no download the user started is running`, { host, reason: 'not-user-initiated' }));
    }
    const refusal = url === null ? 'not a URL' : this.refusal(url);
    if (refusal !== null) refuse('blocked-host', new EnclaveError('EGRESS_BLOCKED', `connection refused: ${refusal}`, { host, reason: refusal }), refusal);
    if (logAllowed) this.append({ host, url: url === null ? truncate(origin) : redact(url), purpose, outcome: 'allowed', level: 'connection' });
  }

  /** Every entry kept (the rotated log, then the current one), oldest first; lines that cannot be read are skipped. */
  async entries(): Promise<EgressLogEntry[]> {
    const entries: EgressLogEntry[] = [];
    for (const file of [rotatedLogFile(this.options.logFile), this.options.logFile]) entries.push(...(await readLog(file)));
    return entries;
  }

  private refusal(url: URL): string | null {
    if (url.username !== '' || url.password !== '') return 'credentials in URL';
    const server = this.options.serverHosts?.().some((entry) => hostEntryMatches(entry, url)) ?? false;
    // A team's server on the office network often has no certificate: http is allowed to the configured ones.
    const plainAllowed = server || isLoopbackHostname(url.hostname);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && plainAllowed)) return `protocol ${url.protocol} not allowed`;
    const match = server || this.options.allowedHosts().some((entry) => hostEntryMatches(entry, url));
    return match ? null : `host ${url.host.toLowerCase()} is neither a configured model host nor a configured server`;
  }

  private append(entry: Omit<EgressLogEntry, 'time'>): void {
    const time = (this.options.now?.() ?? new Date()).toISOString();
    const full: EgressLogEntry = { time, host: entry.host, url: entry.url, purpose: entry.purpose, outcome: entry.outcome };
    if (entry.level !== undefined) full.level = entry.level;
    if (entry.detail !== undefined) full.detail = entry.detail;
    if (entry.model !== undefined) full.model = entry.model;
    if (entry.bytesSent !== undefined) full.bytesSent = entry.bytesSent;
    if (entry.bytesReceived !== undefined) full.bytesReceived = entry.bytesReceived;
    const line = `${JSON.stringify(full)}\n`;
    if (this.logBytes > 0 && this.logBytes + line.length > EGRESS_LOG_ROTATE_BYTES) {
      renameSync(this.options.logFile, rotatedLogFile(this.options.logFile));
      this.logBytes = 0;
    }
    // Synchronous, so the attempt is on disk before any byte goes out.
    appendFileSync(this.options.logFile, line, { mode: 0o600 });
    this.logBytes += Buffer.byteLength(line);
    for (const listener of this.entryListeners) listener(full);
  }
}

async function readLog(file: string): Promise<EgressLogEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const entries: EgressLogEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      entries.push(JSON.parse(line) as EgressLogEntry);
    } catch {
      // A line cut short by a crash mid-write: the other entries still count.
    }
  }
  return entries;
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** After a crash mid-write, the next entry starts on its own line instead of joining the cut one. */
function endWithNewline(file: string): void {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return;
  }
  try {
    const size = fstatSync(fd).size;
    const last = Buffer.alloc(1);
    if (size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a) appendFileSync(file, '\n');
  } finally {
    closeSync(fd);
  }
}

/** The URL as logged: no credentials, no query (signed CDN URLs carry tokens), no fragment. */
function redact(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

function truncate(text: string): string {
  return text.length > MAX_DETAIL_CHARS ? `${text.slice(0, MAX_DETAIL_CHARS)}…` : text;
}
