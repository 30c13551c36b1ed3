/**
 * Hardware fit, first run, model packs, showing and deleting models, in a real browser against
 * the built web host and a fake Hugging Face server on 127.0.0.1 that serves one catalog model's
 * files. Screenshots of the Models page in English and French go to /tmp/shots-library.
 */
import { copyFile, lstat, mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from '@playwright/test';
import { CATALOG } from '../../electron/services/models/catalog.ts';
import { ensureFixtureModels } from '../fixtures/gguf/scripted.ts';
import { startFakeHfServer, type FakeHfServer } from '../support/fake-hf-server.ts';
import { test as base, expect } from './web-host.fixture.ts';
import { shotsDir } from './shots.ts';

const SHOTS = shotsDir('model-fit');
const LIBRARY_SHOTS = shotsDir('library');
const SMALL = { id: 'qwen3-0.6b', repo: 'unsloth/Qwen3-0.6B-GGUF', files: ['Qwen3-0.6B-Q4_K_M.gguf', 'Qwen3-0.6B-Q8_0.gguf'] };
/** The catalog's first file, which the check reads first: served as a file that is not a model, so it never fits. */
const FIRST = { repo: CATALOG[0]?.repo ?? '', file: CATALOG[0]?.files[0]?.file ?? '' };

const test = base.extend<object, { fakeHf: FakeHfServer }>({
  fakeHf: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring form.
    async ({}, use) => {
      const server = await startFakeHfServer();
      const scripted = await readFile((await ensureFixtureModels()).scripted);
      for (const file of SMALL.files) server.serve(SMALL.repo, file, scripted);
      server.serve(FIRST.repo, FIRST.file, Buffer.from('not a model'));
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
test.describe.configure({ mode: 'serial' });
test.beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  await mkdir(LIBRARY_SHOTS, { recursive: true });
});

async function deleteEveryModel(page: Page): Promise<void> {
  const installed = page.locator('[data-testid^="installed-"]');
  while ((await installed.count()) > 0) {
    const before = await installed.count();
    await installed.first().getByTestId('delete-model').click();
    await installed.first().getByTestId('delete-confirm').click();
    await expect(installed).toHaveCount(before - 1);
  }
}

test('first run: the fit check waits for the user, shows its progress and can be stopped; then one recommended model, downloaded in one click', async ({ page, webHost, fakeHf }) => {
  await page.goto(`${webHost.url}/#/models`);
  await expect(page.getByTestId(`catalog-${SMALL.id}`)).toBeVisible();
  // The first header read of the check gets no answer: the check stays under way until stopped.
  fakeHf.setFaults(FIRST.repo, FIRST.file, { unansweredRequests: 1 });
  await deleteEveryModel(page);
  expect((await readdir(webHost.modelsDir)).filter((name) => name.endsWith('.gguf'))).toEqual([]);

  const panel = page.getByTestId('machine-panel');
  await expect(panel.getByText('Welcome! Let’s find a model for this computer.')).toBeVisible();
  await expect(panel.getByTestId('machine-facts')).toContainText('Memory:');
  // Nothing is read from the model host until the user asks, first run or not.
  const requestsBefore = fakeHf.requests.length;
  await page.reload();
  await expect(panel.getByTestId('check-fit')).toHaveText('Check which models fit');
  await expect(panel.getByTestId('check-fit')).toHaveClass(/button-primary/);
  await expect(panel.getByTestId('fit-progress')).toHaveCount(0);
  expect(fakeHf.requests.length).toBe(requestsBefore);
  // Asked, it shows where it is and offers to stop.
  await panel.getByTestId('check-fit').click();
  const progress = panel.getByTestId('fit-progress');
  await expect(progress).toContainText(`Checking which models fit: 0 of ${CATALOG.length}`);
  await page.screenshot({ path: join(SHOTS, 'first-run-checking.png') });
  await progress.getByTestId('fit-cancel').click();
  await expect(progress).toHaveCount(0);
  await expect(panel.getByTestId('recommendation')).toHaveCount(0);

  // Asked again, it runs to the end.
  await panel.getByTestId('check-fit').click();
  const card = page.getByTestId(`catalog-${SMALL.id}`);
  await expect(card.getByTestId('fit-badge')).toHaveText(/Runs on the CPU|Fits on the GPU/, { timeout: 30_000 });
  await expect(card.getByTestId('fit-needs')).toContainText('4,096 tokens of context');
  await expect(card.getByTestId('quant-select').locator('option', { hasText: 'recommended' })).toHaveCount(1);
  await expect(panel.getByTestId('recommendation')).toContainText('Recommended for this computer: Qwen3 0.6B (Q4_K_M)');
  await expect(panel.getByTestId('fit-progress')).toHaveCount(0);
  await page.screenshot({ path: join(SHOTS, 'fit-checked.png') });
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.screenshot({ path: join(LIBRARY_SHOTS, 'catalog-fit-en.png') });

  await page.getByTestId('filter-fits').check();
  await expect(page.locator('.catalog-card')).toHaveCount(1);
  await page.getByTestId('filter-fits').uncheck();

  await panel.getByTestId('recommendation-download').click();
  await expect(card.getByTestId('installed-badge')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId(`installed-${SMALL.files[0]}`)).toContainText('verified');
});

test('exports a model pack, deletes the model, and imports the pack back verified', async ({ page, webHost }) => {
  const folder = await mkdtemp(join(tmpdir(), 'enclave-e2e-pack-'));
  try {
    await page.goto(`${webHost.url}/#/models`);
    const installed = page.getByTestId(`installed-${SMALL.files[0]}`);
    await expect(installed).toBeVisible();
    const packs = page.getByTestId('pack-panel');
    await packs.locator('summary').click();
    await packs.getByTestId(`pack-choose-${SMALL.files[0]}`).check();
    await packs.getByTestId('pack-export-folder').fill(folder);
    await packs.getByTestId('pack-export').click();
    await expect(packs.getByTestId('pack-status')).toContainText('Exported');
    expect((await readdir(folder)).sort()).toEqual(['Qwen3-0.6B-Q4_K_M.gguf', 'enclave-pack.json']);

    await installed.getByTestId('delete-model').click();
    await installed.getByTestId('delete-confirm').click();
    await expect(installed).toHaveCount(0);

    await packs.getByTestId('pack-import-folder').fill(folder);
    await packs.getByTestId('pack-import').click();
    await expect(packs.getByTestId('pack-import-result')).toHaveText('1 imported, 0 refused, and 0 already there.');
    await expect(installed).toContainText('verified');
    await page.screenshot({ path: join(SHOTS, 'pack-imported.png') });
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

test('drag and drop: a folder dropped from a file manager is imported in place; a drop without a path says so', async ({ page, webHost }) => {
  const stick = await mkdtemp(join(tmpdir(), 'enclave-e2e-drop-'));
  try {
    const fixtures = await ensureFixtureModels();
    await copyFile(fixtures.endless, join(stick, 'dropped.gguf'));
    await page.goto(`${webHost.url}/#/models`);
    const form = page.getByTestId('import-form');
    // Page-side expressions as strings: the test's tsconfig has no DOM types.
    const empty = await page.evaluateHandle('new DataTransfer()');
    await form.dispatchEvent('drop', { dataTransfer: empty });
    await expect(form.getByText('The browser did not give the location of these files')).toBeVisible();

    await form.getByTestId('import-reference').check();
    const uri = JSON.stringify(pathToFileURL(stick).href);
    const dropped = await page.evaluateHandle(`(() => { const transfer = new DataTransfer(); transfer.setData('text/uri-list', ${uri}); return transfer; })()`);
    await form.dispatchEvent('drop', { dataTransfer: dropped });
    await expect(form.getByTestId('import-result')).toContainText('1 imported, 0 refused');
    await expect(page.getByTestId('installed-dropped.gguf')).toBeVisible();
    expect((await lstat(join(webHost.modelsDir, 'dropped.gguf'))).isSymbolicLink()).toBe(true);
  } finally {
    await rm(stick, { recursive: true, force: true });
  }
});

test('“Show in folder” on the web host: the full path, and a button that copies it', async ({ browser, webHost }) => {
  const context = await browser.newContext({ locale: 'en-US', permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  await page.goto(`${webHost.url}/#/models`);
  const installed = page.getByTestId(`installed-${SMALL.files[0]}`);
  await installed.getByTestId('reveal-model').click();
  const location = installed.getByTestId('model-location');
  await expect(location).toContainText(join(webHost.modelsDir, SMALL.files[0] ?? ''));
  await location.getByTestId('copy-path').click();
  await expect(location.getByTestId('copy-path')).toHaveText('Copied');
  expect(await page.evaluate('navigator.clipboard.readText()')).toBe(join(webHost.modelsDir, SMALL.files[0] ?? ''));
  await page.screenshot({ path: join(LIBRARY_SHOTS, 'library-verified-en.png') });
  await context.close();
});

test('the model source settings, in French', async ({ browser, webHost }) => {
  const context = await browser.newContext({ locale: 'fr-FR' });
  const page = await context.newPage();
  await page.goto(`${webHost.url}/#/models`);
  // The catalog in French: the check reads no header again (cached for the session).
  await page.getByTestId('machine-panel').getByTestId('check-fit').click();
  await expect(page.getByTestId(`catalog-${SMALL.id}`).getByTestId('fit-badge')).toHaveText(/Sur le processeur|Tient sur le GPU/, { timeout: 30_000 });
  await expect(page.getByTestId(`catalog-${SMALL.id}`)).toContainText('Comprend le français');
  await expect(page.getByTestId(`catalog-${SMALL.id}`)).toContainText('Chine');
  await expect(page.getByTestId('fit-progress')).toHaveCount(0, { timeout: 30_000 });
  await page.getByTestId(`installed-${SMALL.files[0]}`).getByTestId('reveal-model').click();
  await expect(page.getByTestId('model-location')).toBeVisible();
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.screenshot({ path: join(LIBRARY_SHOTS, 'catalog-fit-fr.png') });
  const source = page.getByTestId('source-settings');
  await source.locator('summary').click();
  // ENCLAVE_HF_ENDPOINT fixes the endpoint: shown, locked.
  await expect(source.getByTestId('hf-endpoint')).toBeDisabled();
  await expect(source.getByText('Fixée par ENCLAVE_HF_ENDPOINT')).toBeVisible();
  await source.getByTestId('proxy').fill('http://127.0.0.1:3128');
  await source.getByRole('button', { name: 'Enregistrer' }).click();
  await expect(source.getByText('Enregistré.')).toBeVisible();
  await source.getByTestId('proxy').fill('');
  await source.getByRole('button', { name: 'Enregistrer' }).click();
  await page.screenshot({ path: join(SHOTS, 'models-fr.png') });
  await context.close();
});
