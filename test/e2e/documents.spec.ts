/**
 * Documents in Chromium, in French at 1024x640: a collection created, the corpus uploaded through
 * the browser with each file's progress and a damaged file's error in its row, a question answered
 * by the citing fixture model with its source (file, page, passage) that opens its document at the
 * cited passage, "documents only" saying it cannot find an answer, and the collection deleted with
 * nothing left in the database (the source then says its document is gone).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Page } from '@playwright/test';
import { CONVERSATIONS_DB_FILE_NAME } from '../../electron/services/conversations/open-conversations.ts';
import { pdfOf, writeCorpus } from '../fixtures/documents/corpus.ts';
import { CITING_REPLY, writeCitingModel } from '../fixtures/gguf/scripted.ts';
import { chooseModel, rescanModels } from './model-menu.ts';
import { shotsDir } from './shots.ts';
import { expect, test } from './web-host.fixture.ts';

// A web host and data folder of its own (see web-host.fixture.ts).
test.use({ webHostSpec: import.meta.filename });
test.use({ locale: 'fr-FR', viewport: { width: 1024, height: 640 } });

const SHOTS = shotsDir('documents');
const CITING = 'enclave-citing.gguf';
const CONTRACT = 'contrat-maintenance-informatique.pdf';
const UPLOADED = [CONTRACT, 'contrat-nettoyage-locaux.pdf', 'reglement-interieur.docx', 'procedure-conges.odt', 'notes-fournisseurs.txt'];
const files = mkdtempSync(join(tmpdir(), 'enclave-e2e-documents-'));
const LONG_PAGES = 60;

test.beforeAll(async ({ webHost }) => {
  mkdirSync(SHOTS, { recursive: true });
  await writeCitingModel(join(webHost.modelsDir, CITING));
  await writeCorpus(files);
  // A PDF cut short: its row must say so, in French, while the others are read.
  writeFileSync(join(files, 'tronque.pdf'), '%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R');
  // A long manual, one fact on page 45: its document opens a window at a time.
  const pages = Array.from({ length: LONG_PAGES }, (_, index) => ({
    heading: `Chapitre ${index + 1}`,
    paragraphs: [index + 1 === 45 ? 'Le code du coffre-fort de l’atelier est 8841.' : `Consigne ${index + 1} du manuel d’exploitation.`],
  }));
  writeFileSync(join(files, 'manuel-long.pdf'), await pdfOf(pages));
});

/** Rows left in the host's database for documents (files, passages, index entries). */
function documentRows(dataDir: string): { files: number; chunks: number; index: number } {
  const db = new DatabaseSync(join(dataDir, CONVERSATIONS_DB_FILE_NAME), { readOnly: true });
  try {
    const count = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;
    return { files: count('SELECT count(*) AS n FROM doc_files'), chunks: count('SELECT count(*) AS n FROM doc_chunks'), index: count('SELECT count(*) AS n FROM doc_chunks_fts_docsize') };
  } finally {
    db.close();
  }
}

async function createCollectionWithCorpus(page: Page, name: string): Promise<void> {
  await page.getByTestId('nav-documents').click();
  await page.getByTestId('collection-name').first().fill(name);
  await page.getByTestId('collection-create').first().click();
  await expect(page.locator('#documents-title')).toHaveText(name);
  await page.getByTestId('documents-file-input').setInputFiles([...UPLOADED, 'tronque.pdf'].map((file) => join(files, file)));
  const rows = page.getByTestId('document-row');
  await expect(rows).toHaveCount(UPLOADED.length + 1);
  await expect(page.locator('[data-testid="document-row"][data-state="ready"]')).toHaveCount(UPLOADED.length, { timeout: 60_000 });
  // The collection's counts follow: nothing left being read.
  await expect(page.getByTestId('collection-item').filter({ hasText: name })).not.toContainText(/being read|en lecture/);
}

test('a collection uploaded in the browser answers a question with its source, then is deleted with nothing left', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await createCollectionWithCorpus(page, 'Contrats');
  const contractRow = page.locator(`[data-testid="document-row"][data-name="${CONTRACT}"]`);
  await expect(contractRow).toContainText('Prêt\u00a0: 4 pages');
  const damaged = page.locator('[data-testid="document-row"][data-name="tronque.pdf"]');
  await expect(damaged).toHaveAttribute('data-state', 'error');
  await expect(damaged).toContainText('Le texte de ce fichier n’a pas pu être lu.');
  await expect(damaged).toContainText('Le fichier est endommagé ou incomplet.');
  await expect(page.getByTestId('collection-item')).toContainText('6 fichiers');
  // Renamed, then named back.
  await page.getByTestId('collection-rename').click();
  await page.getByTestId('collection-rename-input').fill('Contrats 2026');
  await page.getByTestId('collection-rename-input').press('Enter');
  await expect(page.locator('#documents-title')).toHaveText('Contrats 2026');
  await expect(page.getByTestId('collection-item')).toContainText('Contrats 2026');
  await page.getByTestId('collection-rename').click();
  await page.getByTestId('collection-rename-input').fill('Contrats');
  await page.getByTestId('collection-rename-input').press('Enter');
  await expect(page.locator('#documents-title')).toHaveText('Contrats');
  await page.screenshot({ path: join(SHOTS, 'collection-fr-1024.png') });

  // In the chat: attach the collection, documents only, and ask.
  await page.getByTestId('nav-chat').click();
  // The citing model was written after the host started: the menu's rescan finds it.
  await rescanModels(page);
  await chooseModel(page, CITING);
  await page.getByTestId('attach-documents').click();
  await page.getByTestId('attach-collection').check();
  await page.getByTestId('attach-only').check();
  await page.screenshot({ path: join(SHOTS, 'attach-fr-1024.png') });
  await page.getByTestId('attach-documents').click();
  await expect(page.getByTestId('attach-documents')).toHaveText('Documents (1)');
  await page.getByTestId('composer').fill('Quel est le préavis pour résilier le contrat de maintenance informatique ?');
  await page.getByTestId('composer').press('Enter');
  const answer = page.getByTestId('message-assistant').last();
  await expect(answer).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(answer.locator('.message-content')).toHaveText(CITING_REPLY);
  // [1] is the contract's page 2; [9] pointed nowhere and is not a source.
  const sources = answer.getByTestId('answer-source');
  await expect(sources).toHaveCount(1);
  await expect(sources.first()).toHaveAttribute('data-file', CONTRACT);
  await expect(sources.first()).toHaveAttribute('data-page', '2');
  await expect(sources.first()).toContainText('[1] contrat-maintenance-informatique.pdf · page 2');
  await page.screenshot({ path: join(SHOTS, 'answer-sources-fr-1024.png') });

  // The source opens its document, from the keyboard: every page of the contract in order, the
  // window scrolled to page 2's cited passage, marked; Escape closes and gives the focus back.
  const open = sources.first().getByTestId('answer-source-open');
  await open.focus();
  await page.keyboard.press('Enter');
  const view = page.getByTestId('document-view');
  await expect(view).toBeVisible();
  await expect(view.locator('#document-view-title')).toHaveText(CONTRACT);
  await expect(view.getByTestId('document-view-page').locator('h3')).toHaveText(['Page 1', 'Page 2', 'Page 3', 'Page 4']);
  const cited = view.getByTestId('document-view-cited');
  await expect(cited).toHaveCount(1);
  await expect(cited).toContainText('préavis de trois mois');
  await expect(view.locator('[data-testid="document-view-page"][data-page="2"]').getByTestId('document-view-cited')).toHaveCount(1);
  await expect(cited).toBeInViewport();
  // Inert: no link, image or markup from the document.
  await expect(view.locator('a, img, iframe, script')).toHaveCount(0);
  await expect(page.getByTestId('document-view-close')).toBeFocused();
  await page.screenshot({ path: join(SHOTS, 'document-view-fr-1024.png') });
  await page.keyboard.press('Escape');
  await expect(view).toHaveCount(0);
  await expect(open).toBeFocused();

  // Documents only, and nothing in them answers: said in French, without the model.
  await page.getByTestId('composer').fill('Quelle est la couleur du logo de la marque ?');
  await page.getByTestId('composer').press('Enter');
  await expect(page.getByTestId('message-assistant')).toHaveCount(2);
  await expect(page.getByTestId('message-assistant').last().locator('.message-content')).toHaveText('Je ne trouve pas cela dans vos documents.');

  // The sources come back with the conversation after a reload.
  await page.reload();
  await expect(page.getByTestId('answer-source')).toHaveCount(1);
  await expect(page.getByTestId('attach-documents')).toHaveText('Documents (1)');

  // Delete the collection: confirmed first, then nothing of it remains.
  await page.getByTestId('nav-documents').click();
  await page.getByTestId('collection-delete').click();
  await expect(page.getByRole('alertdialog')).toContainText('Supprimer «\u00a0Contrats\u00a0»');
  await page.getByTestId('collection-delete-confirm').click();
  await expect(page.getByTestId('collection-item')).toHaveCount(0);
  await expect(page.getByTestId('collection-create').first()).toBeVisible();
  expect(documentRows(webHost.dataDir)).toEqual({ files: 0, chunks: 0, index: 0 });
  await page.getByTestId('nav-chat').click();
  await expect(page.getByTestId('attach-documents')).toHaveText('Documents');
  // The answer keeps its source; its document is gone, and the view says so with the quoted passage.
  await page.getByTestId('answer-source-open').click();
  await expect(page.getByTestId('document-view-gone')).toHaveText('Ce document n’est plus dans vos collections. Le passage que la réponse citait\u00a0:');
  await expect(page.getByTestId('document-view-quote')).toContainText('préavis de trois mois');
  await page.getByTestId('document-view-close').click();
  await expect(page.getByTestId('document-view')).toHaveCount(0);
});

test('screenshots in English at 1280x800', async ({ browser, webHost }) => {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  try {
    await page.goto(webHost.url);
    await createCollectionWithCorpus(page, 'Contracts');
    await expect(page.locator('[data-testid="document-row"][data-name="tronque.pdf"]')).toContainText('The file is damaged or cut short.');
    await page.screenshot({ path: join(SHOTS, 'collection-en-1280.png') });
    await page.getByTestId('nav-chat').click();
    await rescanModels(page);
    await chooseModel(page, CITING);
    await page.getByTestId('attach-documents').click();
    await page.getByTestId('attach-collection').check();
    await page.getByTestId('attach-documents').click();
    await page.getByTestId('composer').fill('What is the notice period (préavis) to terminate the maintenance contract (contrat maintenance informatique)?');
    await page.getByTestId('composer').press('Enter');
    const answer = page.getByTestId('message-assistant').last();
    await expect(answer).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
    await expect(answer.getByTestId('answer-source')).toHaveCount(1);
    await page.screenshot({ path: join(SHOTS, 'answer-sources-en-1280.png') });
    await answer.getByTestId('answer-source-open').first().click();
    await expect(page.getByTestId('document-view-cited')).toBeInViewport();
    await expect(page.getByTestId('document-view').locator('[data-page="2"] h3')).toHaveText('Page 2');
    await page.screenshot({ path: join(SHOTS, 'document-view-en-1280.png') });
  } finally {
    await context.close();
  }
});

test('a source in a 60-page manual opens at its page, a window of the document at a time', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await page.getByTestId('nav-documents').click();
  await page.getByTestId('collection-name').first().fill('Manuels');
  await page.getByTestId('collection-create').first().click();
  await expect(page.locator('#documents-title')).toHaveText('Manuels');
  await page.getByTestId('documents-file-input').setInputFiles(join(files, 'manuel-long.pdf'));
  await expect(page.locator('[data-testid="document-row"][data-state="ready"]')).toHaveCount(1, { timeout: 60_000 });
  await page.getByTestId('nav-chat').click();
  await page.getByTestId('new-chat').click();
  await rescanModels(page);
  await chooseModel(page, CITING);
  await page.getByTestId('attach-documents').click();
  await page
    .getByTestId('attach-panel')
    .getByLabel(/Manuels/)
    .check();
  await page.getByTestId('attach-documents').click();
  await page.getByTestId('composer').fill('Quel est le code du coffre-fort de l’atelier ?');
  await page.getByTestId('composer').press('Enter');
  const answer = page.getByTestId('message-assistant').last();
  await expect(answer).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(answer.getByTestId('answer-source')).toHaveAttribute('data-page', '45');
  await answer.getByTestId('answer-source-open').click();
  const view = page.getByTestId('document-view');
  await expect(view.locator('[data-testid="document-view-page"][data-page="45"]').getByTestId('document-view-cited')).toContainText('8841');
  await expect(view.getByTestId('document-view-cited')).toBeInViewport();
  // A window around page 45, not the whole manual: the start comes on request.
  await expect(view.locator('[data-testid="document-view-page"][data-page="1"]')).toHaveCount(0);
  await expect(view.locator('[data-testid="document-view-page"][data-page="60"]')).toHaveCount(1);
  await expect(view.getByTestId('document-view-after')).toHaveCount(0);
  await view.getByTestId('document-view-before').click();
  await expect(view.locator('[data-testid="document-view-page"][data-page="1"] h3')).toHaveText('Page 1');
  await expect(view.getByTestId('document-view-page')).toHaveCount(LONG_PAGES);
  // The pages came above the text being read (page 25, first of the window), which stays in view.
  await expect(view.locator('[data-testid="document-view-page"][data-page="25"] h3')).toBeInViewport();
  await expect(view.locator('[data-testid="document-view-page"][data-page="1"] h3')).not.toBeInViewport();
  await expect(view.getByTestId('document-view-before')).toHaveCount(0);
  // Its button gone with the first page, the focus stays in the dialog, and Escape still closes it.
  await expect(view.getByTestId('document-view-body')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(view).toHaveCount(0);
});
