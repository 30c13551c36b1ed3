import { copyFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from './web-host.fixture.ts';
import { chooseModel, rescanModels } from './model-menu.ts';

// A web host and data folder of its own (see web-host.fixture.ts).
test.use({ webHostSpec: import.meta.filename });
test.use({ locale: 'fr-FR' });

test('speaks French on a French system and translates errors', async ({ page, webHost }) => {
  // A model that vanishes after it was listed: it is not found when its turn comes.
  const vanishing = join(webHost.modelsDir, 'vanishing.gguf');
  await copyFile(join(webHost.modelsDir, 'enclave-scripted.gguf'), vanishing);
  await page.goto(webHost.url);
  await rescanModels(page);
  await expect(page.getByTestId('language-switch')).toHaveValue('fr');
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');

  await chooseModel(page, 'vanishing.gguf');
  await rm(vanishing);
  await page.getByTestId('composer').fill('Bonjour');
  await page.getByTestId('composer').press('Enter');
  const banner = page.getByTestId('error-banner');
  await expect(banner).toHaveAttribute('data-code', 'MODEL_NOT_FOUND');
  const frenchText = (await banner.textContent()) ?? '';
  expect(frenchText.length).toBeGreaterThan(10);

  await page.getByTestId('language-switch').selectOption('en');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(banner).not.toHaveText(frenchText);
});
