/**
 * The first hour at the keyboard, in French at 1024x640: search that lists each conversation once
 * and is worked with the arrow keys, the edit box that sends like the composer, and a skip link to
 * the message box. Screenshots go to /tmp/shots-first-hour.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { ConversationService } from '../../electron/services/conversations/conversation-service.ts';
import { CONVERSATIONS_DB_FILE_NAME } from '../../electron/services/conversations/open-conversations.ts';
import { openDatabase } from '../../electron/services/platform/db/database.ts';
import { chooseModel } from './model-menu.ts';
import { expect, test } from './web-host.fixture.ts';
import { shotsDir } from './shots.ts';

const SHOTS = shotsDir('first-hour');
const SCRIPTED = 'enclave-scripted.gguf';

// A web host and data folder of its own (see web-host.fixture.ts).
test.use({ webHostSpec: import.meta.filename });
test.use({ locale: 'fr-FR', viewport: { width: 1024, height: 640 } });
test.beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
});

function seed(dataDir: string, work: (service: ConversationService) => void): void {
  const { db } = openDatabase(join(dataDir, CONVERSATIONS_DB_FILE_NAME));
  try {
    work(new ConversationService(db));
  } finally {
    db.close();
  }
}

async function send(page: Page, text: string): Promise<void> {
  await page.getByTestId('composer').fill(text);
  await page.getByTestId('composer').press('Enter');
}

test('search lists each conversation once, with its number of matches, and is worked with the arrow keys and Enter', async ({ page, webHost }) => {
  seed(webHost.dataDir, (service) => {
    const garden = service.create({ title: 'Potager' });
    const question = service.addMessage(garden.id, { parentId: null, role: 'user', content: 'Quand planter les tomates ?' });
    service.addMessage(garden.id, { parentId: question.id, role: 'assistant', content: 'Plantez les tomates en mai.' });
    // An edited question: another branch of the same conversation.
    service.addMessage(garden.id, { parentId: null, role: 'user', content: 'Et les tomates en pot ?' });
    const kitchen = service.create({ title: 'Cuisine' });
    service.addMessage(kitchen.id, { parentId: null, role: 'user', content: 'Une sauce tomate rapide ?' });
  });
  await page.goto(webHost.url);
  await expect(page.getByTestId('conversation-item')).toHaveCount(2);
  await page.keyboard.press('Control+k');
  const box = page.getByTestId('conversation-search');
  await expect(box).toBeFocused();
  await page.keyboard.type('tomat');

  const hits = page.getByRole('listbox', { name: 'Résultats de la recherche' }).getByRole('option');
  await expect(hits).toHaveCount(2);
  await expect(hits.filter({ hasText: 'Potager' })).toContainText('3 messages correspondants');
  await expect(hits.filter({ hasText: 'Cuisine' })).not.toContainText('correspondant');
  await expect(box).toHaveAttribute('aria-expanded', 'true');

  await page.keyboard.press('ArrowDown');
  await expect(hits.nth(0)).toHaveAttribute('aria-selected', 'true');
  await expect(box).toHaveAttribute('aria-activedescendant', (await hits.nth(0).getAttribute('id')) ?? 'none');
  await page.keyboard.press('ArrowDown');
  await expect(hits.nth(1)).toHaveAttribute('aria-selected', 'true');
  await expect(hits.nth(0)).toHaveAttribute('aria-selected', 'false');
  await page.screenshot({ path: join(SHOTS, 'search-fr-1024.png') });
  const chosen = (await hits.nth(1).locator('.search-hit-title').textContent()) ?? '';
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('chat-title')).toHaveText(chosen);
  await expect(box).toBeFocused();
  // Up from the first result wraps to the last one.
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowUp');
  await expect(hits.nth(1)).toHaveAttribute('aria-selected', 'true');
});

test('the edit box sends with Enter and Ctrl+Enter, and Shift+Enter adds a line', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await page.getByTestId('new-chat').click();
  await chooseModel(page, SCRIPTED);
  await send(page, 'Premier essai');
  await expect(page.getByTestId('message-assistant').last()).toHaveAttribute('data-state', 'done');

  await page.getByTestId('message-user').getByTestId('edit-message').click();
  const edit = page.getByTestId('edit-input');
  await expect(edit).toBeFocused();
  await edit.fill('Ligne un');
  await edit.press('Shift+Enter');
  await page.keyboard.type('ligne deux');
  await expect(edit).toHaveValue('Ligne un\nligne deux');
  await edit.press('Enter');
  await expect(page.getByTestId('message-user').getByTestId('alternative-position')).toHaveText('2 / 2');
  await expect(page.getByTestId('message-user').locator('.message-content')).toHaveText('Ligne un\nligne deux');
  await expect(page.getByTestId('message-assistant').last()).toHaveAttribute('data-state', 'done');

  await page.getByTestId('message-user').getByTestId('edit-message').click();
  await page.getByTestId('edit-input').fill('Troisième essai');
  await page.getByTestId('edit-input').press('Control+Enter');
  await expect(page.getByTestId('message-user').getByTestId('alternative-position')).toHaveText('3 / 3');
  await expect(page.getByTestId('message-user')).toContainText('Troisième essai');
});

test('the first Tab reaches a skip link that takes the keyboard to the message box', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await chooseModel(page, SCRIPTED);
  await page.reload();
  // The composer takes the focus once the model is ready; the keyboard user then starts again from the top of the page
  // (the page itself focused, as a browser does when its address bar hands over the focus).
  await expect(page.getByTestId('composer')).toBeFocused();
  await page.evaluate("document.body.tabIndex = -1; document.body.focus(); document.body.removeAttribute('tabindex')");
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Aller à la zone de saisie' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.screenshot({ path: join(SHOTS, 'skip-link-fr-1024.png') });
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('composer')).toBeFocused();
  // The route did not change: still the chat.
  expect(new URL(page.url()).hash).not.toBe('#composer');
});

test('typing in the search box as the page opens is not interrupted when the model becomes ready', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await chooseModel(page, SCRIPTED);
  // The host's answer to the models list is held back, so the model becomes ready only once the user is typing.
  let release = (): void => {};
  await page.routeWebSocket(/\/ws$/, (ws) => {
    const server = ws.connectToServer();
    let listCallId: number | null = null;
    let released = false;
    const held: string[] = [];
    ws.onMessage((message) => {
      if (typeof message === 'string' && message.includes('"command":"models.list"')) listCallId = (JSON.parse(message) as { id: number }).id;
      server.send(message);
    });
    server.onMessage((message) => {
      const frame = typeof message === 'string' ? (JSON.parse(message) as { type: string; id?: number }) : null;
      if (!released && frame?.type === 'result' && frame.id === listCallId) held.push(message as string);
      else ws.send(message);
    });
    release = () => {
      released = true;
      for (const message of held) ws.send(message);
    };
  });
  await page.reload();
  const search = page.getByTestId('conversation-search');
  await search.click();
  await page.keyboard.type('Bonj');
  await expect(page.getByTestId('composer')).toHaveAttribute('placeholder', 'Sélectionnez un modèle pour commencer');
  release();
  await expect(page.getByTestId('composer')).toHaveAttribute('placeholder', 'Écrivez un message…');
  await page.keyboard.type('our');
  await expect(search).toBeFocused();
  await expect(search).toHaveValue('Bonjour');
});
