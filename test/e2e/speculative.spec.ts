/**
 * Speculative decoding: the app-wide setting in the conversation settings (kept by the host), and
 * the drafted and accepted tokens in an answer's statistics. The web host runs with
 * ENCLAVE_SPECULATIVE=on, so input lookup runs on this CPU too (by itself Enclave uses it on a GPU
 * only). The question repeats the scripted model's answer, which input lookup predicts.
 * Screenshots go to /tmp/shots-speculative.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { SCRIPTED_REPLY, SCRIPTED_REPLY_TOKENS } from '../fixtures/gguf/scripted.ts';
import { chooseModel } from './model-menu.ts';
import { expect, test } from './web-host.fixture.ts';
import { shotsDir } from './shots.ts';

const SHOTS = shotsDir('speculative');
const SCRIPTED = 'enclave-scripted.gguf';
/**
 * The first token follows the prompt's end, which the question lacks; then each batch evaluates the
 * token just chosen with one drafted token, which is right: 4 drafts for the 8 tokens after the first.
 */
const DRAFTED = (SCRIPTED_REPLY_TOKENS.length - 1) / 2;

test.use({ webHostSpec: import.meta.filename, webHostEnv: { ENCLAVE_SPECULATIVE: 'on' } });
test.describe.configure({ mode: 'serial' });
test.beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
});

async function ask(page: Page, question: string): Promise<void> {
  await page.getByTestId('composer').fill(question);
  await page.getByTestId('composer').press('Enter');
  await expect(page.getByTestId('message-assistant').last()).toHaveAttribute('data-state', 'done');
}

async function setSpeculative(page: Page, on: boolean): Promise<void> {
  await page.getByTestId('conversation-settings').click();
  const panel = page.getByTestId('settings-panel');
  await panel.getByText(/Advanced settings|Réglages avancés/).click();
  const box = panel.getByTestId('speculative-decoding');
  await expect(box).toBeChecked({ checked: !on });
  // Checked once the host has saved it (the box shows the host's value).
  await box.click();
  await expect(box).toBeChecked({ checked: on });
}

test.describe('in French at 1024x640', () => {
  test.use({ locale: 'fr-FR', viewport: { width: 1024, height: 640 } });

  test('turned off, answers say nothing of drafts; kept after a reload; on again, the statistics count them', async ({ page, webHost }) => {
    await page.goto(webHost.url);
    await page.getByTestId('new-chat').click();
    await chooseModel(page, SCRIPTED);
    await setSpeculative(page, false);
    await page.screenshot({ path: join(SHOTS, 'setting-fr-1024.png') });
    await page.getByRole('button', { name: 'Annuler' }).click();
    await ask(page, SCRIPTED_REPLY);
    const stats = page.getByTestId('answer-stats').last();
    await expect(stats).toHaveAttribute('data-tokens', String(SCRIPTED_REPLY_TOKENS.length));
    await expect(stats.locator('.stat-drafts')).toHaveCount(0);

    await page.reload();
    await setSpeculative(page, true);
    await page.getByRole('button', { name: 'Annuler' }).click();
    await ask(page, SCRIPTED_REPLY);
    const drafted = DRAFTED;
    await expect(page.getByTestId('answer-stats').last().locator('.stat-drafts')).toHaveText(`${drafted} jetons anticipés acceptés sur ${drafted}`);
    await expect(page.getByTestId('answer-stats').last()).toBeInViewport();
    await page.screenshot({ path: join(SHOTS, 'stats-fr-1024.png'), animations: 'disabled' });
  });
});

test.describe('in English at 1280x800', () => {
  test.use({ locale: 'en-US', viewport: { width: 1280, height: 800 } });

  test('the setting and the statistics line', async ({ page, webHost }) => {
    await page.goto(webHost.url);
    await page.getByTestId('new-chat').click();
    await chooseModel(page, SCRIPTED);
    await ask(page, SCRIPTED_REPLY);
    const drafted = DRAFTED;
    await expect(page.getByTestId('answer-stats').last().locator('.stat-drafts')).toHaveText(`${drafted} of ${drafted} drafted tokens accepted`);
    await expect(page.getByTestId('answer-stats').last()).toBeInViewport();
    await page.screenshot({ path: join(SHOTS, 'stats-en-1280.png'), animations: 'disabled' });
    await page.getByTestId('conversation-settings').click();
    await page.getByTestId('settings-panel').getByText('Advanced settings').click();
    await expect(page.getByTestId('speculative-decoding')).toBeChecked();
    await page.screenshot({ path: join(SHOTS, 'setting-en-1280.png') });
  });
});
