/**
 * Ingestion that follows the disk and survives stops, on real files, a real node:sqlite database
 * and the real extraction worker: a folder of 2,000 files added by its path, a collection
 * refreshed after files changed, were deleted or appeared, an upload of the same name replacing
 * the file, a collection paused mid-PDF and resumed, reading resumed by a new start (an uploaded
 * file kept until read), a process SIGKILLed mid-PDF and started again, and the 300-page, 100 MB
 * PDF read with its progress and a bounded memory.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DocumentFile } from '#shared/documents.ts';
import { DocumentsService } from '../../../../electron/services/documents/documents-service.ts';
import { PENDING_UPLOADS_DIR_NAME } from '../../../../electron/services/documents/ingestion.ts';
import { queryTerms } from '../../../../electron/services/documents/query.ts';
import { openDatabase } from '../../../../electron/services/platform/db/database.ts';
import { uploadPath, uploadsDirOf } from '../../../../electron/services/platform/uploads.ts';
import { LARGE_PDF, MEDIUM_PDF, largePdf, pageReference } from '../../../fixtures/documents/large-pdf.ts';
import { DOCUMENTS_WORKER } from '../../../support/test-host.ts';
import { waitUntil } from '../../../support/wait-until.ts';

const CHILD = join(import.meta.dirname, '..', '..', '..', 'support', 'ingest-child.ts');

let dir: string;
let db: DatabaseSync;
let documents: DocumentsService;
const progress: { ingestion: string; file: DocumentFile }[] = [];

function service(): DocumentsService {
  return new DocumentsService({ db, dataDir: dir, emit: (ingestion, file) => progress.push({ ingestion, file }), loadedContextSize: () => null, extractWorker: DOCUMENTS_WORKER });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'enclave-documents-disk-'));
  db = openDatabase(join(dir, 'conversations.db')).db;
  documents = service();
});

afterAll(() => {
  documents.dispose();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

let jobs = 0;
const jobId = (): string => `disk-job-${String(++jobs).padStart(10, '0')}`;

function found(collectionId: string, words: string): string[] {
  return documents.store.search([collectionId], queryTerms(words), 5).map((passage) => passage.fileName);
}

/** A word only note `index` holds (letters first: the query splits words at digits and keeps a word's start). */
function codeOf(index: number): string {
  return `${[...String(index).padStart(4, '0')].map((digit) => String.fromCharCode(97 + Number(digit))).join('')}dossier`;
}

/** An upload as the web host receives it (POST /uploads writes the file there). */
function upload(id: string, content: string): string {
  mkdirSync(uploadsDirOf(dir), { recursive: true });
  writeFileSync(uploadPath(dir, id), content);
  return id;
}

describe('a folder added by its path', () => {
  const FILES = 2000;
  let folder: string;
  let collectionId: string;

  beforeAll(async () => {
    folder = join(dir, 'Archives');
    for (let index = 0; index < FILES; index++) {
      const sub = join(folder, `lot-${String(Math.floor(index / 100)).padStart(2, '0')}`);
      mkdirSync(sub, { recursive: true });
      writeFileSync(join(sub, `note-${String(index).padStart(4, '0')}.txt`), `Note de service numéro ${index}. Le code du dossier est ${codeOf(index)}.\n`);
    }
    // Not read: formats without a reader, hidden files and an Office lock file.
    writeFileSync(join(folder, 'plan.dwg'), 'dwg');
    writeFileSync(join(folder, 'tableau.xls'), 'xls');
    writeFileSync(join(folder, '.cache.txt'), 'caché');
    writeFileSync(join(folder, '~$note.docx'), 'verrou');
    collectionId = documents.store.create('Archives').id;
    const rows = await documents.ingestion.add(jobId(), collectionId, [{ path: folder }]);
    expect(rows).toHaveLength(FILES);
    await documents.ingestion.idle();
  }, 300_000);

  test('its 2,000 supported files are read, named by their path in the folder', () => {
    expect(documents.store.collection(collectionId)).toMatchObject({ files: FILES, ready: FILES, failed: 0, pending: 0, onDisk: true });
    const names = documents.store.files(collectionId).map((file) => file.name);
    expect(names).toContain('Archives/lot-07/note-0712.txt');
    expect(names.filter((name) => !/^Archives\/lot-\d\d\/note-\d{4}\.txt$/.test(name))).toEqual([]);
    expect(found(collectionId, codeOf(1999))[0]).toBe('Archives/lot-19/note-1999.txt');
  });

  test('refresh reads changed files again, removes deleted ones and adds new ones', async () => {
    const changed = join(folder, 'lot-03', 'note-0300.txt');
    appendFileSync(changed, 'Ajout : la réunion est déplacée au jeudi MARDIGRAS.\n');
    unlinkSync(join(folder, 'lot-04', 'note-0400.txt'));
    mkdirSync(join(folder, 'nouveau'));
    writeFileSync(join(folder, 'nouveau', 'avenant.md'), '# Avenant\n\nLe loyer passe à 950 euros AVENANTX.\n');
    const before = documents.store.files(collectionId).find((file) => file.name.endsWith('note-0400.txt'));

    expect(await documents.ingestion.refresh(jobId(), collectionId)).toEqual({ changed: 1, removed: 1, added: 1 });
    await documents.ingestion.idle();

    expect(documents.store.collection(collectionId)).toMatchObject({ files: FILES, ready: FILES, pending: 0 });
    expect(found(collectionId, 'MARDIGRAS')).toEqual(['Archives/lot-03/note-0300.txt']);
    expect(found(collectionId, 'AVENANTX')).toEqual(['Archives/nouveau/avenant.md']);
    expect(found(collectionId, codeOf(400))).not.toContain('Archives/lot-04/note-0400.txt');
    expect(db.prepare('SELECT count(*) AS n FROM doc_chunks WHERE file_id = ?').get(before?.id ?? '')).toEqual({ n: 0 });
    // Nothing changed since: nothing to do.
    expect(await documents.ingestion.refresh(jobId(), collectionId)).toEqual({ changed: 0, removed: 0, added: 0 });
  });

  test('adding the same file again replaces it', async () => {
    const path = join(folder, 'lot-05', 'note-0500.txt');
    const [again] = await documents.ingestion.add(jobId(), collectionId, [{ path }]);
    await documents.ingestion.idle();
    expect(documents.store.files(collectionId).filter((file) => file.name.endsWith('note-0500.txt'))).toEqual([expect.objectContaining({ id: again?.id, state: 'ready' })]);
    expect(found(collectionId, codeOf(500))[0]).toBe('Archives/lot-05/note-0500.txt');
  });
});

describe('uploads', () => {
  test('an upload of the same name and folder path replaces the file; the upload is removed once read', async () => {
    const collectionId = documents.store.create('Envois').id;
    await documents.ingestion.add(jobId(), collectionId, [
      { uploadId: upload('7b0c57e3-9e0d-4a43-a6f0-2f7c2b9d0001', 'Première version ANCIENNEV.'), name: 'Dossier/compte-rendu.txt' },
      { uploadId: upload('7b0c57e3-9e0d-4a43-a6f0-2f7c2b9d0002', 'Autre dossier AUTREV.'), name: 'Autre/compte-rendu.txt' },
    ]);
    await documents.ingestion.idle();
    await documents.ingestion.add(jobId(), collectionId, [{ uploadId: upload('7b0c57e3-9e0d-4a43-a6f0-2f7c2b9d0003', 'Seconde version NOUVELLEV.'), name: 'Dossier/compte-rendu.txt' }]);
    await documents.ingestion.idle();
    expect(documents.store.files(collectionId).map((file) => [file.name, file.state])).toEqual([
      ['Autre/compte-rendu.txt', 'ready'],
      ['Dossier/compte-rendu.txt', 'ready'],
    ]);
    expect(found(collectionId, 'ANCIENNEV')).toEqual([]);
    expect(found(collectionId, 'NOUVELLEV')).toEqual(['Dossier/compte-rendu.txt']);
    expect(readdirSync(join(dir, PENDING_UPLOADS_DIR_NAME))).toEqual([]);
    // A name cannot climb out of its folder.
    const [climbing] = await documents.ingestion.add(jobId(), collectionId, [{ uploadId: upload('7b0c57e3-9e0d-4a43-a6f0-2f7c2b9d0004', 'x'), name: '../../etc/./passwd.txt' }]);
    expect(climbing?.name).toBe('etc/passwd.txt');
    await documents.ingestion.idle();
  });
});

describe('pause and resume', () => {
  test('a paused PDF keeps its pages and goes on at the next page when resumed', async () => {
    const pdf = await largePdf(MEDIUM_PDF);
    const collectionId = documents.store.create('Pause').id;
    const job = jobId();
    const [row] = await documents.ingestion.add(job, collectionId, [{ path: pdf }]);
    const fileId = row?.id ?? '';
    await waitUntil(() => (documents.store.file(fileId).pages ?? 0) >= 3, 'three pages read');
    expect(documents.ingestion.pause(collectionId)).toEqual({ paused: 1 });
    await documents.ingestion.idle();
    const paused = documents.store.file(fileId);
    expect(paused).toMatchObject({ state: 'paused', pageCount: MEDIUM_PDF.pages });
    expect(paused.pages).toBeLessThan(MEDIUM_PDF.pages);
    expect(documents.store.collection(collectionId)).toMatchObject({ paused: 1, pending: 0 });
    const seen = progress.length;

    expect(documents.ingestion.resume(collectionId)).toEqual({ resumed: 1 });
    await documents.ingestion.idle();
    expect(documents.store.file(fileId)).toMatchObject({ state: 'ready', pages: MEDIUM_PDF.pages, chunks: MEDIUM_PDF.pages });
    // Resumed at the page after the last saved, not from the start.
    const read = progress.slice(seen).filter((event) => event.file.id === fileId && event.file.state === 'ingesting');
    expect(read[0]?.file.pages).toBe(paused.pages);
    expectEachPageOnce(fileId, MEDIUM_PDF.pages);
  });
});

describe('a new start', () => {
  test('resumes the files a stop left, an uploaded one kept in the data folder until read', async () => {
    const pdf = await largePdf(MEDIUM_PDF);
    const collectionId = documents.store.create('Reprise').id;
    const [big, sent] = await documents.ingestion.add(jobId(), collectionId, [{ path: pdf }, { uploadId: upload('0c4d9a11-43a3-4f27-9c7e-6d2b9d5e0001', 'Procès-verbal REPRISEX.'), name: 'pv.txt' }]);
    await waitUntil(() => (documents.store.file(big?.id ?? '').pages ?? 0) >= 2, 'two pages read');
    documents.dispose();
    await documents.ingestion.idle();
    expect(documents.store.file(big?.id ?? '').state).toBe('ingesting');
    const kept = readdirSync(join(dir, PENDING_UPLOADS_DIR_NAME));
    expect(kept).toEqual(['0c4d9a11-43a3-4f27-9c7e-6d2b9d5e0001']);

    documents = service();
    await documents.ingestion.idle();
    expect(documents.store.files(collectionId).map((file) => [file.id, file.state])).toEqual([
      [big?.id, 'ready'],
      [sent?.id, 'ready'],
    ]);
    expectEachPageOnce(big?.id ?? '', MEDIUM_PDF.pages);
    expect(found(collectionId, 'REPRISEX')).toEqual(['pv.txt']);
    expect(readdirSync(join(dir, PENDING_UPLOADS_DIR_NAME))).toEqual([]);
  });

  test('a file deleted from the disk before it was resumed says so', async () => {
    const collectionId = documents.store.create('Disparu').id;
    const path = join(dir, 'disparu.txt');
    writeFileSync(path, 'Texte.');
    const { file } = documents.store.addFile(collectionId, { name: 'disparu.txt', format: 'text', size: 6, jobId: jobId(), path, mtime: null, pendingUpload: null });
    unlinkSync(path);
    documents.dispose();
    documents = service();
    await documents.ingestion.idle();
    expect(documents.store.file(file.id).state).toBe('interrupted');
  });
});

describe('killed mid-PDF', () => {
  test('a process SIGKILLed while reading a PDF, started again, completes it with each page read exactly once', async () => {
    const pdf = await largePdf(LARGE_PDF);
    const data = mkdtempSync(join(tmpdir(), 'enclave-documents-kill-'));
    try {
      const first = spawn(process.execPath, [CHILD, data, pdf], { stdio: ['ignore', 'pipe', 'inherit'] });
      const lines = collectLines(first);
      const killedAt = await waitUntil(() => lines.map(parseRow).find((file) => file !== null && file.state === 'ingesting' && (file.pages ?? 0) >= 40), 'forty pages read', {
        timeoutMs: 120_000,
      });
      first.kill('SIGKILL');
      await new Promise((resolve) => first.once('exit', resolve));
      const saved = readOnly(data, (file) => file.prepare('SELECT state, pages FROM doc_files').get()) as { state: string; pages: number };
      expect(saved.state).toBe('ingesting');
      expect(saved.pages).toBeGreaterThanOrEqual(killedAt.pages ?? 0);
      expect(saved.pages).toBeLessThan(LARGE_PDF.pages);

      const second = spawn(process.execPath, [CHILD, data], { stdio: ['ignore', 'pipe', 'inherit'] });
      const again = collectLines(second);
      expect(await new Promise((resolve) => second.once('exit', resolve))).toBe(0);
      const rows = again.map(parseRow).filter((file) => file !== null);
      expect(rows[0]?.pages).toBe(saved.pages);
      expect(rows.at(-1)).toMatchObject({ state: 'ready', pages: LARGE_PDF.pages, chunks: LARGE_PDF.pages });
      readOnly(data, (file) => {
        const chunks = file.prepare('SELECT position, page, text FROM doc_chunks ORDER BY position').all() as { position: number; page: number; text: string }[];
        expect(chunks.map((chunk) => chunk.position)).toEqual(chunks.map((_, index) => index));
        expect(chunks.map((chunk) => chunk.page)).toEqual(Array.from({ length: LARGE_PDF.pages }, (_, index) => index + 1));
        for (const chunk of chunks) expect(chunk.text).toContain(pageReference(chunk.page));
      });
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('a 300-page, 100 MB PDF', () => {
  test('is read page by page with its progress, by ranges, with a bounded memory', async () => {
    const pdf = await largePdf(LARGE_PDF);
    const size = (await stat(pdf)).size;
    expect(size).toBeGreaterThan(100_000_000);
    const data = mkdtempSync(join(tmpdir(), 'enclave-documents-large-'));
    try {
      const child = spawn(process.execPath, [CHILD, data, pdf], { stdio: ['ignore', 'pipe', 'inherit'] });
      const lines = collectLines(child);
      expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
      const pages = lines
        .map(parseRow)
        .filter((file) => file?.state === 'ingesting')
        .map((file) => file?.pages);
      expect(pages).toEqual([null, ...Array.from({ length: LARGE_PDF.pages }, (_, index) => index + 1)]);
      const done = JSON.parse(lines.at(-1) ?? '{}') as { done: boolean; ms: number; maxRssKb: number };
      console.log(`documents: a ${(size / 1e6).toFixed(0)} MB, ${LARGE_PDF.pages}-page PDF read in ${(done.ms / 1000).toFixed(1)} s, peak RSS ${(done.maxRssKb / 1024).toFixed(0)} MB`);
      // A guard against holding the file several times over, or every page's text: measured about 260 MB here (160 MB for a 1-page PDF).
      expect(done.maxRssKb * 1024).toBeLessThan(size * 4);
      readOnly(data, (file) => {
        expect(file.prepare('SELECT state, pages, page_count, chunks FROM doc_files').get()).toEqual({ state: 'ready', pages: 300, page_count: 300, chunks: 300 });
        const page = file.prepare(`SELECT c.page FROM doc_chunks_fts JOIN doc_chunks c ON c.id = doc_chunks_fts.rowid WHERE doc_chunks_fts MATCH ?`).all(`"${pageReference(217).toLowerCase()}"`);
        expect(page).toEqual([{ page: 217 }]);
      });
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  }, 180_000);
});

/** The file's passages: one per page here (each page's text is short), each with its page's reference. */
function expectEachPageOnce(fileId: string, pages: number): void {
  const chunks = db.prepare('SELECT position, page, text FROM doc_chunks WHERE file_id = ? ORDER BY position').all(fileId) as { position: number; page: number; text: string }[];
  expect(chunks.map((chunk) => chunk.page)).toEqual(Array.from({ length: pages }, (_, index) => index + 1));
  expect(chunks.map((chunk) => chunk.position)).toEqual(chunks.map((_, index) => index));
  for (const chunk of chunks) expect(chunk.text).toContain(pageReference(chunk.page));
}

function collectLines(child: ReturnType<typeof spawn>): string[] {
  const lines: string[] = [];
  let rest = '';
  child.stdout?.on('data', (data: Buffer) => {
    const parts = (rest + data.toString('utf8')).split('\n');
    rest = parts.pop() ?? '';
    lines.push(...parts);
  });
  return lines;
}

function parseRow(line: string): DocumentFile | null {
  const parsed = JSON.parse(line) as { file?: DocumentFile };
  return parsed.file ?? null;
}

function readOnly<T>(data: string, read: (file: DatabaseSync) => T): T {
  const file = new DatabaseSync(join(data, 'conversations.db'), { readOnly: true });
  try {
    return read(file);
  } finally {
    file.close();
  }
}
