/**
 * A full backup moves to another computer: made by one web host (conversations with branches,
 * a comparison, a prompt set, a saved preset, settings), uploaded to a second one that already has
 * data of its own, and restored by merging: nothing there is lost, a second restore adds nothing,
 * a setting the environment fixes stays, and a backup from a newer Enclave changes nothing.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DatabaseSync } from 'node:sqlite';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { newJobId } from '#shared/chat.ts';
import type { Conversation, ConversationSummary, ExportedFile, ImportSummary } from '#shared/conversations.ts';
import type { SettingsView } from '#shared/settings.ts';
import { ConversationService } from '../../../../../electron/services/conversations/conversation-service.ts';
import { CONVERSATIONS_DB_FILE_NAME } from '../../../../../electron/services/conversations/open-conversations.ts';
import { BACKUP_ENTRIES, BACKUP_TABLES, TABLES_LEFT_OUT } from '../../../../../electron/services/conversations/backup/backup-format.ts';
import { openDatabase } from '../../../../../electron/services/platform/db/database.ts';
import { ContractClient, startWebHostProcess, type WebHostProcess } from '../../../../support/web-host-process.ts';

let dir: string;
let source: WebHostProcess;
let target: WebHostProcess;
let branched: string;

function hostEnv(name: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ENCLAVE_DATA_DIR: join(dir, name), ENCLAVE_MODELS_DIR: join(dir, `${name}-models`), ...extra };
}

/** The first computer's history, written before its host starts: a conversation with two branches, one plain, a comparison. */
function seedSource(): string {
  mkdirSync(join(dir, 'source'), { recursive: true });
  const { db } = openDatabase(join(dir, 'source', CONVERSATIONS_DB_FILE_NAME));
  const service = new ConversationService(db);
  const c = service.create({ title: 'Phare de Cordouan' });
  const question = service.addMessage(c.id, { parentId: null, role: 'user', content: 'Raconte le gardien du phare' }).id;
  service.addMessage(c.id, { parentId: question, role: 'assistant', content: 'Première version : une nuit de tempête.' });
  service.addMessage(c.id, { parentId: question, role: 'assistant', content: 'Seconde version : un matin calme.' });
  const plain = service.create({ title: 'Recette de crêpes' });
  service.addMessage(plain.id, { parentId: null, role: 'user', content: 'Farine, œufs, lait' });
  db.prepare("INSERT INTO compare_runs (id, kind, title, state, created_at) VALUES ('run-1', 'compare', 'Deux modèles', 'done', 1)").run();
  db.prepare("INSERT INTO compare_columns (run_id, position, model_id) VALUES ('run-1', 0, 'a'), ('run-1', 1, 'b')").run();
  db.prepare("INSERT INTO compare_turns (run_id, position, prompt) VALUES ('run-1', 0, 'Bonjour')").run();
  // A document collection with one passage: a backup must not carry its text.
  db.prepare("INSERT INTO doc_collections (id, name, created_at) VALUES ('col-1', 'Contrats', 1)").run();
  db.prepare("INSERT INTO doc_files (id, collection_id, name, format, state, added_at) VALUES ('file-1', 'col-1', 'contrat.pdf', 'pdf', 'ready', 1)").run();
  db.prepare("INSERT INTO doc_chunks (file_id, position, page, text) VALUES ('file-1', 0, 1, 'Le code SECRET-DOC-4729 ouvre la caisse.')").run();
  db.close();
  return c.id;
}

async function result<T>(client: ContractClient, command: string, input: object): Promise<T> {
  const frame = await client.call(command as never, input as never);
  if (!frame.ok) throw new Error(`${command}: ${JSON.stringify(frame.error)}`);
  return (frame as { result: T }).result;
}

async function restore(host: WebHostProcess, zip: Buffer): Promise<{ ok: true; result: ImportSummary } | { ok: false; error: { code: string } }> {
  const response = await fetch(`${host.url}/uploads`, { method: 'POST', body: new Uint8Array(zip) });
  expect(response.status).toBe(200);
  const { uploadId } = (await response.json()) as { uploadId: string };
  const client = await ContractClient.connect(host.url);
  try {
    return (await client.call('conversations.import', { jobId: newJobId(), source: { uploadId }, locale: 'fr' })) as never;
  } finally {
    client.close();
  }
}

let backup: Buffer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'enclave-backup-'));
  branched = seedSource();
  source = await startWebHostProcess({ env: hostEnv('source') });
  // The second computer fixes the Hugging Face endpoint in its environment.
  target = await startWebHostProcess({ env: hostEnv('target', { ENCLAVE_HF_ENDPOINT: 'http://127.0.0.1:9' }) });

  const client = await ContractClient.connect(source.url);
  await result(client, 'settings.update', { proxy: 'http://proxy.example:3128', hfEndpoint: 'https://hf-mirror.example' });
  await result(client, 'compare.saveSet', { id: null, set: { name: 'Mes prompts', language: 'fr', prompts: [{ prompt: 'Résume ce texte', category: 'résumé' }] } });
  await result(client, 'conversations.savePreset', { name: 'Précis maison', sampling: { temperature: 0.2 } });
  const file = await result<ExportedFile>(client, 'conversations.backup', {});
  expect(file).toMatchObject({ mimeType: 'application/zip', encoding: 'base64' });
  expect(file.fileName).toMatch(/^enclave-backup-\d{4}-\d{2}-\d{2}\.zip$/);
  backup = Buffer.from(file.content, 'base64');
  client.close();
}, 120_000);

afterAll(async () => {
  await Promise.all([source?.stop(), target?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

test('a backup restores into an app with data of its own: merged, branches and search kept, locked settings respected, idempotent', async () => {
  const client = await ContractClient.connect(target.url);
  const own = await result<Conversation>(client, 'conversations.create', { title: 'Déjà ici' });

  const first = await restore(target, backup);
  expect(first.ok).toBe(true);
  expect((first as { result: ImportSummary }).result).toEqual({
    format: 'enclave.backup',
    cancelled: false,
    conversations: { added: 2, updated: 0, unchanged: 0 },
    messagesAdded: 4,
    imagesOmitted: 0,
    toolBlocks: 0,
    partsDropped: 0,
    restored: { comparisons: 1, promptSets: 1, samplingPresets: 1, settings: 1, settingsLocked: 1 },
  });

  const titles = (await result<ConversationSummary[]>(client, 'conversations.list', {})).map((c) => c.title).sort();
  expect(titles).toEqual(['Déjà ici', 'Phare de Cordouan', 'Recette de crêpes']);
  expect(own.id).toBeTruthy();
  const conversation = await result<Conversation>(client, 'conversations.get', { id: branched });
  expect(conversation.messages.map((m) => m.content)).toEqual(['Raconte le gardien du phare', 'Seconde version : un matin calme.']);
  expect(conversation.messages[1]?.siblingIds).toHaveLength(2);
  expect(await result<{ conversationId: string }[]>(client, 'conversations.search', { query: 'tempête' })).toEqual([expect.objectContaining({ conversationId: branched })]);
  expect((await result<{ id: string }[]>(client, 'compare.list', {})).map((run) => run.id)).toContain('run-1');
  expect((await result<{ name: string }[]>(client, 'compare.sets', {})).map((set) => set.name)).toContain('Mes prompts');
  const settings = await result<SettingsView>(client, 'settings.get', {});
  expect(settings.values.proxy).toBe('http://proxy.example:3128');
  expect(settings.values.hfEndpoint).toBe('http://127.0.0.1:9');

  // A rename made here survives a second restore, which adds nothing.
  await result(client, 'conversations.rename', { id: branched, title: 'Cordouan, renommé ici' });
  const again = await restore(target, backup);
  expect((again as { result: ImportSummary }).result).toMatchObject({
    conversations: { added: 0, updated: 0, unchanged: 2 },
    messagesAdded: 0,
    restored: { comparisons: 0, promptSets: 0, samplingPresets: 0, settings: 0, settingsLocked: 1 },
  });
  expect((await result<Conversation>(client, 'conversations.get', { id: branched })).title).toBe('Cordouan, renommé ici');
  expect(await result<ConversationSummary[]>(client, 'conversations.list', {})).toHaveLength(3);

  // The first computer goes on with the conversation; a newer backup brings only the new message.
  const { db } = openDatabase(join(dir, 'source', CONVERSATIONS_DB_FILE_NAME));
  const service = new ConversationService(db);
  service.addMessage(branched, { parentId: service.get(branched).leafId, role: 'user', content: 'Et le lendemain ?' });
  db.close();
  const sourceClient = await ContractClient.connect(source.url);
  const newer = Buffer.from((await result<ExportedFile>(sourceClient, 'conversations.backup', {})).content, 'base64');
  sourceClient.close();
  const third = await restore(target, newer);
  expect((third as { result: ImportSummary }).result).toMatchObject({ conversations: { added: 0, updated: 1, unchanged: 1 }, messagesAdded: 1 });
  const continued = (await result<ConversationSummary[]>(client, 'conversations.list', {})).find((c) => c.id === branched);
  expect(continued).toMatchObject({ title: 'Cordouan, renommé ici', messageCount: 4 });
  client.close();
}, 120_000);

test('a backup made by a newer Enclave is refused and changes nothing', async () => {
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(JSON.stringify({ format: 'enclave.backup', version: 1, createdAt: '2030-01-01', schemaVersion: 999 })), 'enclave-backup.json');
  zip.addBuffer(Buffer.from('not a database'), 'conversations.db');
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  const client = await ContractClient.connect(target.url);
  const before = await result<ConversationSummary[]>(client, 'conversations.list', {});
  const refused = await restore(target, Buffer.concat(chunks));
  expect(refused).toMatchObject({ ok: false, error: { code: 'IMPORT_INVALID', details: { reason: 'newer-backup' } } });
  expect(await result<ConversationSummary[]>(client, 'conversations.list', {})).toEqual(before);
  client.close();
});

test('every table of the schema is in the backup or said to be left out (a new table must say how it is merged)', () => {
  const { db } = openDatabase(join(dir, 'schema.db'));
  const tables = (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'messages_fts%' AND name NOT LIKE 'doc_chunks_fts%'").all() as { name: string }[]
  ).map((row) => row.name);
  db.close();
  expect(tables.sort()).toEqual([...BACKUP_TABLES.map((entry) => entry.table), ...TABLES_LEFT_OUT].sort());
});

test('a backup carries no document text: collections, passages and their index are left out', async () => {
  const copy = join(dir, 'backup-copy.db');
  writeFileSync(copy, await zipEntry(backup, BACKUP_ENTRIES.database));
  const db = new DatabaseSync(copy, { readOnly: true });
  try {
    for (const table of [...TABLES_LEFT_OUT, 'doc_chunks_fts_docsize']) expect((db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n, table).toBe(0);
  } finally {
    db.close();
  }
  expect(readFileSync(copy).includes('SECRET-DOC-4729')).toBe(false);
});

function zipEntry(zip: Buffer, name: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (error, file) => {
      if (error !== null) return reject(error);
      file.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName !== name) return file.readEntry();
        file.openReadStream(entry, (streamError, stream) => {
          if (streamError !== null) return reject(streamError);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => resolve(Buffer.concat(chunks)));
        });
      });
      file.on('end', () => reject(new Error(`${name} not in the zip`)));
      file.readEntry();
    });
  });
}
