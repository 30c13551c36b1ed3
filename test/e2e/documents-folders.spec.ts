/**
 * A folder uploaded through the browser, in Chromium (French at 1024x640): its supported files
 * sent with their path in the folder as their name, the others counted as skipped; a 300-page PDF
 * in it read with its page and time left, paused and resumed; the same folder sent again
 * replacing its files instead of adding them twice. English screenshot at 1280x800.
 */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { LARGE_PDF, largePdf } from '../fixtures/documents/large-pdf.ts';
import { shotsDir } from './shots.ts';
import { expect, test } from './web-host.fixture.ts';

// A web host and data folder of its own (see web-host.fixture.ts).
test.use({ webHostSpec: import.meta.filename });
test.use({ locale: 'fr-FR', viewport: { width: 1024, height: 640 } });

const SHOTS = shotsDir('documents');
const INVOICES = 30;
const folder = join(mkdtempSync(join(tmpdir(), 'enclave-e2e-folders-')), 'Dossier-clients');
const PDF = 'Dossier-clients/Manuel-atelier.pdf';

test.beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  mkdirSync(join(folder, 'factures'), { recursive: true });
  mkdirSync(join(folder, 'photos'));
  copyFileSync(await largePdf(LARGE_PDF), join(folder, 'Manuel-atelier.pdf'));
  for (let index = 1; index <= INVOICES; index++) {
    writeFileSync(join(folder, 'factures', `facture-${String(index).padStart(3, '0')}.txt`), `Facture numéro ${index} de la boulangerie Martin : ${index * 10} euros.`);
  }
  // Not read: no reader for these formats.
  writeFileSync(join(folder, 'photos', 'vitrine.png'), 'png');
  writeFileSync(join(folder, 'tableau.xls'), 'xls');
});

async function uploadFolder(page: Page, collection: string): Promise<void> {
  await page.getByTestId('nav-documents').click();
  await page.getByTestId('collection-name').first().fill(collection);
  await page.getByTestId('collection-create').first().click();
  await expect(page.locator('#documents-title')).toHaveText(collection);
  await page.getByTestId('documents-folder-input').setInputFiles(folder);
}

test('a folder is uploaded with its paths, its large PDF paused and resumed, and sent again without duplicates', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await uploadFolder(page, 'Clients');
  await expect(page.getByTestId('documents-notice')).toHaveText('2 fichiers ignorés\u00a0: format non pris en charge');
  const pdf = page.locator(`[data-testid="document-row"][data-name="${PDF}"]`);
  await expect(pdf).toContainText(/Lecture… page \d+ sur 300/, { timeout: 120_000 });

  await page.getByTestId('documents-pause').click();
  await expect(pdf).toHaveAttribute('data-state', 'paused');
  await expect(pdf).toContainText(/En pause après la page \d+ sur 300/);
  await expect(page.getByTestId('documents-reading')).toContainText('En pause');

  await page.getByTestId('documents-resume').click();
  await expect(pdf).toContainText(/encore environ/, { timeout: 60_000 });
  await page.screenshot({ path: join(SHOTS, 'folder-reading-fr-1024.png') });

  const ready = page.locator('[data-testid="document-row"][data-state="ready"]');
  await expect(ready).toHaveCount(INVOICES + 1, { timeout: 120_000 });
  await expect(pdf).toContainText('Prêt\u00a0: 300 pages');
  await expect(page.locator('[data-testid="document-row"][data-name="Dossier-clients/factures/facture-017.txt"]')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('documents-reading')).toHaveCount(0);

  // The same folder again: its files are replaced, not added twice.
  await page.getByTestId('documents-folder-input').setInputFiles(folder);
  await expect(page.getByTestId('document-row')).toHaveCount(INVOICES + 1);
  await expect(ready).toHaveCount(INVOICES + 1, { timeout: 120_000 });
  await expect(page.getByTestId('collection-item')).toContainText(`${INVOICES + 1} fichiers`);
});

test('screenshot in English at 1280x800', async ({ browser, webHost }) => {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  try {
    await page.goto(webHost.url);
    await uploadFolder(page, 'Customers');
    await expect(page.getByTestId('documents-notice')).toHaveText('2 files skipped: format not supported');
    const pdf = page.locator(`[data-testid="document-row"][data-name="${PDF}"]`);
    await expect(pdf).toContainText(/Reading… page \d+ of 300 · about/, { timeout: 120_000 });
    await page.screenshot({ path: join(SHOTS, 'folder-reading-en-1280.png') });
    await expect(page.locator('[data-testid="document-row"][data-state="ready"]')).toHaveCount(INVOICES + 1, { timeout: 120_000 });
  } finally {
    await context.close();
  }
});
