/**
 * The one egress gate: every outbound connection that Node code makes asks `authorize` first.
 * Allowed only for a download the user started, only to the configured model hosts, never when
 * offline. Every attempt, allowed or not, is appended to a JSONL log the user can open and export.
 */
import { appendFileSync, closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { EnclaveError } from '../../shared/errors.ts';
import type { EgressLogEntry, EgressOutcome, EgressPurpose } from '../../shared/privacy.ts';

export type { EgressLogEntry, EgressOutcome, EgressPurpose } from '../../shared/privacy.ts';
export type EgressEndOutcome = 'completed' | 'failed' | 'cancelled';

export interface EgressRequest {
  url: string;
  purpose: EgressPurpose;
  userInitiated: boolean;
}

export interface EgressHandle {
  /** Logs how the connection ended; only the first call counts. */
  finish(outcome: EgressEndOutcome, detail?: string): void;
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
  offline: () => boolean;
  now?: () => Date;
}

export const EGRESS_LOG_FILE_NAME = 'egress-log.jsonl';

/** Hugging Face and the hosts its file downloads redirect to. */
export const HUGGING_FACE_HOSTS = [
  'huggingface.co',
  'cdn-lfs.huggingface.co',
  'cdn-lfs-us-1.huggingface.co',
  'cdn-lfs-eu-1.huggingface.co',
  'cdn-lfs.hf.co',
  'cdn-lfs-us-1.hf.co',
  'cdn-lfs-eu-1.hf.co',
  'cas-bridge.xethub.hf.co',
] as const;

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

const LOOPBACK_HOSTNAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);
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

  constructor(options: EgressGateOptions) {
    this.options = options;
    endWithNewline(options.logFile);
  }

  /** Logs the attempt. Throws 'OFFLINE' or 'EGRESS_BLOCKED' when refused; otherwise a handle to log how it ended. */
  authorize(request: EgressRequest): EgressHandle {
    const url = URL.parse(request.url);
    const host = url?.host.toLowerCase() ?? '';
    const logged = url === null ? truncate(request.url) : redact(url);
    const log = (outcome: EgressOutcome, detail?: string): void => this.append({ host, url: logged, purpose: request.purpose, outcome, detail });

    if (this.options.offline()) {
      log('blocked-offline');
      throw new EnclaveError('OFFLINE', 'offline mode is on: no network connection is allowed', { host });
    }
    if (!request.userInitiated) {
      log('blocked-not-user-initiated');
      throw new EnclaveError('EGRESS_BLOCKED', 'only a download the user started may reach the network', { host, reason: 'not-user-initiated' });
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
      finish: (outcome, detail) => {
        if (!this.open.delete(key)) return;
        log(outcome, detail === undefined ? undefined : truncate(detail));
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
   * The connection-level check (electron/services/egress-dispatcher.ts calls it for every new
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

  /** Every entry in the log, oldest first; lines that cannot be read are skipped. */
  async entries(): Promise<EgressLogEntry[]> {
    let text: string;
    try {
      text = await readFile(this.options.logFile, 'utf8');
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

  private refusal(url: URL): string | null {
    if (url.username !== '' || url.password !== '') return 'credentials in URL';
    const loopback = LOOPBACK_HOSTNAMES.has(url.hostname);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) return `protocol ${url.protocol} not allowed`;
    const allowed = this.options.allowedHosts().map((entry) => entry.toLowerCase());
    const host = url.host.toLowerCase();
    const hostname = url.hostname.toLowerCase();
    // An entry with a port must match host:port; one without matches the name on the default port.
    const match = allowed.some((entry) => entry === host || (entry === hostname && url.port === ''));
    return match ? null : `host ${host} is not a configured model host`;
  }

  private append(entry: Omit<EgressLogEntry, 'time'>): void {
    const time = (this.options.now?.() ?? new Date()).toISOString();
    const full: EgressLogEntry = { time, host: entry.host, url: entry.url, purpose: entry.purpose, outcome: entry.outcome };
    if (entry.level !== undefined) full.level = entry.level;
    if (entry.detail !== undefined) full.detail = entry.detail;
    // Synchronous, so the attempt is on disk before any byte goes out.
    appendFileSync(this.options.logFile, `${JSON.stringify(full)}\n`, { mode: 0o600 });
  }
}

const MAX_REDIRECTS = 5;

/**
 * fetch() through the gate: every hop, redirects included (Hugging Face sends files to its CDN),
 * is authorized and logged before it connects. The caller finishes the returned handle when the
 * body is read (or the download is cancelled).
 */
export async function gatedFetch(gate: EgressGate, request: EgressRequest, init: RequestInit = {}): Promise<{ response: Response; handle: EgressHandle }> {
  let url = request.url;
  for (let hop = 0; ; hop++) {
    const handle = gate.authorize({ ...request, url });
    let response: Response;
    try {
      response = await fetch(url, { ...init, redirect: 'manual' });
    } catch (error) {
      handle.finish(init.signal?.aborted === true ? 'cancelled' : 'failed', error instanceof Error ? error.message : String(error));
      throw error;
    }
    const location = response.headers.get('location');
    if (response.status < 300 || response.status > 399 || location === null) return { response, handle };
    await response.body?.cancel();
    const next = new URL(location, url).href;
    handle.finish('completed', `HTTP ${response.status} redirect to ${URL.parse(next)?.host ?? '?'}`);
    if (hop >= MAX_REDIRECTS) throw new EnclaveError('EGRESS_BLOCKED', 'too many redirects', { url: request.url });
    url = next;
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
