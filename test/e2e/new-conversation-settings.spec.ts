/**
 * A new conversation's settings, in French at 1024x640: saved and sent at once they make one
 * conversation, in either order; the app's default system prompt for new conversations, shown
 * and kept, a conversation's own prompt winning. Screenshots go to /tmp/shots-first-hour.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { chooseModel } from './model-menu.ts';
import { expect, test } from './web-host.fixture.ts';
import { shotsDir } from './shots.ts';

const SHOTS = shotsDir('first-hour');
const SCRIPTED = 'enclave-scripted.gguf';

// A web host and data folder of its own (see web-host.fixture.ts).
test.use({ webHostSpec: import.meta.filename });
test.use({ locale: 'fr-FR', viewport: { width: 1024, height: 640 } });
test.describe.configure({ mode: 'serial' });
test.beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
});

async function openSettings(page: Page) {
  await page.getByTestId('conversation-settings').click();
  return page.getByTestId('settings-panel');
}

/** Clicks both buttons in one task, as fast as no user could: neither click waits for the host. */
async function clickTogether(page: Page, first: string, second: string): Promise<void> {
  await page.evaluate(`for (const id of ${JSON.stringify([first, second])}) document.querySelector('[data-testid="' + id + '"]').click()`);
}

/** Opens the open conversation's settings, checks its system prompt, and closes them. */
async function expectSystemPrompt(page: Page, prompt: string): Promise<void> {
  const panel = await openSettings(page);
  await expect(panel.getByTestId('system-prompt')).toHaveValue(prompt);
  await panel.getByRole('button', { name: 'Annuler' }).click();
}

async function expectAnswered(page: Page): Promise<void> {
  await expect(page.getByTestId('message-assistant').last()).toHaveAttribute('data-state', 'done');
}

test('settings saved and a question sent at once make one conversation, with the settings, in either order', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await page.getByTestId('new-chat').click();
  await chooseModel(page, SCRIPTED);

  // Save, then send.
  await page.getByTestId('composer').fill('Bonjour');
  await (await openSettings(page)).getByTestId('system-prompt').fill('Réponds brièvement.');
  await clickTogether(page, 'settings-save', 'send');
  await expectAnswered(page);
  await expect(page.getByTestId('conversation-item')).toHaveCount(1);
  await expectSystemPrompt(page, 'Réponds brièvement.');
  await page.reload();
  await expect(page.getByTestId('message-user')).toHaveText(/Bonjour/);
  await expectSystemPrompt(page, 'Réponds brièvement.');

  // Send, then save.
  await page.getByTestId('new-chat').click();
  await page.getByTestId('composer').fill('Salut');
  await (await openSettings(page)).getByTestId('system-prompt').fill('Sois poli.');
  await clickTogether(page, 'send', 'settings-save');
  await expectAnswered(page);
  await expect(page.getByTestId('conversation-item')).toHaveCount(2);
  await expect(page.getByTestId('message-user')).toHaveCount(1);
  await expectSystemPrompt(page, 'Sois poli.');
  await page.reload();
  await expect(page.getByTestId('message-user')).toHaveText(/Salut/);
  await expect(page.getByTestId('message-assistant')).toHaveCount(1);
  await expectSystemPrompt(page, 'Sois poli.');
});

test('a default system prompt for new conversations: shown in the settings, given to new conversations that set none; a conversation’s own prompt wins', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await page.getByTestId('new-chat').click();
  await chooseModel(page, SCRIPTED);
  let panel = await openSettings(page);
  await expect(panel.getByTestId('default-prompt-value')).toHaveText('Aucun prompt par défaut pour les nouvelles conversations.');
  await panel.getByTestId('system-prompt').fill('Tu es un assistant de rédaction.');
  await panel.getByTestId('default-prompt-save').click();
  await expect(panel.getByTestId('default-prompt-value')).toHaveText('Par défaut pour les nouvelles conversations\u00a0: Tu es un assistant de rédaction.');
  await expect(panel.getByTestId('default-prompt-save')).toBeDisabled();
  await expect(panel.getByTestId('settings-save')).toBeInViewport({ ratio: 1 });
  await page.screenshot({ path: join(SHOTS, 'default-prompt-fr-1024.png') });
  await panel.getByRole('button', { name: 'Annuler' }).click();

  // A new conversation started by its first question gets the default.
  await page.getByTestId('composer').fill('Bonjour');
  await page.getByTestId('composer').press('Enter');
  await expectAnswered(page);
  await expectSystemPrompt(page, 'Tu es un assistant de rédaction.');

  // Kept by the host: after a reload, a new conversation's settings start from it; its own prompt wins.
  await page.reload();
  await page.getByTestId('new-chat').click();
  panel = await openSettings(page);
  await expect(panel.getByTestId('system-prompt')).toHaveValue('Tu es un assistant de rédaction.');
  await panel.getByTestId('system-prompt').fill('Sois bref.');
  await panel.getByTestId('settings-save').click();
  await page.getByTestId('composer').fill('Une question');
  await page.getByTestId('composer').press('Enter');
  await expectAnswered(page);
  panel = await openSettings(page);
  await expect(panel.getByTestId('system-prompt')).toHaveValue('Sois bref.');
  await expect(page.getByTestId('default-prompt-value')).toHaveText('Par défaut pour les nouvelles conversations\u00a0: Tu es un assistant de rédaction.');

  // Removing the default: new conversations start with none.
  await page.getByTestId('system-prompt').fill('');
  await page.getByTestId('default-prompt-save').click();
  await expect(page.getByTestId('default-prompt-value')).toHaveText('Aucun prompt par défaut pour les nouvelles conversations.');
});
