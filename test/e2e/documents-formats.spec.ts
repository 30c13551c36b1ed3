/**
 * Documents beyond text files, in Chromium: a scanned page (an image of French text, read by text
 * recognition in the host) and a price list in XLSX uploaded through the browser, then a question
 * answered from each by the citing fixture model, the source naming the right file (and page 1 for
 * the scan). French at 1024x640, English screenshots at 1280x800.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { SCANNED_PAGE_PNG, writeCorpus } from '../fixtures/documents/corpus.ts';
import { CITING_REPLY, writeCitingModel } from '../fixtures/gguf/scripted.ts';
import { chooseModel, rescanModels } from './model-menu.ts';
import { shotsDir } from './shots.ts';
import { expect, test } from './web-host.fixture.ts';

// A web host and data folder of its own (see web-host.fixture.ts).
test.use({ webHostSpec: import.meta.filename });
test.use({ locale: 'fr-FR', viewport: { width: 1024, height: 640 } });

const SHOTS = shotsDir('documents');
const CITING = 'enclave-citing.gguf';
const SCAN = 'attestation-assurance-scan.png';
const PRICES = 'tarifs-fournitures-2026.xlsx';
const files = mkdtempSync(join(tmpdir(), 'enclave-e2e-documents-formats-'));

test.beforeAll(async ({ webHost }) => {
  mkdirSync(SHOTS, { recursive: true });
  await writeCitingModel(join(webHost.modelsDir, CITING));
  await writeCorpus(files);
});

async function uploadScanAndPrices(page: Page, name: string): Promise<void> {
  await page.getByTestId('nav-documents').click();
  await page.getByTestId('collection-name').first().fill(name);
  await page.getByTestId('collection-create').first().click();
  await expect(page.locator('#documents-title')).toHaveText(name);
  await page.getByTestId('documents-file-input').setInputFiles([SCANNED_PAGE_PNG, join(files, PRICES)]);
  await expect(page.locator('[data-testid="document-row"][data-state="ready"]')).toHaveCount(2, { timeout: 60_000 });
}

async function ask(page: Page, question: string): Promise<ReturnType<Page['getByTestId']>> {
  await page.getByTestId('composer').fill(question);
  await page.getByTestId('composer').press('Enter');
  const answer = page.getByTestId('message-assistant').last();
  await expect(answer).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(answer.locator('.message-content')).toHaveText(CITING_REPLY);
  return answer;
}

async function attachCollection(page: Page, name: string): Promise<void> {
  await page.getByTestId('nav-chat').click();
  // The citing model was written after the host started: the menu's rescan finds it.
  await rescanModels(page);
  await chooseModel(page, CITING);
  await page.getByTestId('attach-documents').click();
  await page
    .getByTestId('attach-collection')
    .and(page.getByRole('checkbox', { name: new RegExp(`^${name}`) }))
    .check();
  await page.getByTestId('attach-documents').click();
}

test('a scanned page and a spreadsheet uploaded in the browser each answer a question, with the right file as source', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await uploadScanAndPrices(page, 'Assurance et tarifs');
  await expect(page.locator(`[data-testid="document-row"][data-name="${SCAN}"]`)).toContainText('Prêt\u00a0: 1 page, 1 passage');
  await expect(page.locator(`[data-testid="document-row"][data-name="${PRICES}"]`)).toHaveAttribute('data-state', 'ready');
  await page.screenshot({ path: join(SHOTS, 'formats-collection-fr-1024.png') });

  await attachCollection(page, 'Assurance et tarifs');
  const scanAnswer = await ask(page, 'Quel est le plafond de garantie de l’assurance responsabilité civile ?');
  const scanSource = scanAnswer.getByTestId('answer-source');
  await expect(scanSource).toHaveCount(1);
  await expect(scanSource).toHaveAttribute('data-file', SCAN);
  await expect(scanSource).toHaveAttribute('data-page', '1');
  await expect(scanSource).toContainText(`[1] ${SCAN} · page 1`);
  await scanSource.locator('summary').click();
  // Read from the image by text recognition, in the host.
  await expect(scanSource.getByTestId('answer-source-passage')).toContainText('1 500 000 euros par sinistre');
  await page.screenshot({ path: join(SHOTS, 'formats-scan-answer-fr-1024.png') });

  const pricesAnswer = await ask(page, 'Quel est le prix HT du toner noir ?');
  const pricesSource = pricesAnswer.getByTestId('answer-source');
  await expect(pricesSource).toHaveCount(1);
  await expect(pricesSource).toHaveAttribute('data-file', PRICES);
  await expect(pricesSource).toContainText(`[1] ${PRICES} · Tarifs 2026`);
  await pricesSource.locator('summary').click();
  await expect(pricesSource.getByTestId('answer-source-passage')).toContainText('Article : Cartouche de toner noir ; Fournisseur : Papeterie du Port ; Prix HT (€) : 68.9');
  await page.screenshot({ path: join(SHOTS, 'formats-sheet-answer-fr-1024.png') });
});

test('screenshots in English at 1280x800', async ({ browser, webHost }) => {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  try {
    await page.goto(webHost.url);
    await uploadScanAndPrices(page, 'Insurance and prices');
    await expect(page.locator(`[data-testid="document-row"][data-name="${SCAN}"]`)).toContainText('Ready: 1 page, 1 passage');
    await page.screenshot({ path: join(SHOTS, 'formats-collection-en-1280.png') });
    await attachCollection(page, 'Insurance and prices');
    const answer = await ask(page, 'What is the guarantee ceiling (plafond de garantie) of the insurance (assurance)?');
    await expect(answer.getByTestId('answer-source')).toHaveAttribute('data-file', SCAN);
    await answer.getByTestId('answer-source').locator('summary').click();
    await page.screenshot({ path: join(SHOTS, 'formats-scan-answer-en-1280.png') });
  } finally {
    await context.close();
  }
});
