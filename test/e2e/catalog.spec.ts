/**
 * The catalog a first-time user meets: current models, French-trained ones among them, and a
 * recommendation in the interface's language. A fake Hugging Face on 127.0.0.1 serves the fixture
 * model under two catalog entries of about the same size: one that speaks French, one that does
 * not. Screenshots go to /tmp/shots-library.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { CATALOG } from '../../electron/services/models/catalog.ts';
import { ensureFixtureModels } from '../fixtures/gguf/scripted.ts';
import { startFakeHfServer, type FakeHfServer } from '../support/fake-hf-server.ts';
import { test as base, expect } from './web-host.fixture.ts';
import { shotsDir } from './shots.ts';

const SHOTS = shotsDir('library');
const FRENCH = 'croissantllm-chat-v0.1';
const ENGLISH_ONLY = 'deepseek-r1-distill-qwen-1.5b';

const test = base.extend<object, { fakeHf: FakeHfServer }>({
  fakeHf: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring form.
    async ({}, use) => {
      const server = await startFakeHfServer();
      const scripted = await readFile((await ensureFixtureModels()).scripted);
      for (const entry of CATALOG.filter((model) => model.id === FRENCH || model.id === ENGLISH_ONLY)) {
        for (const file of entry.files) server.serve(entry.repo, file.file, scripted);
      }
      await use(server);
      await server.close();
    },
    { scope: 'worker' },
  ],
  webHostEnv: [async ({ fakeHf }, use) => use({ ENCLAVE_HF_ENDPOINT: fakeHf.url }), { scope: 'worker' }],
});

test.use({ webHostSpec: import.meta.filename });
test.describe.configure({ mode: 'serial' });
test.beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
});

async function checkFit(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/#/models`);
  const panel = page.getByTestId('machine-panel');
  await panel.getByTestId('check-fit').click();
  await expect(panel.getByTestId('fit-progress')).toHaveCount(0, { timeout: 60_000 });
}

test.describe('in French', () => {
  test.use({ locale: 'fr-FR', viewport: { width: 1024, height: 640 } });

  test('the catalog holds current and French-trained models, and recommends one that speaks French', async ({ page, webHost }) => {
    await checkFit(page, webHost.url);
    await expect(page.getByTestId('recommendation')).toContainText('CroissantLLM Chat 1.3B');
    await page.getByTestId('recommendation').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'recommendation-fr.png') });
    for (const id of ['qwen3.5-4b', 'gemma-4-e2b-it', 'ministral-3-3b-instruct-2512', 'lucie-7b-instruct-v1.1', FRENCH]) {
      await expect(page.getByTestId(`catalog-${id}`)).toBeVisible();
    }
    // What could not be checked against its model card says so.
    await expect(page.getByTestId('catalog-gemma-4-e2b-it').getByTestId('catalog-unverified')).toBeVisible();
    await expect(page.getByTestId(`catalog-${FRENCH}`).getByTestId('catalog-unverified')).toHaveCount(0);
  });
});

test.describe('in English', () => {
  test.use({ locale: 'en-US', viewport: { width: 1280, height: 800 } });

  test('the same computer is recommended the larger model when French is not asked for', async ({ page, webHost }) => {
    await checkFit(page, webHost.url);
    await expect(page.getByTestId('recommendation')).toContainText('DeepSeek-R1-Distill-Qwen 1.5B');
  });
});
