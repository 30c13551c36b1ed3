/**
 * Inference servers (llama-server, vLLM, Ollama, LocalAI: anything that speaks OpenAI's API) that
 * Enclave may use as engines. A server is known by its base URL; its API key never leaves the host.
 */
import { z } from 'zod';
import { isLoopbackHostname } from './loopback.ts';

/** Where an address leads: this machine, the private network, or the public internet (which needs the user's consent). */
export type ServerAddressKind = 'loopback' | 'private' | 'public';

/**
 * Classifies a URL's hostname (as `URL.hostname` writes it) by its literal form. A name other than
 * `localhost` or a `.local` one could resolve anywhere, so it counts as public.
 */
export function serverAddressKind(hostname: string): ServerAddressKind {
  const name = hostname.toLowerCase();
  if (isLoopbackHostname(name)) return 'loopback';
  if (name.endsWith('.local') && name.length > '.local'.length) return 'private';
  const ipv4 = parseIpv4(name);
  if (ipv4 !== null) return ipv4KindOf(ipv4);
  if (name.startsWith('[') && name.endsWith(']')) return ipv6KindOf(name.slice(1, -1));
  return 'public';
}

function parseIpv4(name: string): number[] | null {
  const parts = name.split('.');
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part))) return null;
  const bytes = parts.map(Number);
  return bytes.every((byte) => byte <= 255) ? bytes : null;
}

function ipv4KindOf([a = 0, b = 0]: number[]): ServerAddressKind {
  if (a === 127) return 'loopback';
  // RFC 1918 and link-local (RFC 3927).
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254)) return 'private';
  return 'public';
}

function ipv6KindOf(address: string): ServerAddressKind {
  if (address === '::1') return 'loopback';
  // An IPv4-mapped address, as URL writes it (::ffff:c0a8:102 for 192.168.1.2).
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(address);
  if (mapped !== null) {
    const [high, low] = [Number.parseInt(mapped[1] ?? '', 16), Number.parseInt(mapped[2] ?? '', 16)];
    return ipv4KindOf([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  }
  const first = Number.parseInt(address.split(':')[0] ?? '', 16);
  if (Number.isNaN(first)) return 'public';
  // Unique-local fc00::/7 and link-local fe80::/10.
  if ((first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80) return 'private';
  return 'public';
}

/**
 * The base URL as Enclave keeps it: no trailing slash and no trailing `/v1` (OpenAI clients often
 * take `…/v1`, Enclave adds it to each endpoint). Null when it is not an http(s) address without
 * credentials, query or fragment.
 */
export function normalizeServerUrl(value: string): string | null {
  const url = URL.parse(value.trim());
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return null;
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') return null;
  const path = url.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
  return `${url.protocol}//${url.host}${path}`;
}

export const serverUrlSchema = z
  .string()
  .max(500)
  .transform((value, context) => {
    const normalized = normalizeServerUrl(value);
    if (normalized === null) {
      context.addIssue({ code: 'custom', message: 'an http:// or https:// address, without user name, query or fragment' });
      return z.NEVER;
    }
    return normalized;
  });

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

export const addServerSchema = z.strictObject({
  baseUrl: serverUrlSchema,
  /** '' or absent: the server asks for none. */
  apiKey: z.string().max(500).optional(),
  /** PEM certificates of a company CA the server's certificate chains to; '' or absent: the system's CAs. */
  caCertificate: z
    .string()
    .max(64 * 1024)
    .refine((value) => value.trim() === '' || PEM_CERTIFICATE.test(value), 'PEM certificates (-----BEGIN CERTIFICATE-----)')
    .optional(),
  /** The user confirmed that text sent to this public address leaves their network. */
  confirmPublic: z.boolean().optional(),
});
export type AddServerInput = z.infer<typeof addServerSchema>;

/** A server as the renderer sees it: never its key or its certificate's content. */
export interface ServerView {
  /** Its normalized base URL. */
  id: string;
  /** host:port, to name it in lists and pickers. */
  name: string;
  baseUrl: string;
  address: ServerAddressKind;
  hasKey: boolean;
  hasCertificate: boolean;
  /** Added by ENCLAVE_SERVERS at start: shown locked, cannot be removed here. */
  fromEnvironment: boolean;
}

export interface ServerModelInfo {
  /** The id the server gives it (the `model` field of a request). */
  id: string;
  /** `owned_by`, when the server says. */
  ownedBy: string | null;
}

export interface ServerTestResult {
  models: ServerModelInfo[];
  /** From sending the model list request to reading the whole answer. */
  milliseconds: number;
  /** Answers Enclave lets run on it at once: the slots the server reports (llama-server), else a default. */
  capacity: number;
  /** The server reported `capacity` itself. */
  capacityReported: boolean;
}

export const serverIdSchema = z.strictObject({ id: z.string().min(1).max(500) });

export const serversCommandSchemas = {
  'servers.list': z.strictObject({}),
  'servers.add': addServerSchema,
  'servers.remove': serverIdSchema,
  /** Connects, asks GET /v1/models and answers its models (or the failure, translated). */
  'servers.test': serverIdSchema,
} as const;

export interface ServersCommandResults {
  'servers.list': ServerView[];
  'servers.add': ServerView;
  'servers.remove': { removed: true };
  'servers.test': ServerTestResult;
}

export interface ServersEventPayloads {
  'servers.changed': ServerView[];
}

/** A server model's id in Enclave: the server's base URL (which has no `#`) and the model's own id. */
export function serverModelId(serverId: string, model: string): string {
  return `${serverId}#${model}`;
}

export function parseServerModelId(id: string): { serverId: string; model: string } | null {
  const at = id.indexOf('#');
  if (at === -1 || !/^https?:\/\//.test(id)) return null;
  const model = id.slice(at + 1);
  return model === '' ? null : { serverId: id.slice(0, at), model };
}

/**
 * How a model id reads where only the id is kept (a comparison's column): a local model's file
 * path as it is; a server model as its file name (llama-server names a model by its path) and the
 * server's host, `enclave-scripted.gguf · 127.0.0.1:8080`.
 */
export function modelIdLabel(id: string): string {
  const parsed = parseServerModelId(id);
  if (parsed === null) return id;
  return `${serverModelName(parsed.model)} · ${new URL(parsed.serverId).host}`;
}

/** A server model's name to show: llama-server names a model by the path it was started with, whose file name is enough. */
export function serverModelName(model: string): string {
  return model.split(/[\\/]/).at(-1) || model;
}

/**
 * Where an answer was computed: this computer, or the server a server model's id names. Read from
 * the model id each answer keeps, so it stays true once the server is removed from the list.
 */
export type AnswerOrigin = { where: 'local' } | { where: 'server'; /** host:port */ server: string; baseUrl: string };

export function answerOrigin(modelId: string): AnswerOrigin {
  const parsed = parseServerModelId(modelId);
  if (parsed === null) return { where: 'local' };
  const url = URL.parse(parsed.serverId);
  return url === null ? { where: 'local' } : { where: 'server', server: url.host, baseUrl: parsed.serverId };
}
