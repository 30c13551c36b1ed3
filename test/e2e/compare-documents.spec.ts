/**
 * Documents in the comparison workbench, in Chromium: a collection attached to a side-by-side run
 * of the citing and the scripted fixture models, each column showing its own sources (the citing
 * model's opens its document at page 2; the scripted one cites none), and a blind run whose page,
 * sources included, names no model until the reveal. Screenshots in French at 1024x640 and in
 * English at 1280x800.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { newJobId } from '#shared/chat.ts';
import type { DocumentFile } from '#shared/documents.ts';
import { writeCorpus } from '../fixtures/documents/corpus.ts';
import { CITING_REPLY, SCRIPTED_REPLY, writeCitingModel } from '../fixtures/gguf/index.ts';
import { waitUntil } from '../support/wait-until.ts';
import { ContractClient } from '../support/web-host-process.ts';
import { shotsDir } from './shots.ts';
import { expect, test } from './web-host.fixture.ts';

test.use({ webHostSpec: import.meta.filename });
test.describe.configure({ mode: 'serial' });

const SHOTS = shotsDir('compare-documents');
const CONTRACT = 'contrat-maintenance-informatique.pdf';
/** Everything that names the two models: their files and their names. */
const MODEL_NAMES = ['enclave-citing.gguf', 'enclave-scripted.gguf', 'Enclave Citing', 'Enclave Scripted'];
const QUESTION = 'Quel est le préavis pour résilier le contrat de maintenance informatique ?';

test.beforeAll(async ({ webHost }) => {
  mkdirSync(SHOTS, { recursive: true });
  await writeCitingModel(join(webHost.modelsDir, 'enclave-citing.gguf'));
  const paths = await writeCorpus(mkdtempSync(join(tmpdir(), 'enclave-e2e-compare-documents-')));
  const client = await ContractClient.connect(webHost.url);
  try {
    await client.call('models.rescan', {});
    const created = await client.call('documents.create', { name: 'Contrats' });
    const collectionId = (created as { result: { id: string } }).result.id;
    await client.call('documents.add', { jobId: newJobId(), collectionId, sources: paths.map((path) => ({ path })) });
    await waitUntil(async () => {
      const files = (await client.call('documents.files', { collectionId })) as { result: DocumentFile[] };
      return files.result.every((file) => file.state === 'ready');
    }, 'the corpus read');
  } finally {
    client.close();
  }
});

async function startWithDocuments(page: Page, url: string, blind: boolean): Promise<void> {
  await page.goto(`${url}/#/compare`);
  await page.getByTestId('compare-panel-new').click();
  const models = page.getByTestId('compare-models');
  await models.getByLabel(/Enclave Citing/).check();
  await models.getByLabel(/Enclave Scripted/).check();
  await page.getByTestId('compare-prompt').fill(QUESTION);
  await page.getByTestId('compare-collection').check();
  if (blind) await page.getByTestId('compare-blind').check();
  await page.getByTestId('compare-start').click();
  await expect(page.locator('[data-testid="compare-cell"][data-state="done"]')).toHaveCount(2, { timeout: 60_000 });
}

const cellWriting = (page: Page, text: string) => page.locator('[data-testid="compare-cell"]', { hasText: text });

test('each model of a comparison with a collection shows its own sources, which open the document', async ({ browser, webHost }) => {
  const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1024, height: 640 } });
  const page = await context.newPage();
  try {
    await startWithDocuments(page, webHost.url, false);
    await expect(page.getByTestId('compare-run-documents')).toContainText('Réponses à partir de\u00a0: Contrats.');
    const citing = cellWriting(page, CITING_REPLY);
    const scripted = cellWriting(page, SCRIPTED_REPLY);
    await expect(citing.getByTestId('compare-model-name')).toHaveText('Enclave Citing');
    // [1] is the contract's page 2; [9] pointed nowhere.
    await expect(citing.getByTestId('answer-source')).toHaveCount(1);
    await expect(citing.getByTestId('answer-source')).toHaveAttribute('data-file', CONTRACT);
    await expect(citing.getByTestId('answer-source')).toHaveAttribute('data-page', '2');
    await expect(scripted.getByTestId('answer-source')).toHaveCount(0);
    await expect(scripted.getByTestId('compare-no-sources')).toHaveText('Aucune source citée.');
    await citing.getByTestId('answer-source').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'compare-sources-fr-1024.png') });
    await citing.getByTestId('answer-source-open').click();
    await expect(page.getByTestId('document-view-cited')).toContainText('préavis de trois mois');
    await expect(page.locator('[data-testid="document-view-page"][data-page="2"]').getByTestId('document-view-cited')).toHaveCount(1);
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('document-view')).toHaveCount(0);
  } finally {
    await context.close();
  }
});

test('blind: the sources show, and nothing on the page names a model until the reveal', async ({ browser, webHost }) => {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  try {
    await startWithDocuments(page, webHost.url, true);
    await expect(cellWriting(page, CITING_REPLY).getByTestId('answer-source')).toContainText('[1] contrat-maintenance-informatique.pdf · page 2');
    await expect(cellWriting(page, SCRIPTED_REPLY).getByTestId('compare-no-sources')).toHaveText('No source cited.');
    await expect(page.getByTestId('compare-model-name')).toHaveText(['hidden until you vote', 'hidden until you vote']);
    const html = await page.content();
    const text = await page.locator('body').innerText();
    for (const name of MODEL_NAMES) {
      expect(html).not.toContain(name);
      expect(text).not.toContain(name);
    }
    await page.screenshot({ path: join(SHOTS, 'compare-sources-en-1280.png') });
    await page.getByTestId('compare-reveal').click();
    await expect(cellWriting(page, CITING_REPLY).getByTestId('compare-model-name')).toHaveText('Enclave Citing');
  } finally {
    await context.close();
  }
});
