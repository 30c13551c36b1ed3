import { mkdtemp, readFile, rm, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EgressGate, gatedFetch, HUGGING_FACE_HOSTS, modelHosts, type EgressRequest } from '../../electron/services/egress.ts';

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
      { time: NOW.toISOString(), host: 'huggingface.co', url: 'https://huggingface.co/Qwen/Qwen3-0.6B-GGUF/resolve/main/q.gguf', purpose: 'model-download', outcome: 'allowed' },
      { time: NOW.toISOString(), host: 'huggingface.co', url: 'https://huggingface.co/Qwen/Qwen3-0.6B-GGUF/resolve/main/q.gguf', purpose: 'model-download', outcome: 'completed', detail: '639 MB' },
    ]);
  });

  it('allows the CDN hosts downloads redirect to', () => {
    for (const host of HUGGING_FACE_HOSTS) expect(() => gate.authorize(download(`https://${host}/x`))).not.toThrow();
  });

  it('refuses everything when offline, even a user-started download', async () => {
    offline = true;
    expect(() => gate.authorize(download('https://huggingface.co/x'))).toThrow(expect.objectContaining({ code: 'OFFLINE' }));
    expect((await gate.entries()).map((entry) => entry.outcome)).toEqual(['blocked-offline']);
  });

  it('refuses a connection the user did not start', async () => {
    expect(() => gate.authorize({ url: 'https://huggingface.co/api/models', purpose: 'model-metadata', userInitiated: false })).toThrow(
      expect.objectContaining({ code: 'EGRESS_BLOCKED' }),
    );
    expect((await gate.entries())[0]).toMatchObject({ outcome: 'blocked-not-user-initiated', purpose: 'model-metadata', host: 'huggingface.co' });
  });

  it.each([
    ['another host', 'https://example.com/model.gguf'],
    ['a look-alike host', 'https://huggingface.co.evil.example/x'],
    ['a subdomain not listed', 'https://evil.huggingface.co/x'],
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
});

describe('fetch through the gate', () => {
  const hits = { mirror: 0, other: 0 };
  let mirror: Server;
  let other: Server;
  const port = (server: Server): number => (server.address() as AddressInfo).port;
  const listen = (server: Server): Promise<void> => new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

  beforeEach(async () => {
    other = createServer((_req, res) => {
      hits.other++;
      res.end('other');
    });
    mirror = createServer((req, res) => {
      hits.mirror++;
      if (req.url === '/to-other') res.writeHead(302, { location: `http://127.0.0.1:${port(other)}/file` }).end();
      else if (req.url === '/to-self') res.writeHead(302, { location: '/file' }).end();
      else res.end('model bytes');
    });
    await Promise.all([listen(mirror), listen(other)]);
  });
  afterEach(async () => {
    await Promise.all([new Promise((resolve) => mirror.close(resolve)), new Promise((resolve) => other.close(resolve))]);
  });

  it('authorizes and logs every redirect hop, and refuses a hop to another host before connecting', async () => {
    const local = new EgressGate({ logFile, allowedHosts: () => modelHosts(`http://127.0.0.1:${port(mirror)}`), offline: () => false });
    const { response, handle } = await gatedFetch(local, download(`http://127.0.0.1:${port(mirror)}/to-self`));
    expect(await response.text()).toBe('model bytes');
    handle.finish('completed');
    await expect(gatedFetch(local, download(`http://127.0.0.1:${port(mirror)}/to-other`))).rejects.toMatchObject({ code: 'EGRESS_BLOCKED' });
    expect(hits.other).toBe(0);
    expect((await local.entries()).map((entry) => `${entry.outcome} ${entry.url.replace(/:\d+/, ':PORT')}`)).toEqual([
      'allowed http://127.0.0.1:PORT/to-self',
      'completed http://127.0.0.1:PORT/to-self',
      'allowed http://127.0.0.1:PORT/file',
      'completed http://127.0.0.1:PORT/file',
      'allowed http://127.0.0.1:PORT/to-other',
      'completed http://127.0.0.1:PORT/to-other',
      'blocked-host http://127.0.0.1:PORT/file',
    ]);
  });
});

