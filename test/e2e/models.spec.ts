/**
 * The Models page in a real browser against the built web host, downloading from a fake Hugging
 * Face server on 127.0.0.1 (ENCLAVE_HF_ENDPOINT): browse and filter the catalog, download with a
 * progress bar, chat with the downloaded model, and survive a host killed mid-download.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import catalogJson from '../../seeds/catalog.json' with { type: 'json' };
import { writeTruncated } from '../fixtures/gguf/malformed.ts';
import { ensureFixtureModels, SCRIPTED_REPLY } from '../fixtures/gguf/scripted.ts';
import { startFakeHfServer, type FakeHfServer } from '../support/fake-hf-server.ts';
import { test as base, expect } from './web-host.fixture.ts';
import { chooseModel } from './model-menu.ts';
import { shotsDir } from './shots.ts';

const SHOTS = shotsDir('library');
/** Catalog entries the fake server answers for, with the scripted model's bytes. */
const SMALL = { id: 'qwen3-0.6b', repo: 'unsloth/Qwen3-0.6B-GGUF', file: 'Qwen3-0.6B-Q4_K_M.gguf' };
const BIG = { id: 'smollm3-3b', repo: 'unsloth/SmolLM3-3B-GGUF', file: 'SmolLM3-3B-Q4_K_M.gguf' };
/** Zeros after the tensors keep the GGUF valid and make the download long enough to interrupt. */
const PADDING = 48 * 1024 * 1024;

const test = base.extend<object, { fakeHf: FakeHfServer }>({
  fakeHf: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring form.
    async ({}, use) => {
      const server = await startFakeHfServer();
      const scripted = await readFile((await ensureFixtureModels()).scripted);
      server.serve(SMALL.repo, SMALL.file, scripted);
      server.serve(BIG.repo, BIG.file, Buffer.concat([scripted, Buffer.alloc(PADDING)]), { bytesPerSecond: 3 * 1024 * 1024 });
      await use(server);
      await server.close();
    },
    { scope: 'worker' },
  ],
  webHostEnv: [async ({ fakeHf }, use) => use({ ENCLAVE_HF_ENDPOINT: fakeHf.url }), { scope: 'worker' }],
});

// A web host and data folder of its own (see web-host.fixture.ts).
test.use({ webHostSpec: import.meta.filename });
test.use({ locale: 'en-US' });
test.beforeAll(() => mkdir(SHOTS, { recursive: true }));

async function openModels(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/#/models`);
  await expect(page.getByTestId(`catalog-${SMALL.id}`)).toBeVisible();
}

test('browses and filters the catalog', async ({ page, webHost }) => {
  await openModels(page, webHost.url);
  // Counted from the shipped catalog, so adding a model does not break what this test checks.
  const qwen3 = catalogJson.models.filter((model) => model.family === 'Qwen3');
  await expect(page.locator('.catalog-card')).toHaveCount(catalogJson.models.length);
  await page.screenshot({ path: join(SHOTS, 'catalog.png'), fullPage: false });
  await page.getByTestId('filter-family').selectOption('Qwen3');
  await expect(page.locator('.catalog-card')).toHaveCount(qwen3.length);
  await page.getByTestId('filter-size').selectOption('small');
  // Small is under 2B parameters.
  await expect(page.locator('.catalog-card')).toHaveCount(qwen3.filter((model) => model.parametersB < 2).length);
  await page.getByTestId('filter-family').selectOption('');
  await page.getByTestId('filter-reasoning').selectOption('no');
  await page.getByTestId('filter-language').selectOption('fr');
  await page.getByTestId('catalog-search').fill('llama');
  await expect(page.locator('.catalog-card')).toHaveCount(1);
  await expect(page.getByTestId('catalog-llama-3.2-1b-instruct')).toBeVisible();
  await page.getByTestId('catalog-search').fill('no such model');
  await expect(page.getByText('No model matches these filters.')).toBeVisible();
});

test('downloads a model with a progress bar, verifies it, then chats with it', async ({ page, webHost, fakeHf }) => {
  await openModels(page, webHost.url);
  const card = page.getByTestId(`catalog-${SMALL.id}`);
  await card.getByTestId('download-start').click();
  await expect(card.getByTestId('installed-badge')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId(`installed-${SMALL.file}`)).toContainText('verified');
  expect(fakeHf.bytesServed(SMALL.repo, SMALL.file)).toBeGreaterThan(0);
  await page.screenshot({ path: join(SHOTS, 'downloaded.png') });

  await page.getByTestId('nav-chat').click();
  await chooseModel(page, SMALL.file);
  await page.getByTestId('composer').fill('Bonjour');
  await page.getByTestId('composer').press('Enter');
  const answer = page.getByTestId('message-assistant').last();
  await expect(answer).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  await expect(answer).toContainText(SCRIPTED_REPLY);
});

test('a host killed mid-download resumes after restart and finishes verified', async ({ page, browser, webHost, fakeHf }) => {
  await openModels(page, webHost.url);
  const card = page.getByTestId(`catalog-${BIG.id}`);
  await card.getByTestId('download-start').click();
  const progress = card.getByTestId(`download-${BIG.file}`);
  await expect(progress).toHaveAttribute('data-state', 'downloading');
  await expect(progress.getByRole('progressbar')).toBeVisible();
  // Wait until the downloader has recorded progress on disk, then kill the host without warning.
  await expect.poll(() => existsSync(join(webHost.modelsDir, `${BIG.file}.ipull`)), { timeout: 30_000 }).toBe(true);
  await expect.poll(async () => Number(await progress.getByRole('progressbar').getAttribute('aria-valuenow')), { timeout: 30_000 }).toBeGreaterThan(20);
  await page.screenshot({ path: join(SHOTS, 'downloading.png') });
  const french = await browser.newContext({ locale: 'fr-FR' });
  const frenchPage = await french.newPage();
  await frenchPage.goto(`${webHost.url}/#/models`);
  await expect(frenchPage.getByTestId(`catalog-${BIG.id}`).getByTestId(`download-${BIG.file}`)).toContainText('Téléchargement');
  await frenchPage.getByTestId(`catalog-${BIG.id}`).scrollIntoViewIfNeeded();
  await frenchPage.screenshot({ path: join(SHOTS, 'downloading-fr.png') });
  await french.close();
  const servedBeforeKill = fakeHf.bytesServed(BIG.repo, BIG.file);
  const url = await webHost.killAndRestart();

  await openModels(page, url);
  // The restarted host picked the download up by itself and finishes it.
  await expect(page.getByTestId(`catalog-${BIG.id}`).getByTestId('installed-badge')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId(`installed-${BIG.file}`)).toContainText('verified');
  const size = (await readFile(join(webHost.modelsDir, BIG.file))).length;
  const servedAfterRestart = fakeHf.bytesServed(BIG.repo, BIG.file) - servedBeforeKill;
  expect(servedAfterRestart).toBeLessThan(size);
  await page.screenshot({ path: join(SHOTS, 'resumed.png') });
  const frenchAfter = await browser.newContext({ locale: 'fr-FR' });
  const verifiedPage = await frenchAfter.newPage();
  await verifiedPage.goto(`${url}/#/models`);
  await expect(verifiedPage.getByTestId(`installed-${BIG.file}`)).toContainText('vérifié');
  await verifiedPage.screenshot({ path: join(SHOTS, 'library-verified-fr.png') });
  await frenchAfter.close();
});

test('imports a folder: the valid model is listed, the truncated one refused with its reason', async ({ page, webHost }) => {
  const stick = await mkdtemp(join(tmpdir(), 'enclave-stick-'));
  const { scripted } = await ensureFixtureModels();
  await copyFile(scripted, join(stick, 'from-usb.gguf'));
  await writeTruncated(join(stick, 'cut.gguf'), scripted, 5000);
  await openModels(page, webHost.url);
  await page.getByTestId('import-path').fill(stick);
  await page.getByTestId('import-submit').click();
  await expect(page.getByTestId('import-result')).toContainText('1 imported, 1 refused, 0 already there.');
  await expect(page.getByTestId('import-result')).toContainText('cut.gguf');
  // The reason in the interface's language; the header check's own (English) words only behind Details.
  const details = page.getByTestId('refusal-details');
  await expect(details).toBeVisible();
  await expect(details.locator('code')).toBeHidden();
  await details.locator('summary').click();
  await expect(details.locator('code')).toBeVisible();
  await expect(page.getByTestId('installed-from-usb.gguf')).toContainText('imported');
  await page.screenshot({ path: join(SHOTS, 'imported.png') });
  await rm(stick, { recursive: true, force: true });
});
