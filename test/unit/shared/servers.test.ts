import { describe, expect, test } from 'vitest';
import { addServerSchema, answerOrigin, modelIdLabel, normalizeServerUrl, parseServerModelId, serverAddressKind, serverModelId } from '#shared/servers.ts';
import { serversFromEnv } from '../../../electron/services/servers/server-env.ts';

describe('serverAddressKind', () => {
  test.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['localhost', 'loopback'],
    ['[::1]', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.0.10', 'private'],
    ['169.254.10.1', 'private'],
    ['[fd12:3456::1]', 'private'],
    ['[fc00::1]', 'private'],
    ['[fe80::1]', 'private'],
    ['[::ffff:192.168.1.2]', 'private'],
    ['gpu-box.local', 'private'],
    ['172.32.0.1', 'public'],
    ['172.15.0.1', 'public'],
    ['8.8.8.8', 'public'],
    ['[2001:db8::1]', 'public'],
    ['[::ffff:8.8.8.8]', 'public'],
    ['api.example.com', 'public'],
    ['local', 'public'],
    ['evil.local.example.com', 'public'],
    ['0x7f.1', 'loopback'],
    ['192.168.1', 'private'],
  ])('%s is %s', (hostname, kind) => {
    // As URL writes it: a browser-style parser normalizes odd IPv4 forms first.
    expect(serverAddressKind(new URL(`http://${hostname}/`).hostname)).toBe(kind);
  });
});

describe('normalizeServerUrl', () => {
  test.each([
    ['http://10.0.0.5:8080', 'http://10.0.0.5:8080'],
    ['http://10.0.0.5:8080/', 'http://10.0.0.5:8080'],
    [' http://10.0.0.5:8080/v1/ ', 'http://10.0.0.5:8080'],
    ['https://gpu.local/ollama/v1', 'https://gpu.local/ollama'],
    ['HTTP://GPU.LOCAL:80/', 'http://gpu.local'],
  ])('%s → %s', (input, expected) => expect(normalizeServerUrl(input)).toBe(expected));

  test.each(['ftp://10.0.0.5', 'http://user:pw@10.0.0.5', 'http://10.0.0.5/?key=1', 'http://10.0.0.5/#x', 'not a url', ''])('%s is refused', (input) => {
    expect(normalizeServerUrl(input)).toBeNull();
    expect(addServerSchema.safeParse({ baseUrl: input }).success).toBe(false);
  });
});

describe('ENCLAVE_SERVERS', () => {
  test('comma-separated base URLs, normalized, each once', () => {
    expect(serversFromEnv({ ENCLAVE_SERVERS: ' http://127.0.0.1:8080/v1, http://gpu.local:8000 ,,http://127.0.0.1:8080' })).toEqual(['http://127.0.0.1:8080', 'http://gpu.local:8000']);
    expect(serversFromEnv({})).toEqual([]);
  });

  test('a value that is not an address stops the start with a clear message', () => {
    expect(() => serversFromEnv({ ENCLAVE_SERVERS: 'http://127.0.0.1:8080,gpu' })).toThrow(/ENCLAVE_SERVERS.*"gpu"/);
  });
});

describe('server model ids', () => {
  test('the server and the model, both back; a label with the file name and the host', () => {
    const id = serverModelId('http://127.0.0.1:8080', '/models/qwen3-32b-q4_k_m.gguf');
    expect(parseServerModelId(id)).toEqual({ serverId: 'http://127.0.0.1:8080', model: '/models/qwen3-32b-q4_k_m.gguf' });
    expect(modelIdLabel(id)).toBe('qwen3-32b-q4_k_m.gguf · 127.0.0.1:8080');
    expect(modelIdLabel(serverModelId('http://gpu.local:11434', 'llama3.1:8b'))).toBe('llama3.1:8b · gpu.local:11434');
  });

  test('a local model id is not a server model, and reads as it is', () => {
    expect(parseServerModelId('models/enclave-scripted.gguf')).toBeNull();
    expect(parseServerModelId('notes#1.gguf')).toBeNull();
    expect(modelIdLabel('enclave-scripted.gguf')).toBe('enclave-scripted.gguf');
  });
});

describe('answerOrigin', () => {
  test('a local model file was computed here; a server model names its server, from its id alone', () => {
    expect(answerOrigin('/models/enclave-scripted.gguf')).toEqual({ where: 'local' });
    expect(answerOrigin('http://10.0.0.5:8080#/srv/models/qwen.gguf')).toEqual({ where: 'server', server: '10.0.0.5:8080', baseUrl: 'http://10.0.0.5:8080' });
    expect(answerOrigin('https://llm.example.com/api#qwen3:32b')).toEqual({ where: 'server', server: 'llm.example.com', baseUrl: 'https://llm.example.com/api' });
  });
});
