/**
 * A heavy ChatGPT user's export (100 MB by default; ENCLAVE_LARGE_IMPORT_MB=500 for the figures in docs/conversations.md), generated
 * here, uploaded to a web host process and imported as a job: it goes through whole, with
 * progress, while the host's peak memory (VmHWM) stays far below the file's size.
 */
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { newJobId } from '#shared/chat.ts';
import type { ImportSummary } from '#shared/conversations.ts';
import { chatGptConversation, text, writeLargeExport } from '../../../../support/chatgpt-export.ts';
import { ContractClient, startWebHostProcess, type WebHostProcess } from '../../../../support/web-host-process.ts';

const TARGET_MB = Number(process.env.ENCLAVE_LARGE_IMPORT_MB ?? '100');
/**
 * The host's JavaScript heap is capped far below the file, so an import that held the file (or
 * let parsed conversations pile up) would die of it; under the cap the garbage collector cannot
 * defer its work, and the peak stays the same at any file size.
 */
const HEAP_LIMIT_MB = 160;
/** What the import may add to the host's peak memory: the heap's room, SQLite's cache and the read buffers. */
const PEAK_GROWTH_LIMIT_MB = 250;
const TURNS = 20;
const TURN_TEXT = 'Une phrase de travail ordinaire, avec des accents et des chiffres : 1 234,56 €. '.repeat(24);

let dir: string;
let host: WebHostProcess;
let exportPath: string;
let count: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'enclave-large-import-'));
  exportPath = join(dir, 'conversations.json');
  const perConversation = JSON.stringify(makeConversation(0)).length;
  count = Math.ceil((TARGET_MB * 1024 * 1024) / perConversation);
  await writeLargeExport(exportPath, count, makeConversation);
  host = await startWebHostProcess({
    env: { ...process.env, ENCLAVE_DATA_DIR: join(dir, 'data'), ENCLAVE_MODELS_DIR: join(dir, 'models') },
    execArgv: [`--max-old-space-size=${HEAP_LIMIT_MB}`],
  });
}, 300_000);

afterAll(async () => {
  await host.stop();
  rmSync(dir, { recursive: true, force: true });
});

function makeConversation(index: number): object {
  return chatGptConversation(
    `big-${index}`,
    `Conversation ${index}`,
    Array.from({ length: TURNS }, (_, turn) => ({ role: turn % 2 === 0 ? 'user' : 'assistant', content: text(`${index}.${turn} ${TURN_TEXT}`) }) as const),
  );
}

function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) / 1024;
}

test(`a ${TARGET_MB} MB export uploads and imports whole, with progress, in bounded memory`, async () => {
  const bytes = statSync(exportPath).size;
  const peakBefore = peakRssMb(host.child.pid ?? 0);
  const started = performance.now();
  const response = await fetch(`${host.url}/uploads`, { method: 'POST', body: Readable.toWeb(createReadStream(exportPath)) as ReadableStream, duplex: 'half' } as RequestInit);
  expect(response.status).toBe(200);
  const { uploadId } = (await response.json()) as { uploadId: string };
  const uploaded = performance.now();

  const client = await ContractClient.connect(host.url);
  const jobId = newJobId();
  const frame = await client.call('conversations.import', { jobId, source: { uploadId }, locale: 'fr' });
  const finished = performance.now();
  expect(frame.ok).toBe(true);
  const summary = (frame as { result: ImportSummary }).result;
  expect(summary).toMatchObject({ cancelled: false, conversations: { added: count, updated: 0, unchanged: 0 }, messagesAdded: count * TURNS });

  const progress = client.events.filter((event) => event.event === 'conversations.importProgress').map((event) => event.payload as { bytesRead: number; conversations: number });
  expect(progress.length).toBeGreaterThan(10);
  expect(progress.at(-1)?.bytesRead).toBe(bytes);
  const peak = peakRssMb(host.child.pid ?? 0);
  console.log(
    `large import: ${(bytes / 1024 / 1024).toFixed(0)} MB, ${count} conversations; upload ${((uploaded - started) / 1000).toFixed(1)} s, import ${((finished - uploaded) / 1000).toFixed(1)} s; host peak RSS ${peakBefore.toFixed(0)} MB before, ${peak.toFixed(0)} MB after`,
  );
  expect(peak - peakBefore).toBeLessThan(PEAK_GROWTH_LIMIT_MB);
  expect((await client.call('conversations.list', {})).ok).toBe(true);
  client.close();
}, 900_000);
