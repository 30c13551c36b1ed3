/** The Compare page in Chromium: a side-by-side run, a blind vote, the leaderboard and a report. */
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from '@playwright/test';
import { ALPHA, ALPHA_REPLY, BRAVO, BRAVO_REPLY, writeCompareModels } from '../support/compare-models.ts';
import { ContractClient } from '../support/web-host-process.ts';
import { expect, test } from './web-host.fixture.ts';

const SHOTS = '/tmp/shots-compare';

test.use({ locale: 'en-US', viewport: { width: 1400, height: 900 } });
test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ webHost }) => {
  mkdirSync(SHOTS, { recursive: true });
  await writeCompareModels(webHost.modelsDir);
  const client = await ContractClient.connect(webHost.url);
  await client.call('models.rescan', {});
  client.close();
});

async function startComparison(page: Page, url: string, options: { blind: boolean; prompt: string }): Promise<void> {
  await page.goto(`${url}/#/compare`);
  await page.getByTestId('compare-panel-new').click();
  const models = page.getByTestId('compare-models');
  await models.getByLabel(/Compare Alpha/).check();
  await models.getByLabel(/Compare Bravo/).check();
  await page.getByTestId('compare-system').fill('Answer in one short sentence.');
  await page.getByTestId('compare-prompt').fill(options.prompt);
  await page.getByTestId('compare-category').fill('email');
  if (options.blind) await page.getByTestId('compare-blind').check();
  await page.getByTestId('compare-start').click();
}

test('a side-by-side run shows each model’s answer in its column with its statistics', async ({ page, webHost }) => {
  await startComparison(page, webHost.url, { blind: false, prompt: 'Reply to a customer who asks for a refund.' });
  const cellA = page.locator('[data-testid="compare-cell"][data-column="A"]');
  const cellB = page.locator('[data-testid="compare-cell"][data-column="B"]');
  await expect(cellA.getByTestId('compare-answer')).toHaveText(ALPHA_REPLY);
  await expect(cellB.getByTestId('compare-answer')).toHaveText(BRAVO_REPLY);
  await expect(cellA.getByTestId('compare-model-name')).toHaveText(ALPHA.file);
  await expect(cellB.getByTestId('compare-model-name')).toHaveText(BRAVO.file);
  await expect(cellA.getByTestId('compare-stats')).toContainText('tokens/s');
  await expect(cellB.getByTestId('compare-stats')).toContainText('peak memory');
  await expect(page.getByTestId('compare-progress')).toContainText('2 of 2 answers');
  await page.screenshot({ path: join(SHOTS, 'side-by-side.png'), fullPage: true });
});

test('blind mode hides the names until the vote, then the leaderboard counts it', async ({ page, webHost }) => {
  await startComparison(page, webHost.url, { blind: true, prompt: 'Which of you writes the better email?' });
  const cells = page.getByTestId('compare-cell');
  await expect(cells).toHaveCount(2);
  await expect(page.locator('[data-testid="compare-cell"][data-state="done"]')).toHaveCount(2);
  await expect(page.getByTestId('compare-model-name')).toHaveText(['hidden until you vote', 'hidden until you vote']);
  await expect(page.getByTestId('compare-stats').first()).not.toContainText('load');
  await expect(page.locator('main')).not.toContainText('compare-alpha');
  await expect(page.locator('main')).not.toContainText('compare-bravo');
  await page.screenshot({ path: join(SHOTS, 'blind-before-vote.png'), fullPage: true });

  // Vote for the column that wrote Bravo's text.
  const bravoColumn = (await page.locator('[data-testid="compare-cell"]', { hasText: BRAVO_REPLY }).getAttribute('data-column')) ?? '';
  await page.getByTestId(`vote-${bravoColumn}`).click();
  await expect(page.getByTestId('compare-vote')).toContainText(`Your vote: ${bravoColumn}`);
  await expect(page.locator('[data-testid="compare-cell"]', { hasText: BRAVO_REPLY }).getByTestId('compare-model-name')).toHaveText(BRAVO.file);
  await expect(page.locator('[data-testid="compare-cell"]', { hasText: ALPHA_REPLY }).getByTestId('compare-model-name')).toHaveText(ALPHA.file);
  await page.locator('[data-testid="compare-cell"]', { hasText: BRAVO_REPLY }).getByRole('button', { name: '4 out of 5' }).click();
  await expect(page.locator('[data-testid="compare-cell"]', { hasText: BRAVO_REPLY }).getByRole('button', { name: '4 out of 5' })).toHaveAttribute('aria-pressed', 'true');
  await page.screenshot({ path: join(SHOTS, 'blind-after-vote.png'), fullPage: true });

  await page.getByTestId('compare-panel-leaderboard').click();
  const overall = page.getByTestId('leaderboard').first();
  await expect(overall.locator('tbody tr').first()).toContainText(BRAVO.file);
  await expect(overall.locator('tbody tr').first()).toContainText('1016');
  await page.screenshot({ path: join(SHOTS, 'leaderboard.png'), fullPage: true });
});

test('the HTML report is saved and offered as a download, with the stored figures', async ({ page, webHost }) => {
  await page.goto(`${webHost.url}/#/compare`);
  await page.getByTestId('compare-panel-leaderboard').click();
  const downloading = page.waitForEvent('download');
  await page.getByTestId('report-html').click();
  const download = await downloading;
  const file = join(SHOTS, 'report.html');
  await download.saveAs(file);
  await expect(page.getByTestId('report-saved')).toContainText(join(webHost.dataDir, 'reports'));
  const html = await readFile(file, 'utf8');
  expect(html).toContain(ALPHA_REPLY);
  expect(html).toContain(BRAVO_REPLY);
  expect(html).toContain('<svg');
  await page.goto(pathToFileURL(file).href);
  await expect(page.locator('h1')).toHaveText('Enclave comparison report');
  await page.screenshot({ path: join(SHOTS, 'report.png'), fullPage: true });
});

test('a shipped prompt set runs as a batch across two models, in French', async ({ page, webHost }) => {
  await page.goto(`${webHost.url}/#/compare`);
  await page.getByRole('combobox').selectOption('fr');
  await page.getByTestId('compare-panel-sets').click();
  await page.getByRole('listitem').filter({ hasText: 'Tâches de PME (français)' }).click();
  await page.getByTestId('compare-models').getByLabel(/Compare Alpha/).check();
  await page.getByTestId('compare-models').getByLabel(/Compare Bravo/).check();
  await page.screenshot({ path: join(SHOTS, 'prompt-sets-fr.png'), fullPage: true });
  await page.getByTestId('start-batch').click();
  await expect(page.getByTestId('compare-progress')).toContainText('12 réponses sur 12');
  await expect(page.locator('[data-testid="compare-cell"][data-column="A"]', { hasText: ALPHA_REPLY })).toHaveCount(6);
  await expect(page.locator('[data-testid="compare-cell"][data-column="B"]', { hasText: BRAVO_REPLY })).toHaveCount(6);
  await page.screenshot({ path: join(SHOTS, 'batch-fr.png') });
});
