/**
 * The first hour, in French at 1024x640 as the issue found it: a first run with no model that
 * leads to a first answer, the model menu at the top of the chat, and a long answer followed as
 * it streams. Screenshots go to /tmp/shots-first-hour.
 */
import { copyFile, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Page } from '@playwright/test';
import { ensureFixtureModels, SCRIPTED_REPLY } from '../fixtures/gguf/scripted.ts';
import { startFakeHfServer, type FakeHfServer } from '../support/fake-hf-server.ts';
import { chooseModel, rescanModels } from './model-menu.ts';
import { test as base, expect } from './web-host.fixture.ts';
import { shotsDir } from './shots.ts';

const SHOTS = shotsDir('first-hour');
/** The first run downloads this file (the scripted fixture model, served as Qwen3 0.6B). */
const SCRIPTED = 'Qwen3-0.6B-Q4_K_M.gguf';
const SMALL = { repo: 'unsloth/Qwen3-0.6B-GGUF', files: ['Qwen3-0.6B-Q4_K_M.gguf', 'Qwen3-0.6B-Q8_0.gguf'] };

const test = base.extend<object, { fakeHf: FakeHfServer }>({
  fakeHf: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring form.
    async ({}, use) => {
      const server = await startFakeHfServer();
      const scripted = await readFile((await ensureFixtureModels()).scripted);
      for (const file of SMALL.files) server.serve(SMALL.repo, file, scripted);
      await use(server);
      await server.close();
    },
    { scope: 'worker' },
  ],
  webHostEnv: [async ({ fakeHf }, use) => use({ ENCLAVE_HF_ENDPOINT: fakeHf.url }), { scope: 'worker' }],
});

// A web host and data folder of its own (see web-host.fixture.ts).
test.use({ webHostSpec: import.meta.filename });
test.use({ locale: 'fr-FR', viewport: { width: 1024, height: 640 } });
test.describe.configure({ mode: 'serial' });
test.beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
});

async function send(page: Page, text: string): Promise<void> {
  await page.getByTestId('composer').fill(text);
  await page.getByTestId('composer').press('Enter');
}

/** The page itself never scrolls: only its panes do. */
async function expectNoPageScroll(page: Page): Promise<void> {
  expect(await page.evaluate('document.scrollingElement.scrollHeight <= window.innerHeight')).toBe(true);
}

test('first run: with no model, the chat leads to the hardware check and a one-click download, then to a first answer', async ({ page, webHost }) => {
  for (const file of await readdir(webHost.modelsDir)) await rm(join(webHost.modelsDir, file));
  await page.goto(webHost.url);
  await rescanModels(page);
  await page.reload();

  const firstRun = page.getByTestId('first-run');
  await expect(firstRun.getByText('Bienvenue ! Trouvons un modèle pour cet ordinateur.')).toBeVisible();
  await expect(firstRun.getByTestId('first-run-models-dir')).toHaveText(webHost.modelsDir);
  await expect(firstRun.getByTestId('first-run-catalog')).toHaveAttribute('href', '#/models');
  await expect(page.getByTestId('model-menu-name')).toHaveText('Choisir un modèle');
  await expectNoPageScroll(page);
  await page.screenshot({ path: join(SHOTS, 'first-run-fr-1024.png') });

  await firstRun.getByTestId('check-fit').click();
  await firstRun.getByTestId('recommendation-download').click({ timeout: 30_000 });
  await expect(firstRun).toHaveCount(0, { timeout: 30_000 });
  // The downloaded model answers without being chosen: it is the only one.
  await expect(page.getByTestId('model-menu-name')).toHaveText('Enclave Scripted');
  await send(page, 'Bonjour');
  const answer = page.getByTestId('message-assistant').last();
  await expect(answer).toHaveAttribute('data-state', 'done');
  await expect(answer).toContainText(SCRIPTED_REPLY);
  await page.screenshot({ path: join(SHOTS, 'first-answer-fr-1024.png') });
});

test('the model menu at the top of the chat: the model that answers, per conversation, kept after a reload', async ({ page, webHost }) => {
  // The first run's download (the scripted model) and the endless model.
  const { endless } = await ensureFixtureModels();
  await copyFile(endless, join(webHost.modelsDir, basename(endless)));
  await page.goto(webHost.url);
  await rescanModels(page);
  await page.getByTestId('new-chat').click();
  await chooseModel(page, SCRIPTED);
  await expect(page.getByTestId('model-menu-name')).toHaveText('Enclave Scripted');
  await send(page, 'Premier');
  await expect(page.getByTestId('message-assistant').last()).toHaveAttribute('data-state', 'done');

  // A second conversation answered by another model.
  await page.getByTestId('new-chat').click();
  await chooseModel(page, 'enclave-endless.gguf');
  await send(page, 'Second');
  await expect(page.getByTestId('message-assistant').last()).toHaveAttribute('data-state', 'streaming');
  await page.getByTestId('stop').click();
  await expect(page.getByTestId('message-assistant').last()).toHaveAttribute('data-state', 'stopped');

  // Each conversation shows its own model; a reload keeps the open one and its model.
  await page.getByTestId('conversation-item').filter({ hasText: 'Premier' }).locator('.conversation-open').click();
  await expect(page.getByTestId('model-menu-name')).toHaveText('Enclave Scripted');
  await page.reload();
  await expect(page.getByTestId('message-user')).toHaveText(/Premier/);
  await expect(page.getByTestId('model-menu-name')).toHaveText('Enclave Scripted');
  // Choosing another model in an open conversation is saved with it.
  await chooseModel(page, 'enclave-endless.gguf');
  await page.getByTestId('conversation-item').filter({ hasText: 'Second' }).locator('.conversation-open').click();
  await page.getByTestId('conversation-item').filter({ hasText: 'Premier' }).locator('.conversation-open').click();
  await expect(page.getByTestId('model-menu-name')).toHaveText('Enclave Endless');
  await expectNoPageScroll(page);
  await page.screenshot({ path: join(SHOTS, 'model-menu-fr-1024.png') });
});

test('a long streamed answer is followed to its end; scrolling up stops following; a button goes back down', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await page.getByTestId('new-chat').click();
  await chooseModel(page, 'enclave-endless.gguf');
  await send(page, 'Compte aussi longtemps que possible');
  const answer = page.getByTestId('message-assistant').last();
  const list = page.getByTestId('message-list');
  // Longer than the view, and its newest text (the caret) still in view: followed.
  await expect.poll(() => list.evaluate((element) => element.scrollHeight > 3 * element.clientHeight)).toBe(true);
  await expect(answer.locator('.caret')).toBeInViewport();

  // Scrolled up, the view stays where the reader put it while the text grows.
  await list.hover();
  await page.mouse.wheel(0, -400);
  await expect(page.getByTestId('jump-to-end')).toHaveText('↓ Suivre la réponse');
  // Chromium animates a wheel scroll over several frames: the reader's position is where it comes to rest.
  let top = Number.NaN;
  await expect
    .poll(
      async () => {
        const now = await list.evaluate((element) => element.scrollTop);
        const rested = now === top;
        top = now;
        return rested;
      },
      { intervals: [150] },
    )
    .toBe(true);
  const length = (await answer.textContent())?.length ?? 0;
  await expect.poll(async () => (await answer.textContent())?.length ?? 0).toBeGreaterThan(length + 300);
  expect(await list.evaluate((element) => element.scrollTop)).toBe(top);
  await expect(answer.locator('.caret')).not.toBeInViewport();

  // The button goes back down and follows again, to the end of the stopped answer.
  await page.getByTestId('jump-to-end').click();
  await expect(page.getByTestId('jump-to-end')).toHaveCount(0);
  await expect(answer.locator('.caret')).toBeInViewport();
  await page.getByTestId('stop').click();
  await expect(answer).toHaveAttribute('data-state', 'stopped');
  await expect(answer.getByText('Réponse arrêtée')).toBeInViewport();
  await expect(answer.getByTestId('answer-stats')).toBeInViewport();
  await expectNoPageScroll(page);
  await page.screenshot({ path: join(SHOTS, 'long-answer-stopped-fr-1024.png') });
});

test('the first question of a new conversation and its answer stay on screen: the list is never hidden while it starts', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await page.getByTestId('new-chat').click();
  await chooseModel(page, SCRIPTED);
  // Every state of the message list's rows while the conversation starts, as the page drew them.
  await page.evaluate(`
    window.listVisibility = [];
    new MutationObserver(() => {
      const rows = document.querySelector('[data-testid="virtuoso-item-list"]');
      if (rows !== null) window.listVisibility.push(rows.style.visibility === 'hidden' ? 'hidden' : 'shown');
    }).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['style'] });
  `);
  await send(page, 'Bonjour');
  const answer = page.getByTestId('message-assistant').last();
  await expect(answer).toHaveAttribute('data-state', 'done');
  await expect(answer).toBeInViewport();
  const seen = (await page.evaluate('window.listVisibility')) as string[];
  expect(seen.length).toBeGreaterThan(0);
  expect(seen).not.toContain('hidden');
});

test('a long answer that ends by itself is followed to its statistics', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await page.getByTestId('new-chat').click();
  await chooseModel(page, 'enclave-endless.gguf');
  const conversations = await page.getByTestId('conversation-item').count();
  await page.getByTestId('conversation-settings').click();
  await page.getByTestId('settings-panel').locator('summary').click();
  await page.getByTestId('sampling-maxTokens').fill('1500');
  await page.getByTestId('settings-save').click();
  // Saving the settings of a new conversation creates it; a question sent before that would start another.
  await expect(page.getByTestId('conversation-item')).toHaveCount(conversations + 1);
  await send(page, 'Compte jusqu’à la limite');
  const answer = page.getByTestId('message-assistant').last();
  await expect(answer).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  expect(await page.getByTestId('message-list').evaluate((element) => element.scrollHeight > 3 * element.clientHeight)).toBe(true);
  await expect(answer.getByTestId('answer-stats')).toBeInViewport();
  await expect(answer.getByTestId('answer-stats')).toHaveAttribute('data-tokens', '1500');
  await page.screenshot({ path: join(SHOTS, 'long-answer-fr-1024.png') });
});

test('the conversation settings fit 1024x640, Save in view, and the advanced fields show their default values', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await page.getByTestId('conversation-settings').click();
  const panel = page.getByTestId('settings-panel');
  await panel.locator('summary').click();
  await expect(panel.getByTestId('sampling-temperature')).toHaveAttribute('placeholder', 'par défaut\u00a0: 0,7');
  await expect(panel.getByTestId('sampling-maxTokens')).toHaveAttribute('placeholder', 'par défaut\u00a0: 4\u202f096');
  await expect(panel.getByTestId('settings-save')).toBeInViewport({ ratio: 1 });
  await expectNoPageScroll(page);
  await page.screenshot({ path: join(SHOTS, 'settings-fr-1024.png') });
});
