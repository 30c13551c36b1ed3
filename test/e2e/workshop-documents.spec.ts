/**
 * A workshop room that shares a collection read-only, in Chromium on loopback: the trainer shares
 * "Contrats" when opening the room; a participant (French, 1024x640) is told what the room answers
 * from, has no control over it, asks, and gets the answer with its source, which opens the
 * contract at page 2.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newJobId } from '#shared/chat.ts';
import type { DocumentFile } from '#shared/documents.ts';
import { writeCorpus } from '../fixtures/documents/corpus.ts';
import { CITING_REPLY, writeCitingModel } from '../fixtures/gguf/index.ts';
import { freePort } from '../support/loopback.ts';
import { waitUntil } from '../support/wait-until.ts';
import { ContractClient } from '../support/web-host-process.ts';
import { chooseModel } from './model-menu.ts';
import { shotsDir } from './shots.ts';
import { expect, test } from './web-host.fixture.ts';

test.use({ webHostSpec: import.meta.filename });
test.use({ locale: 'en-US', webHostEnv: { ENCLAVE_WORKSHOP_GRACE_MS: '0' } });

const SHOTS = shotsDir('workshop');
const CITING = 'enclave-citing.gguf';

test.beforeAll(async ({ webHost }) => {
  mkdirSync(SHOTS, { recursive: true });
  await writeCitingModel(join(webHost.modelsDir, CITING));
  const paths = await writeCorpus(mkdtempSync(join(tmpdir(), 'enclave-e2e-workshop-documents-')));
  const client = await ContractClient.connect(webHost.url);
  try {
    await client.call('models.rescan', {});
    for (const name of ['Contrats', 'RH']) {
      const collectionId = ((await client.call('documents.create', { name })) as { result: { id: string } }).result.id;
      const files = name === 'Contrats' ? paths.filter((path) => path.endsWith('.pdf')) : paths.filter((path) => path.endsWith('.docx'));
      await client.call('documents.add', { jobId: newJobId(), collectionId, sources: files.map((path) => ({ path })) });
      await waitUntil(async () => ((await client.call('documents.files', { collectionId })) as { result: DocumentFile[] }).result.every((file) => file.state === 'ready'), `${name} read`);
    }
  } finally {
    client.close();
  }
});

test('a participant asks a room that shares a collection and opens the source of the answer', async ({ page, browser, webHost }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${webHost.url}/#/workshop`);
  await page.getByTestId('workshop-interface').selectOption('127.0.0.1');
  await page.getByTestId('workshop-port').fill(String(await freePort()));
  await page.getByTestId('workshop-understood').check();
  await page
    .getByTestId('workshop-models')
    .getByLabel(/Enclave Citing/)
    .check();
  await page
    .getByTestId('workshop-documents')
    .getByLabel(/Contrats/)
    .check();
  await page.getByTestId('workshop-documents').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, 'share-documents-en-1280.png') });
  await page.getByTestId('workshop-start').click();
  await expect(page.getByTestId('workshop-shared-documents')).toHaveText('Shared with the room, read-only: Contrats.');
  const url = (await page.getByTestId('workshop-url').textContent()) ?? '';
  const code = (await page.getByTestId('workshop-code').textContent()) ?? '';

  const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1024, height: 640 } });
  const participant = await context.newPage();
  try {
    await participant.goto(url);
    await participant.locator('#code').fill(code);
    await participant.locator('#name').fill('Léa');
    await participant.getByRole('button').click();
    await expect(participant.getByTestId('participant-documents')).toHaveText('Les réponses s’appuient sur les documents partagés par le formateur\u00a0: Contrats (lecture seule).');
    // Read-only: no control to choose collections, no Documents page.
    await expect(participant.getByTestId('attach-documents')).toHaveCount(0);
    await expect(participant.getByTestId('nav-documents')).toHaveCount(0);
    await chooseModel(participant, CITING);
    await participant.getByTestId('composer').fill('Quel est le préavis pour résilier le contrat de maintenance informatique ?');
    await participant.getByTestId('composer').press('Enter');
    const answer = participant.getByTestId('message-assistant').last();
    await expect(answer).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
    await expect(answer.locator('.message-content')).toHaveText(CITING_REPLY);
    await expect(answer.getByTestId('answer-source')).toHaveCount(1);
    await expect(answer.getByTestId('answer-source')).toHaveAttribute('data-file', 'contrat-maintenance-informatique.pdf');
    await expect(answer.getByTestId('answer-source')).toHaveAttribute('data-page', '2');
    await participant.screenshot({ path: join(SHOTS, 'participant-sources-fr-1024.png') });
    await answer.getByTestId('answer-source-open').click();
    const cited = participant.getByTestId('document-view-cited');
    await expect(cited).toContainText('préavis de trois mois');
    await expect(participant.locator('[data-testid="document-view-page"][data-page="2"]').getByTestId('document-view-cited')).toHaveCount(1);
    await participant.keyboard.press('Escape');
    await expect(participant.getByTestId('document-view')).toHaveCount(0);
    // Reopened, the conversation keeps its source and shows no error.
    await participant.reload();
    await participant.getByTestId('conversation-item').first().locator('.conversation-open').click();
    await expect(participant.getByTestId('answer-source')).toHaveCount(1);
    await expect(participant.getByTestId('error-banner')).toHaveCount(0);
  } finally {
    await context.close();
  }
});
