import { appendFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EGRESS_LOG_ROTATE_BYTES,
  EgressGate,
  HUGGING_FACE_HOSTS,
  hostEntryMatches,
  modelHosts,
  rotatedLogFile,
  type EgressLogEntry,
  type EgressRequest,
} from '../../../../electron/services/privacy/egress.ts';

let dir: string;
let logFile: string;
let offline: boolean;
let gate: EgressGate;
const NOW = new Date('2026-01-02T03:04:05.000Z');

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'enclave-egress-'));
  logFile = join(dir, 'egress-log.jsonl');
  offline = false;
  gate = new EgressGate({ logFile, allowedHosts: () => modelHosts(undefined), offline: () => offline, now: () => NOW });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const download = (url: string): EgressRequest => ({ url, purpose: 'model-download', userInitiated: true });

describe('egress gate', () => {
  it('allows a user-started download from Hugging Face and logs the attempt and how it ended', async () => {
    const handle = gate.authorize(download('https://huggingface.co/Qwen/Qwen3-0.6B-GGUF/resolve/main/q.gguf?download=true'));
    handle.finish('completed', '639 MB');
    handle.finish('failed');
    expect(await gate.entries()).toEqual([
      { time: NOW.toISOString(), host: 'huggingface.co', url: 'https://huggingface.co/Qwen/Qwen3-0.6B-GGUF/resolve/main/q.gguf', purpose: 'model-download', outcome: 'allowed', level: 'request' },
      {
        time: NOW.toISOString(),
        host: 'huggingface.co',
        url: 'https://huggingface.co/Qwen/Qwen3-0.6B-GGUF/resolve/main/q.gguf',
        purpose: 'model-download',
        outcome: 'completed',
        level: 'request',
        detail: '639 MB',
      },
    ]);
  });

  // Hugging Face's list of download hosts (its firewall guide, 2026), the legacy names it still answers under, and a Xet bridge path.
  const CURRENT_HOSTS = [
    'huggingface.co',
    'cas-server.xethub.hf.co',
    'cas-server.xethub-eu.hf.co',
    'transfer.xethub.hf.co',
    'transfer.xethub-eu.hf.co',
    'us.aws.cdn.hf.co',
    'us.gcp.cdn.hf.co',
    'cdn-lfs-us-1.hf.co',
    'cdn-lfs-eu-1.hf.co',
    'cas-bridge.xethub.hf.co',
    'cdn-lfs.hf.co',
    'cdn-lfs.huggingface.co',
    'hf.co',
  ];
  it.each(CURRENT_HOSTS)('allows %s, a host downloads reach today, and logs it by name', async (host) => {
    gate.authorize(download(`https://${host}/xet-bridge-us/abc?X-Amz-Signature=s3cret`));
    expect(await gate.entries()).toEqual([expect.objectContaining({ host, url: `https://${host}/xet-bridge-us/abc`, outcome: 'allowed' })]);
  });

  it('allows names by suffix only at a label boundary and on the default port', () => {
    expect(HUGGING_FACE_HOSTS).toEqual(['huggingface.co', '.huggingface.co', 'hf.co', '.hf.co']);
    const matches = (entry: string, url: string): boolean => hostEntryMatches(entry, new URL(url));
    expect(matches('.hf.co', 'https://a.b.hf.co/x')).toBe(true);
    expect(matches('.hf.co', 'https://A.HF.CO/x')).toBe(true);
    expect(matches('.hf.co', 'https://hf.co/x')).toBe(false);
    expect(matches('.hf.co', 'https://evilhf.co/x')).toBe(false);
    expect(matches('.hf.co', 'https://hf.co.evil.example/x')).toBe(false);
    expect(matches('.hf.co', 'https://cdn.hf.co:8443/x')).toBe(false);
    expect(matches('.', 'https://example.com/x')).toBe(false);
    expect(matches('127.0.0.1:4567', 'http://127.0.0.1:4567/x')).toBe(true);
    expect(matches('mirror.lan', 'https://mirror.lan:444/x')).toBe(false);
  });

  it('refuses everything when offline, even a user-started download', async () => {
    offline = true;
    expect(() => gate.authorize(download('https://huggingface.co/x'))).toThrow(expect.objectContaining({ code: 'OFFLINE' }));
    expect((await gate.entries()).map((entry) => entry.outcome)).toEqual(['blocked-offline']);
  });

  it('refuses a connection the user did not start', async () => {
    expect(() => gate.authorize({ url: 'https://huggingface.co/api/models', purpose: 'model-metadata', userInitiated: false })).toThrow(expect.objectContaining({ code: 'EGRESS_BLOCKED' }));
    expect((await gate.entries())[0]).toMatchObject({ outcome: 'blocked-not-user-initiated', purpose: 'model-metadata', host: 'huggingface.co' });
  });

  it.each([
    ['another host', 'https://example.com/model.gguf'],
    ['a look-alike host', 'https://huggingface.co.evil.example/x'],
    ['a look-alike suffix', 'https://cdn.hf.co.evil.example/x'],
    ['a name that only ends like the domain', 'https://evilhf.co/x'],
    ['a suffix host on another port', 'https://us.aws.cdn.hf.co:8443/x'],
    ['plain http to a CDN host', 'http://us.aws.cdn.hf.co/x'],
    ['a port not listed', 'https://huggingface.co:8443/x'],
    ['plain http', 'http://huggingface.co/x'],
    ['credentials', 'https://user:s3cret@huggingface.co/x'],
    ['file:', 'file:///etc/passwd'],
    ['not a URL', 'huggingface.co/x'],
    ['an IP address', 'https://18.244.0.1/x'],
  ])('refuses %s and logs it', async (_name, url) => {
    expect(() => gate.authorize(download(url))).toThrow(expect.objectContaining({ code: 'EGRESS_BLOCKED' }));
    const [entry] = await gate.entries();
    expect(entry?.outcome).toBe('blocked-host');
    expect(entry?.url).not.toContain('s3cret');
  });

  it('with a configured endpoint, allows only that host, http only on loopback', () => {
    const local = new EgressGate({ logFile, allowedHosts: () => modelHosts('http://127.0.0.1:4567/'), offline: () => false });
    expect(() => local.authorize(download('http://127.0.0.1:4567/repo/resolve/main/m.gguf'))).not.toThrow();
    expect(() => local.authorize(download('http://127.0.0.1:4568/x'))).toThrow(expect.objectContaining({ code: 'EGRESS_BLOCKED' }));
    expect(() => local.authorize(download('https://huggingface.co/x'))).toThrow(expect.objectContaining({ code: 'EGRESS_BLOCKED' }));
    const mirror = new EgressGate({ logFile, allowedHosts: () => modelHosts('http://mirror.lan'), offline: () => false });
    expect(() => mirror.authorize(download('http://mirror.lan/x'))).toThrow(expect.objectContaining({ code: 'EGRESS_BLOCKED' }));
    expect(modelHosts('not a url')).toEqual([]);
  });

  it('reads an empty log and skips a line cut short by a crash', async () => {
    expect(await gate.entries()).toEqual([]);
    gate.authorize(download('https://huggingface.co/a'));
    await appendFile(logFile, '{"time":"2026-01-0');
    const restarted = new EgressGate({ logFile, allowedHosts: () => modelHosts(undefined), offline: () => false });
    restarted.authorize(download('https://huggingface.co/b')).finish('cancelled');
    expect((await gate.entries()).map((entry) => entry.outcome)).toEqual(['allowed', 'allowed', 'cancelled']);
    expect((await readFile(logFile, 'utf8')).split('\n').length).toBe(5);
  });

  it('logs a page request the desktop shell refused, without its query', async () => {
    gate.logRendererRequest('https://fonts.example.com/font.woff2?token=s3cret', 'font');
    expect(await gate.entries()).toEqual([
      { time: NOW.toISOString(), host: 'fonts.example.com', url: 'https://fonts.example.com/font.woff2', purpose: 'renderer', outcome: 'blocked-host', level: 'request', detail: 'font' },
    ]);
  });

  it('hands every entry to its listeners as it is written', () => {
    const seen: EgressLogEntry[] = [];
    const off = gate.onEntry((entry) => seen.push(entry));
    gate.authorize(download('https://huggingface.co/a')).finish('completed');
    off();
    gate.authorize(download('https://huggingface.co/b'));
    expect(seen.map((entry) => `${entry.outcome} ${entry.url}`)).toEqual(['allowed https://huggingface.co/a', 'completed https://huggingface.co/a']);
  });

  it('keeps the log bounded: past the limit it moves to egress-log.1.jsonl, and both are read', async () => {
    const url = `https://huggingface.co/${'x'.repeat(400)}`;
    gate.authorize(download(url)).finish('completed');
    const lineBytes = (await stat(logFile)).size / 2;
    const lines = Math.ceil((2.5 * EGRESS_LOG_ROTATE_BYTES) / lineBytes);
    for (let index = 0; index < lines; index += 2) gate.authorize(download(url)).finish('completed');
    expect((await stat(logFile)).size).toBeLessThanOrEqual(EGRESS_LOG_ROTATE_BYTES);
    expect((await stat(rotatedLogFile(logFile))).size).toBeLessThanOrEqual(EGRESS_LOG_ROTATE_BYTES);
    expect(rotatedLogFile(logFile)).toBe(join(dir, 'egress-log.1.jsonl'));
    const kept = await gate.entries();
    // Two rotations happened: the oldest entries are gone, what is kept is whole and in order.
    expect(kept.length).toBeLessThan(lines + 2);
    expect(kept.length).toBeGreaterThan(EGRESS_LOG_ROTATE_BYTES / lineBytes);
    expect(kept.every((entry, index) => entry.outcome === (index % 2 === 0 ? 'allowed' : 'completed'))).toBe(true);
  });
});

describe('egress gate and inference servers', () => {
  let servers: string[];
  beforeEach(() => {
    servers = ['192.168.1.20:8080'];
    gate = new EgressGate({ logFile, allowedHosts: () => modelHosts(undefined), serverHosts: () => servers, offline: () => offline, now: () => NOW });
  });
  const toServer = (url: string): EgressRequest => ({ url, purpose: 'server', userInitiated: true, model: 'qwen3-32b' });

  it('allows a configured server over http, and logs its model and byte counts, never more', async () => {
    gate.authorize(toServer('http://192.168.1.20:8080/v1/chat/completions')).finish('completed', undefined, { bytesSent: 120, bytesReceived: 4_096 });
    expect((await gate.entries()).map(({ outcome, model, bytesSent, bytesReceived }) => ({ outcome, model, bytesSent, bytesReceived }))).toEqual([
      { outcome: 'allowed', model: 'qwen3-32b', bytesSent: undefined, bytesReceived: undefined },
      { outcome: 'completed', model: 'qwen3-32b', bytesSent: 120, bytesReceived: 4_096 },
    ]);
  });

  it('refuses another port of the same machine, a server removed since, and any server when offline', async () => {
    expect(() => gate.authorize(toServer('https://192.168.1.20:8081/v1/models'))).toThrow(/neither a configured model host nor a configured server/);
    servers = [];
    expect(() => gate.authorize(toServer('http://192.168.1.20:8080/v1/models'))).toThrow(/not allowed/);
    servers = ['192.168.1.20:8080'];
    offline = true;
    expect(() => gate.authorize(toServer('http://192.168.1.20:8080/v1/models'))).toThrow(/offline/);
    expect((await gate.entries()).map((entry) => entry.outcome)).toEqual(['blocked-host', 'blocked-host', 'blocked-offline']);
  });
});
