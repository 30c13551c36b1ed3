/**
 * `documents.passages` through the router on a real database: a 300-page file is read as a window
 * of passages around the one a source quotes (found by its page and the start of its text), in the
 * file's order, with whether there is more before and after; a deleted file answers NOT_FOUND.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { LIMITS_DOCUMENTS, type DocumentWindow } from '#shared/documents.ts';
import type { CallOutcome } from '#shared/endpoint.ts';
import type { Chunk } from '../../../../electron/services/documents/chunk.ts';
import { documentsHandlers } from '../../../../electron/services/documents/handlers.ts';
import { DocumentStore } from '../../../../electron/services/documents/store.ts';
import { openDatabase } from '../../../../electron/services/platform/db/database.ts';
import { createRouter, type Router } from '../../../../electron/router/router.ts';
import type { DocumentsService } from '../../../../electron/services/documents/documents-service.ts';

const PAGES = 300;
let dir: string;
let db: DatabaseSync;
let store: DocumentStore;
let router: Router;
let manualId: string;
let notesId: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'enclave-passages-'));
  db = openDatabase(join(dir, 'conversations.db')).db;
  store = new DocumentStore(db);
  router = createRouter(documentsHandlers({ store } as unknown as DocumentsService));
  const collection = store.create('Manuels');
  const file = (name: string, format: 'pdf' | 'text') => store.addFile(collection.id, { name, format, size: 100, jobId: 'passages-job-0000000001', path: null, mtime: null, pendingUpload: null }).file;
  const manual = file('manuel.pdf', 'pdf');
  // Two passages a page; page 150's second passage is the one a source cites.
  const chunks: Chunk[] = [];
  for (let page = 1; page <= PAGES; page += 1) {
    chunks.push({ page, heading: `Chapitre ${page}`, text: `Page ${page}, premier paragraphe.` });
    chunks.push({ page, heading: `Chapitre ${page}`, text: `Page ${page}, second paragraphe : le code est ${page * 7}.` });
  }
  store.saveChunks(manual.id, chunks, PAGES);
  manualId = manual.id;
  const notes = file('notes.txt', 'text');
  store.saveChunks(
    notes.id,
    [
      { page: null, heading: '', text: 'Première note.' },
      { page: null, heading: '', text: 'Seconde note.' },
    ],
    null,
  );
  notesId = notes.id;
});

afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function passages(input: Record<string, unknown>): Promise<DocumentWindow> {
  const outcome: CallOutcome = await router.call('documents.passages', input);
  if (!outcome.ok) throw new Error(`${outcome.error.code}: ${outcome.error.message}`);
  return outcome.result as DocumentWindow;
}

test('a source of a 300-page file opens on its passage, a window around it in order', async () => {
  const window = await passages({ fileId: manualId, page: 150, quote: 'Page 150, second paragraphe' });
  expect(window.file.name).toBe('manuel.pdf');
  expect(window.target).toBe(299);
  const radius = LIMITS_DOCUMENTS.windowRadius;
  expect(window.passages.map((passage) => passage.position)).toEqual(Array.from({ length: 2 * radius + 1 }, (_, index) => 299 - radius + index));
  expect(window.passages.find((passage) => passage.position === 299)).toEqual({ position: 299, page: 150, heading: 'Chapitre 150', text: 'Page 150, second paragraphe : le code est 1050.' });
  expect(window.more).toEqual({ before: true, after: true });
});

test('the quote must be on the page named: the same text elsewhere is not the passage', async () => {
  const window = await passages({ fileId: manualId, page: 3, quote: 'Page 150, second paragraphe' });
  // Not found on page 3: the window opens at page 3's first passage, and no passage is the target.
  expect(window.target).toBeNull();
  expect(window.passages[0]?.position).toBe(0);
  expect(window.passages.some((passage) => passage.page === 3)).toBe(true);
  expect(window.more.before).toBe(false);
});

test('reading on: a position gives the window around it, up to the end of the file', async () => {
  const last = await passages({ fileId: manualId, position: 2 * PAGES - 1 });
  expect(last.passages.at(-1)).toMatchObject({ page: PAGES, position: 2 * PAGES - 1 });
  expect(last.more).toEqual({ before: true, after: false });
  const start = await passages({ fileId: manualId });
  expect(start.passages[0]).toMatchObject({ page: 1, position: 0 });
});

test('a file without pages is found by its quote alone', async () => {
  const window = await passages({ fileId: notesId, page: null, quote: 'Seconde' });
  expect(window.target).toBe(1);
  expect(window.passages.map((passage) => passage.text)).toEqual(['Première note.', 'Seconde note.']);
  expect(window.more).toEqual({ before: false, after: false });
});

test('a removed file answers NOT_FOUND; a quote too long is refused', async () => {
  const outcome = await router.call('documents.passages', { fileId: manualId, quote: 'x'.repeat(LIMITS_DOCUMENTS.maxQuoteChars + 1) });
  expect(outcome).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  store.removeFile(notesId);
  expect(await router.call('documents.passages', { fileId: notesId })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
});
