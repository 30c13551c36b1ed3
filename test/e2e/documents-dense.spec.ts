/**
 * Dense retrieval in Chromium, in French at 1024x640: the fixture embedding model chosen on the
 * Documents page (the only model it offers there; the chat's model menu never offers it), the
 * collection's passages embedded with their progress, and a question worded with the passage's
 * words in another order answered with the right source. English screenshot at 1280x800.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Page } from '@playwright/test';
import { CONVERSATIONS_DB_FILE_NAME } from '../../electron/services/conversations/open-conversations.ts';
import { corpusText, writeCorpus } from '../fixtures/documents/corpus.ts';
import { writeEmbeddingModel } from '../fixtures/gguf/embedding.ts';
import { writeCitingModel } from '../fixtures/gguf/scripted.ts';
import { chooseModel, modelOption, openModelMenu, rescanModels } from './model-menu.ts';
import { shotsDir } from './shots.ts';
import { expect, test } from './web-host.fixture.ts';

test.use({ webHostSpec: import.meta.filename });
test.use({ locale: 'fr-FR', viewport: { width: 1024, height: 640 } });

const SHOTS = shotsDir('documents');
const CITING = 'enclave-citing.gguf';
const EMBEDDING = 'enclave-embedding.gguf';
const CONTRACT = 'contrat-maintenance-informatique.pdf';
const UPLOADED = [CONTRACT, 'contrat-nettoyage-locaux.pdf', 'reglement-interieur.docx', 'notes-fournisseurs.txt'];
const files = mkdtempSync(join(tmpdir(), 'enclave-e2e-dense-'));

test.beforeAll(async ({ webHost }) => {
  mkdirSync(SHOTS, { recursive: true });
  await writeCitingModel(join(webHost.modelsDir, CITING));
  await writeEmbeddingModel(join(webHost.modelsDir, EMBEDDING), corpusText());
  await writeCorpus(files);
});

function vectorRows(dataDir: string): number {
  const db = new DatabaseSync(join(dataDir, CONVERSATIONS_DB_FILE_NAME), { readOnly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM doc_vectors').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function uploadCollection(page: Page, name: string): Promise<void> {
  await page.getByTestId('nav-documents').click();
  await page.getByTestId('collection-name').first().fill(name);
  await page.getByTestId('collection-create').first().click();
  await expect(page.locator('#documents-title')).toHaveText(name);
  await page.getByTestId('documents-file-input').setInputFiles(UPLOADED.map((file) => join(files, file)));
  await expect(page.locator('[data-testid="document-row"][data-state="ready"]')).toHaveCount(UPLOADED.length, { timeout: 60_000 });
}

test('the embedding model chosen on the Documents page embeds the passages, and a question in other words finds its source', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  // The models were written after the host started: the menu's rescan finds them. The chat never offers the embedding model.
  await rescanModels(page);
  await expect(modelOption(page, CITING)).toBeVisible();
  await expect(modelOption(page, EMBEDDING)).toHaveCount(0);
  await page.keyboard.press('Escape');

  // Read before the model is chosen: full text only, and the choice offers the embedding model alone.
  await uploadCollection(page, 'Contrats');
  const status = page.getByTestId('embedding-status');
  await expect(status).toHaveAttribute('data-state', 'off');
  await expect(status).toContainText('Recherche plein texte seule.');
  const select = page.getByTestId('embedding-model');
  await expect(select.locator('option')).toHaveText(['Aucun\u00a0: recherche plein texte seule', 'Enclave Embedding']);

  await select.selectOption(EMBEDDING);
  // Progress while the passages are embedded, then every one has its vector.
  await expect(status).toHaveAttribute('data-state', /embedding|ready/);
  await expect(status).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  const passages = vectorRows(webHost.dataDir);
  expect(passages).toBeGreaterThan(UPLOADED.length);
  await expect(status).toContainText(`${passages} passages vectorisés`);
  await page.screenshot({ path: join(SHOTS, 'embedding-fr-1024.png') });

  // In the chat: the note says what the vectors add; a question in other words finds the contract's page 2.
  await page.getByTestId('nav-chat').click();
  await chooseModel(page, CITING);
  await page.getByTestId('attach-documents').click();
  await page.getByTestId('attach-collection').check();
  await expect(page.getByTestId('attach-retrieval-note')).toContainText('par leurs vecteurs calculés par Enclave Embedding');
  await page.getByTestId('attach-documents').click();
  await page.getByTestId('composer').fill('Résilier le contrat de maintenance informatique : avec quel préavis chaque partie le peut-elle ?');
  await page.getByTestId('composer').press('Enter');
  const answer = page.getByTestId('message-assistant').last();
  await expect(answer).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  const sources = answer.getByTestId('answer-source');
  await expect(sources).toHaveCount(1);
  await expect(sources.first()).toHaveAttribute('data-file', CONTRACT);
  await expect(sources.first()).toHaveAttribute('data-page', '2');
  // It opens its document at the cited passage.
  await sources.first().getByTestId('answer-source-open').click();
  await expect(page.getByTestId('document-view-cited')).toContainText('préavis de trois mois');
  await page.keyboard.press('Escape');

  // Still not offered to chat with after all this.
  await openModelMenu(page);
  await expect(modelOption(page, EMBEDDING)).toHaveCount(0);
});

test('screenshot in English at 1280x800', async ({ browser, webHost }) => {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  try {
    await page.goto(webHost.url);
    await page.getByTestId('nav-documents').click();
    await expect(page.getByTestId('embedding-status')).toHaveAttribute('data-state', 'ready');
    await expect(page.getByTestId('embedding-model')).toHaveValue(EMBEDDING);
    await expect(page.getByTestId('embedding-status')).toContainText('passages embedded: questions use full text and vectors together.');
    await page.screenshot({ path: join(SHOTS, 'embedding-en-1280.png') });
  } finally {
    await context.close();
  }
});
