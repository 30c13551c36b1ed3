/**
 * Errors as a French user meets them, at 1024x640: the headline and the reason in French, the
 * host's English message only behind "Détails"; a computer with no network (the model host's name
 * does not resolve) told so by the fit check and by a download, the catalog's sizes kept; a pack
 * exported to a folder that does not exist yet, created on request. Screenshots go to
 * /tmp/shots-errors.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from './web-host.fixture.ts';
import { shotsDir } from './shots.ts';

const SHOTS = shotsDir('errors');

// A web host of its own whose model host cannot be resolved: `.invalid` never is (RFC 6761).
test.use({ webHostSpec: import.meta.filename, webHostEnv: { ENCLAVE_HF_ENDPOINT: 'https://hf.invalid' } });
test.use({ locale: 'fr-FR', viewport: { width: 1024, height: 640 } });
test.describe.configure({ mode: 'serial' });
test.beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
});

test('a refused import is explained in French; the English detail waits behind Détails', async ({ page, webHost }) => {
  const folder = await mkdtemp(join(tmpdir(), 'enclave-e2e-errors-'));
  try {
    const notJson = join(folder, 'conversations.json');
    await writeFile(notJson, 'ceci n’est pas du JSON');
    await page.goto(webHost.url);
    await page.locator('.transfer-menu summary').click();
    await page.getByTestId('import-chatgpt').setInputFiles(notJson);
    const banner = page.getByTestId('error-banner');
    await expect(banner).toHaveAttribute('data-code', 'IMPORT_INVALID');
    await expect(banner.locator('.error-title')).toContainText('Ce fichier n’est ni un export ChatGPT');
    await expect(banner.getByTestId('error-reason')).toHaveText('Le fichier n’est pas au format JSON.');
    // The JSON parser's own (English) words.
    const technical = banner.locator('.error-technical code');
    await expect(technical).toBeHidden();
    await page.screenshot({ path: join(SHOTS, 'import-invalid-fr.png') });
    await banner.getByText('Détails').click();
    await expect(technical).toBeVisible();
    await expect(banner.getByText('Message technique (en anglais)')).toBeVisible();
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

test('with no network the fit check names the cause, concludes nothing and the filter keeps what fits by size', async ({ page, webHost }) => {
  await page.goto(`${webHost.url}/#/models`);
  const panel = page.getByTestId('machine-panel');
  await expect(panel.getByTestId('machine-facts')).toBeVisible();
  await panel.getByTestId('check-fit').click();
  const unchecked = panel.getByTestId('fit-unchecked');
  await expect(unchecked).toHaveAttribute('data-code', 'NETWORK_UNREACHABLE');
  await expect(unchecked).toContainText('cet ordinateur ne semble pas connecté au réseau');
  await expect(unchecked).toContainText('paquet de modèles');
  await expect(unchecked.getByText('hf.invalid cannot be reached', { exact: false })).toBeHidden();
  await expect(panel.getByText('Aucun modèle du catalogue', { exact: false })).toHaveCount(0);
  const card = page.getByTestId('catalog-qwen3-0.6b');
  await expect(card.getByTestId('fit-unchecked-card')).toContainText(/Compatibilité non vérifiée\s:\spas de réseau\. Le fichier pèse \d+\sMo\. Cet ordinateur a [\d,]+\sGo de mémoire libre\./);
  await page.screenshot({ path: join(SHOTS, 'fit-no-network-fr.png') });
  // The catalog's own words are names only: nothing English left in a French card.
  await expect(card).toContainText('Alibaba Cloud (Chine)');
  await expect(card).not.toContainText('team');

  const all = await page.locator('[data-testid^="catalog-"]').count();
  await page.getByTestId('filter-fits').check();
  // The smallest catalog model (a few hundred MB) fits any machine that runs these tests.
  await expect(card).toBeVisible();
  expect(await page.locator('[data-testid^="catalog-"]').count()).toBeGreaterThan(0);
  expect(await page.locator('[data-testid^="catalog-"]').count()).toBeLessThanOrEqual(all);
  await page.getByTestId('filter-fits').uncheck();
});

test('a download with no network says so while it retries, and can be cancelled', async ({ page, webHost }) => {
  await page.goto(`${webHost.url}/#/models`);
  const card = page.getByTestId('catalog-qwen3-0.6b');
  await card.getByTestId('download-start').click();
  const retrying = card.getByTestId('download-retrying');
  await expect(retrying).toHaveAttribute('data-code', 'NETWORK_UNREACHABLE');
  await expect(retrying).toContainText('Pas de réseau');
  await expect(card.getByText('Connexion perdue')).toHaveCount(0);
  await card.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, 'download-no-network-fr.png') });
  await card.getByTestId('download-cancel').click();
  await expect(card.getByTestId('download-start')).toBeVisible();
});

test('a pack export to a folder that does not exist offers to create it, then exports', async ({ page, webHost }) => {
  const parent = await mkdtemp(join(tmpdir(), 'enclave-e2e-errors-pack-'));
  const folder = join(parent, 'clé', 'atelier');
  try {
    await page.goto(`${webHost.url}/#/models`);
    const packs = page.getByTestId('pack-panel');
    await packs.locator('summary').click();
    await packs.locator('[data-testid^="pack-choose-"]').first().check();
    await packs.getByTestId('pack-export-folder').fill(folder);
    await packs.getByTestId('pack-export').click();
    const missing = packs.getByTestId('pack-missing-folder');
    await expect(missing).toHaveText(`Le dossier ${folder} n’existe pas encore. Le créer et exporter`);
    await expect(page.getByTestId('error-banner')).toHaveCount(0);
    await missing.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'pack-missing-folder-fr.png') });
    await missing.getByTestId('pack-create-folder').click();
    await expect(packs.getByTestId('pack-status')).toContainText('Exporté');
    expect(await readdir(folder)).toContain('enclave-pack.json');
    // Imported back, its one model is already here: French plurals and a French list.
    await packs.getByTestId('pack-import-folder').fill(folder);
    await packs.getByTestId('pack-import').click();
    await expect(packs.getByTestId('pack-import-result')).toHaveText('0\u00a0importé, 0\u00a0refusé et 1\u00a0déjà présent.');
  } finally {
    await rm(parent, { recursive: true, force: true });
  }
});
