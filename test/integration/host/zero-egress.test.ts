// The zero-egress proof: a whole session (load, chat, a side-by-side comparison and its report,
// settings, search, documents read (a scanned page through text recognition) and a question answered from them) through the web host and the engine process, each with every outbound
// connection recorded from its first line (node --import, passed on to the forked engine through
// execArgv). A llama-server on loopback is configured (ENCLAVE_SERVERS) and answers once: the
// only connections are to it. Then Offline on during a download request: refused, logged, and the
// (local) model host never contacted.
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompareRun } from '#shared/compare.ts';
import type { EgressLogEntry } from '#shared/privacy.ts';
import { writeCorpus } from '../../fixtures/documents/corpus.ts';
import { ensureFixtureModels, SCRIPTED_REPLY } from '../../fixtures/gguf/index.ts';
import { ALPHA, ALPHA_REPLY, BRAVO, BRAVO_REPLY, writeCompareModels } from '../../support/compare-models.ts';
import { CONNECTION_RECORDER, isLoopback, readConnectionLog } from '../../support/connection-log.ts';
import { llamaServerMissing, startLlamaServer, type LlamaServer } from '../../support/llama-server.ts';
import { ContractClient, startWebHostProcess, type WebHostProcess } from '../../support/web-host-process.ts';
import { newJobId } from '#shared/chat.ts';
import { waitUntil } from '../../support/wait-until.ts';

let dir: string;
let connectionLog: string;
let fakeHub: Server;
let hubRequests = 0;
let web: WebHostProcess;
let client: ContractClient;
let scriptedPath: string;
let llama: LlamaServer | null = null;
const LLAMA_MISSING = llamaServerMissing();
if (LLAMA_MISSING !== null) console.warn(`zero-egress.test.ts: the session runs without a server: ${LLAMA_MISSING}`);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'enclave-egress-'));
  connectionLog = join(dir, 'connections.jsonl');
  const dataDir = join(dir, 'data');
  const modelsDir = join(dataDir, 'models');
  await mkdir(modelsDir, { recursive: true });
  const { scripted } = await ensureFixtureModels();
  scriptedPath = scripted;
  await copyFile(scripted, join(modelsDir, basename(scripted)));
  await writeCompareModels(modelsDir);
  // Stands in for Hugging Face: any request reaching it would be a leak while offline.
  fakeHub = createServer((_req, res) => {
    hubRequests++;
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => fakeHub.listen(0, '127.0.0.1', resolve));
  if (LLAMA_MISSING === null) llama = await startLlamaServer({ model: scripted });
  web = await startWebHostProcess({
    execArgv: ['--import', CONNECTION_RECORDER],
    env: {
      ...process.env,
      ENCLAVE_DATA_DIR: dataDir,
      ENCLAVE_MODELS_DIR: modelsDir,
      ENCLAVE_HF_ENDPOINT: `http://127.0.0.1:${(fakeHub.address() as AddressInfo).port}`,
      ENCLAVE_CONNECTION_LOG: connectionLog,
      ...(llama === null ? {} : { ENCLAVE_SERVERS: llama.url }),
    },
  });
  client = await ContractClient.connect(web.url);
}, 60_000);

afterAll(async () => {
  client.close();
  await web.stop();
  await new Promise((resolve) => fakeHub.close(resolve));
  await llama?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function ok<T>(command: string, input: unknown = {}): Promise<T> {
  const frame = await client.call(command, input);
  if (!frame.ok) throw new Error(`${command} failed: ${JSON.stringify(frame.error)}`);
  return frame.result as T;
}

describe('zero egress', () => {
  it('the recorder sees TCP, DNS and UDP attempts, loopback or not', async () => {
    const log = join(dir, 'recorder-check.jsonl');
    const script = [
      "const net = require('node:net');",
      "net.connect({ host: '192.0.2.1', port: 9 }).on('error', () => {});",
      "net.connect({ host: 'enclave-test.invalid', port: 80 }).on('error', () => {});",
      "require('node:dgram').createSocket('udp4').send('x', 53, '192.0.2.2', () => {});",
      "fetch('http://127.0.0.1:65000/').catch(() => {}).finally(() => setTimeout(() => process.exit(0), 200));",
    ].join('\n');
    const child = spawn(process.execPath, ['--import', CONNECTION_RECORDER, '-e', script], { env: { ...process.env, ENCLAVE_CONNECTION_LOG: log } });
    await new Promise((resolve) => child.once('exit', resolve));
    const records = await readConnectionLog(log);
    expect(records).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'tcp', address: '192.0.2.1', port: 9 }),
        expect.objectContaining({ kind: 'dns', host: 'enclave-test.invalid' }),
        expect.objectContaining({ kind: 'udp', address: '192.0.2.2', port: 53 }),
        expect.objectContaining({ kind: 'tcp', address: '127.0.0.1', port: 65000 }),
      ]),
    );
    // dgram re-enters send() after its implicit bind, so a UDP send can be recorded twice.
    const destinations = new Set(records.filter((record) => record.kind !== 'process' && !isLoopback(record)).map((record) => JSON.stringify({ ...record, pid: 0 })));
    expect(destinations.size).toBe(3);
  });

  it('a whole session (load, chat, compare, settings, rescan, search, documents) makes no non-loopback connection in the host, its extraction worker or the engine', async () => {
    await ok('app.info');
    const models = await ok<{ id: string; problem: unknown }[]>('models.rescan');
    const modelId = models.find((model) => model.id === basename(scriptedPath))?.id as string;
    expect(modelId).toBeDefined();
    await ok('settings.get');
    await ok('settings.update', { offline: true });
    await ok('settings.update', { offline: false });
    // A saved conversation, so the search below has something to find.
    const { jobId } = await ok<{ jobId: string }>('chat.generate', { jobId: newJobId(), modelId, conversation: { id: null, parentId: null, content: 'Bonjour' } });
    const done = await client.waitForEvent((frame) => frame.event === 'chat.done' && (frame.payload as { jobId: string }).jobId === jobId);
    expect((done.payload as { text: string }).text).toBe(SCRIPTED_REPLY);
    // A side by side comparison of two models, to the end, and its report.
    const run = await ok<CompareRun>('compare.start', { modelIds: [ALPHA.file, BRAVO.file], prompt: 'Which of you is better?' });
    const compared = await waitUntil(
      async () => {
        const current = await ok<CompareRun>('compare.get', { id: run.id });
        return current.state === 'done' ? current : null;
      },
      'the comparison to finish',
      { intervalMs: 100 },
    );
    expect(compared.answers.map((answer) => [answer.state, answer.content])).toEqual([
      ['done', ALPHA_REPLY],
      ['done', BRAVO_REPLY],
    ]);
    expect(await ok<{ content: string }>('compare.report', { runIds: [run.id], format: 'html' })).toMatchObject({ content: expect.stringContaining(ALPHA_REPLY) });
    // Each must succeed, without egress.
    expect((await ok<unknown[]>('conversations.search', { query: 'Bonjour' })).length).toBeGreaterThan(0);
    expect(await ok<unknown[]>('catalog.list')).not.toHaveLength(0);
    expect(await ok<unknown[]>('downloads.list')).toEqual([]);
    // The server's model answers too.
    if (llama !== null) {
      const serverModel = await waitUntil(
        async () => (await ok<{ id: string; server?: unknown }[]>('models.list')).find((model) => model.server !== undefined)?.id ?? null,
        'the server model in the list',
        { intervalMs: 50 },
      );
      const served = await ok<{ jobId: string }>('chat.generate', { jobId: newJobId(), modelId: serverModel, messages: [{ role: 'user', content: 'Bonjour' }] });
      const answered = await client.waitForEvent((frame) => frame.event === 'chat.done' && (frame.payload as { jobId: string }).jobId === served.jobId);
      expect((answered.payload as { text: string }).text).toBe(SCRIPTED_REPLY);
    }
    // Documents: files read from disk (in the extraction worker), searched, and a question answered from them.
    const paths = await writeCorpus(join(dir, 'corpus'));
    const collection = await ok<{ id: string }>('documents.create', { name: 'Contrats' });
    await ok('documents.add', { jobId: newJobId(), collectionId: collection.id, sources: paths.map((path) => ({ path })) });
    await waitUntil(async () => ((await ok<{ ready: number }[]>('documents.list'))[0]?.ready === paths.length ? true : null), 'the corpus to be read', { intervalMs: 100 });
    expect(await ok<unknown[]>('documents.search', { collectionIds: [collection.id], query: 'préavis résiliation', limit: 5 })).not.toHaveLength(0);
    // The corpus holds a scanned page: read by text recognition, on the machine.
    expect((await ok<{ fileName: string; page: number | null }[]>('documents.search', { collectionIds: [collection.id], query: 'plafond de garantie par sinistre', limit: 1 }))[0]).toMatchObject({
      fileName: 'attestation-assurance.pdf',
      page: 2,
    });
    const grounded = await ok<{ jobId: string }>('chat.generate', {
      jobId: newJobId(),
      modelId,
      conversation: { id: null, parentId: null, content: 'Quel est le préavis du contrat de maintenance informatique ?', documents: { collectionIds: [collection.id], only: true, locale: 'fr' } },
    });
    await client.waitForEvent((frame) => frame.event === 'chat.done' && (frame.payload as { jobId: string }).jobId === grounded.jobId);
    await ok('models.unload');
    const serverHost = llama === null ? null : `127.0.0.1:${llama.port}`;
    const egress = await ok<EgressLogEntry[]>('privacy.egressLog');
    expect(egress.filter((entry) => entry.host !== serverHost || entry.purpose !== 'server')).toEqual([]);
    // The model list and the server's slots (/props) at start, and the answer.
    if (llama !== null) expect(egress.filter((entry) => entry.outcome === 'completed').map((entry) => new URL(entry.url).pathname)).toEqual(['/v1/models', '/props', '/v1/chat/completions']);

    const records = await readConnectionLog(connectionLog);
    const processes = records.filter((record) => record.kind === 'process');
    const hostPid = web.child.pid;
    // The recorder ran in the host and in at least one engine process it forked.
    expect(processes.map((record) => record.pid)).toContain(hostPid);
    expect(processes.some((record) => record.pid !== hostPid && record.argv.some((arg) => arg.endsWith('engine-main.ts')))).toBe(true);
    // And in the documents' extraction worker (a thread of the host: `--import` reaches it too).
    expect(processes.some((record) => record.pid === hostPid && record.argv.some((arg) => arg.endsWith('extract-worker.ts')))).toBe(true);
    // And in the text recognition engine's thread, which the extraction worker starts.
    expect(processes.some((record) => record.pid === hostPid && record.argv.some((arg) => arg.endsWith(join('tesseract.js', 'src', 'worker-script', 'node', 'index.js'))))).toBe(true);
    const outbound = records.filter((record) => record.kind !== 'process');
    console.info(`zero-egress session: ${processes.length} processes recorded, ${outbound.length} outbound connections, ${outbound.filter((r) => !isLoopback(r)).length} non-loopback`);
    expect(outbound.filter((record) => !isLoopback(record))).toEqual([]);
    // Every TCP connection went to the configured server (none at all without one).
    expect(outbound.filter((record) => record.kind === 'tcp' && record.port !== llama?.port)).toEqual([]);
    if (llama !== null) expect(outbound.filter((record) => record.kind === 'tcp').length).toBeGreaterThan(0);
  }, 90_000);

  it('with Offline on, a download request is refused and logged, and the model host is never contacted', async () => {
    await ok('settings.update', { offline: true });
    // Accepted as a job, which then fails on its first connection attempt.
    expect(await ok('downloads.start', { catalogId: 'qwen3-0.6b', quant: 'Q4_K_M' })).toMatchObject({ catalogId: 'qwen3-0.6b' });
    const log = await waitUntil(
      async () => {
        const entries = (await ok<EgressLogEntry[]>('privacy.egressLog')).filter((entry) => entry.purpose !== 'server');
        return entries.some((entry) => entry.outcome === 'blocked-offline') ? entries : null;
      },
      'a blocked-offline entry in the egress log',
      { intervalMs: 50, timeoutMs: 20_000 },
    );
    expect(log.length).toBeGreaterThan(0);
    expect(log.every((entry) => entry.outcome === 'blocked-offline')).toBe(true);
    expect(log[0]).toMatchObject({ host: expect.stringMatching(/^127\.0\.0\.1:\d+$/), purpose: expect.stringMatching(/^model-/) });
    expect(hubRequests).toBe(0);
    const records = await readConnectionLog(connectionLog);
    expect(records.filter((record) => record.kind !== 'process' && !isLoopback(record))).toEqual([]);
    console.info(`offline download: ${log.length} attempts logged as blocked-offline, ${hubRequests} requests reached the model host`);
  }, 30_000);
});
