/**
 * Servers against a real llama-server on 127.0.0.1 (built by .ci/build-llama-server.sh): the
 * connection test and its model list, a wrong key, TLS with a test CA, the egress log's entries;
 * and, with no server needed, an address nothing listens on, a public address and Offline mode.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CallOutcome } from '#shared/endpoint.ts';
import type { ServerTestResult, ServerView } from '#shared/servers.ts';
import { ensureFixtureModels } from '../../../fixtures/gguf/index.ts';
import { llamaServerMissing, startLlamaServer, type LlamaServer } from '../../../support/llama-server.ts';
import { freePort } from '../../../support/loopback.ts';
import { makeTestCertificates, type TestCertificates } from '../../../support/test-ca.ts';
import { createTestHost, type TestHost } from '../../../support/test-host.ts';

const KEY = 'sk-enclave-test-7f3a9c';

function ok<T>(outcome: CallOutcome): T {
  if (!outcome.ok) throw new Error(`${outcome.error.code}: ${outcome.error.message}`);
  return outcome.result as T;
}

function errorCode(outcome: CallOutcome): string {
  if (outcome.ok) throw new Error('the call succeeded');
  return outcome.error.code;
}

const missing = llamaServerMissing();
if (missing !== null) console.warn(`servers.test.ts: the tests against llama-server skip: ${missing}`);

describe.skipIf(missing !== null)('against a real llama-server', () => {
  let open: LlamaServer;
  let keyed: LlamaServer;
  let secure: LlamaServer;
  let certificates: TestCertificates;
  let t: TestHost;

  beforeAll(async () => {
    const { scripted } = await ensureFixtureModels();
    certificates = await makeTestCertificates();
    [open, keyed, secure] = await Promise.all([
      startLlamaServer({ model: scripted }),
      startLlamaServer({ model: scripted, apiKey: KEY }),
      startLlamaServer({ model: scripted, tls: { keyFile: certificates.keyFile, certFile: certificates.certFile } }),
    ]);
    t = await createTestHost([], { ENCLAVE_SERVERS: `${open.url}/v1/` });
  }, 120_000);

  afterAll(async () => {
    await t?.dispose();
    await Promise.all([open?.stop(), keyed?.stop(), secure?.stop()]);
  });

  test('ENCLAVE_SERVERS adds a locked server whose models the connection test lists, logged with its byte count', async () => {
    const [server] = ok<ServerView[]>(await t.host.call('servers.list', {}));
    expect(server).toMatchObject({ id: open.url, name: `127.0.0.1:${open.port}`, address: 'loopback', fromEnvironment: true, hasKey: false });
    // The host read its models at start already (request, connection, completed); the test reads them again.
    await t.waitFor('servers.changed');
    const before = (await t.host.services.egress.entries()).length;
    const result = ok<ServerTestResult>(await t.host.call('servers.test', { id: open.url }));
    expect(result.models).toHaveLength(1);
    expect(result.models[0]?.id).toContain('scripted');
    expect(errorCode(await t.host.call('servers.remove', { id: open.url }))).toBe('FORBIDDEN');

    const entries = (await t.host.services.egress.entries()).slice(before).filter((entry) => entry.host === `127.0.0.1:${open.port}`);
    // The agent keeps its socket alive: the second request opens no new connection. The model list,
    // then llama-server's /props for its number of slots.
    expect(entries.map((entry) => [new URL(entry.url).pathname, entry.level, entry.outcome])).toEqual([
      ['/v1/models', 'request', 'allowed'],
      ['/v1/models', 'request', 'completed'],
      ['/props', 'request', 'allowed'],
      ['/props', 'request', 'completed'],
    ]);
    expect(entries.every((entry) => entry.purpose === 'server')).toBe(true);
    expect(entries[1]?.bytesReceived).toBeGreaterThan(0);
    expect(result).toMatchObject({ capacity: 1, capacityReported: true });
  });

  test('a wrong key is refused with SERVER_UNAUTHORIZED; the right one works and is never shown, logged or readable by others', async () => {
    const wrong = ok<ServerView>(await t.host.call('servers.add', { baseUrl: keyed.url, apiKey: 'sk-wrong' }));
    expect(errorCode(await t.host.call('servers.test', { id: wrong.id }))).toBe('SERVER_UNAUTHORIZED');
    ok(await t.host.call('servers.remove', { id: wrong.id }));

    const added = ok<ServerView>(await t.host.call('servers.add', { baseUrl: keyed.url, apiKey: KEY }));
    expect(added.hasKey).toBe(true);
    expect(ok<ServerTestResult>(await t.host.call('servers.test', { id: added.id })).models).toHaveLength(1);

    const everythingShown = JSON.stringify([await t.host.call('servers.list', {}), await t.host.call('settings.get', {}), t.events]);
    expect(everythingShown).not.toContain(KEY);
    expect(await readFile(join(t.dataDir, 'egress-log.jsonl'), 'utf8')).not.toContain(KEY);
    const settingsFile = join(t.dataDir, 'settings.json');
    expect(await readFile(settingsFile, 'utf8')).toContain(KEY);
    expect((await stat(settingsFile)).mode & 0o777).toBe(0o600);
  });

  test('TLS: a certificate from an unknown CA is refused with SERVER_CERTIFICATE; with the CA given, it verifies', async () => {
    const untrusted = ok<ServerView>(await t.host.call('servers.add', { baseUrl: secure.url }));
    expect(errorCode(await t.host.call('servers.test', { id: untrusted.id }))).toBe('SERVER_CERTIFICATE');
    ok(await t.host.call('servers.remove', { id: untrusted.id }));

    const trusted = ok<ServerView>(await t.host.call('servers.add', { baseUrl: secure.url, caCertificate: certificates.caCertificate }));
    expect(trusted.hasCertificate).toBe(true);
    expect(ok<ServerTestResult>(await t.host.call('servers.test', { id: trusted.id })).models).toHaveLength(1);
  });

  test('Offline mode blocks servers, and the log says so', async () => {
    ok(await t.host.call('settings.update', { offline: true }));
    try {
      expect(errorCode(await t.host.call('servers.test', { id: open.url }))).toBe('OFFLINE');
      const last = (await t.host.services.egress.entries()).at(-1);
      expect(last).toMatchObject({ host: `127.0.0.1:${open.port}`, purpose: 'server', outcome: 'blocked-offline' });
    } finally {
      ok(await t.host.call('settings.update', { offline: false }));
    }
  });
});

describe('without a server', () => {
  let t: TestHost;

  beforeAll(async () => {
    t = await createTestHost();
  });

  afterAll(async () => {
    await t?.dispose();
  });

  test('an address nothing listens on is SERVER_UNREACHABLE', async () => {
    const port = await freePort();
    const server = ok<ServerView>(await t.host.call('servers.add', { baseUrl: `http://127.0.0.1:${port}` }));
    expect(errorCode(await t.host.call('servers.test', { id: server.id }))).toBe('SERVER_UNREACHABLE');
  });

  test('a public address needs the confirmation; a private one does not; a bad address or certificate is refused', async () => {
    expect(errorCode(await t.host.call('servers.add', { baseUrl: 'https://api.example.com' }))).toBe('SERVER_PUBLIC_ADDRESS');
    expect(ok<ServerView[]>(await t.host.call('servers.list', {})).map((server) => server.id)).not.toContain('https://api.example.com');
    expect(ok<ServerView>(await t.host.call('servers.add', { baseUrl: 'https://api.example.com', confirmPublic: true })).address).toBe('public');
    expect(ok<ServerView>(await t.host.call('servers.add', { baseUrl: 'http://192.168.1.20:8080/' })).address).toBe('private');
    expect(errorCode(await t.host.call('servers.add', { baseUrl: 'http://192.168.1.20:8080' }))).toBe('SERVER_EXISTS');
    expect(errorCode(await t.host.call('servers.add', { baseUrl: 'ftp://192.168.1.21' }))).toBe('BAD_REQUEST');
    expect(errorCode(await t.host.call('servers.add', { baseUrl: 'http://192.168.1.21', caCertificate: 'not a certificate' }))).toBe('BAD_REQUEST');
  });

  test('a host that is not a configured server is refused by the gate, and logged', async () => {
    const port = await freePort();
    await expect(fetch(`http://127.0.0.1:${port}/v1/models`)).rejects.toThrow();
    const last = (await t.host.services.egress.entries()).at(-1);
    expect(last).toMatchObject({ host: `127.0.0.1:${port}`, outcome: 'blocked-not-user-initiated' });
  });
});
