/**
 * Moving to a new computer, in French at 1024x640: a full backup saved from one web host and
 * restored into a fresh one that has a conversation of its own: both are there afterwards, the
 * summary says what was restored, and a second restore adds nothing.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { ConversationService } from '../../electron/services/conversations/conversation-service.ts';
import { CONVERSATIONS_DB_FILE_NAME } from '../../electron/services/conversations/open-conversations.ts';
import { openDatabase } from '../../electron/services/platform/db/database.ts';
import { startBuiltWebHost } from '../support/built-web-host.ts';
import { expect, test } from './web-host.fixture.ts';
import { shotsDir } from './shots.ts';

// A web host and data folder of its own (see web-host.fixture.ts).
test.use({ webHostSpec: import.meta.filename });
test.use({ locale: 'fr-FR', viewport: { width: 1024, height: 640 } });

const SHOTS = shotsDir('backup');
mkdirSync(SHOTS, { recursive: true });

function withConversations(dataDir: string, write: (service: ConversationService) => void): void {
  mkdirSync(dataDir, { recursive: true });
  const { db } = openDatabase(join(dataDir, CONVERSATIONS_DB_FILE_NAME));
  write(new ConversationService(db));
  db.close();
}

function conversation(service: ConversationService, title: string, question: string, answer: string): void {
  const c = service.create({ title });
  const asked = service.addMessage(c.id, { parentId: null, role: 'user', content: question }).id;
  service.addMessage(c.id, { parentId: asked, role: 'assistant', content: answer });
}

const item = (page: Page, title: string) => page.getByTestId('conversation-item').filter({ hasText: title });

async function openTransferMenu(page: Page): Promise<void> {
  const menu = page.locator('.transfer-menu');
  if ((await menu.getAttribute('open')) === null) await menu.locator('summary').click();
}

test('a full backup saved on one computer restores on another, next to what is there, once', async ({ page, webHost }) => {
  withConversations(webHost.dataDir, (service) => {
    conversation(service, 'Devis pour la mairie', 'Rédige un devis', 'Voici un devis.');
    conversation(service, 'Atelier du jeudi', 'Prépare le plan', 'Voici le plan.');
  });
  await page.goto(webHost.url);
  await expect(item(page, 'Atelier du jeudi')).toBeVisible();
  await openTransferMenu(page);
  // At 1024x640 the opened menu comes into sight below the list.
  await expect(page.getByTestId('backup')).toBeInViewport({ ratio: 1 });
  await page.screenshot({ path: join(SHOTS, 'backup-menu-fr-1024.png') });
  const downloading = page.waitForEvent('download');
  await page.getByTestId('backup').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^enclave-backup-\d{4}-\d{2}-\d{2}\.zip$/);
  const files = mkdtempSync(join(tmpdir(), 'enclave-e2e-backup-'));
  const zip = join(files, download.suggestedFilename());
  await download.saveAs(zip);

  // The new computer: a fresh web host with a conversation of its own.
  const newDataDir = join(files, 'new-computer');
  withConversations(newDataDir, (service) => conversation(service, 'Notes du nouveau poste', 'Bonjour', 'Bonjour !'));
  mkdirSync(join(newDataDir, 'models'), { recursive: true });
  const fresh = await startBuiltWebHost(newDataDir, join(newDataDir, 'models'));
  try {
    await page.goto(fresh.url);
    await expect(item(page, 'Notes du nouveau poste')).toBeVisible();
    await expect(item(page, 'Devis pour la mairie')).toHaveCount(0);
    await openTransferMenu(page);
    await page.getByTestId('restore-backup').setInputFiles(zip);
    const result = page.getByTestId('import-result');
    await expect(result).toContainText('2 conversations restaurées.');
    for (const title of ['Devis pour la mairie', 'Atelier du jeudi', 'Notes du nouveau poste']) await expect(item(page, title)).toBeVisible();
    await page.screenshot({ path: join(SHOTS, 'backup-restored-fr-1024.png') });
    await result.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'backup-summary-fr-1024.png') });

    await item(page, 'Devis pour la mairie').locator('.conversation-open').click();
    await expect(page.getByTestId('message-assistant')).toContainText('Voici un devis.');

    await openTransferMenu(page);
    await page.getByTestId('restore-backup').setInputFiles(zip);
    await expect(result).toContainText('0 conversation restaurée.');
    await expect(result).toContainText('2 conversations étaient déjà importées, sans changement.');
    await expect(page.getByTestId('conversation-item')).toHaveCount(3);
  } finally {
    await fresh.stop();
    rmSync(files, { recursive: true, force: true });
  }
});
