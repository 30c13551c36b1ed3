/**
 * Importing a ChatGPT export in Chromium, in French at 1024x640: the .zip as ChatGPT delivers it,
 * every kind of turn kept, a second import adding nothing, a wrong file refused in French, and a
 * large export followed with progress and cancelled.
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { chatGptConversation, text, writeLargeExport, writeZip } from '../support/chatgpt-export.ts';
import { expect, test } from './web-host.fixture.ts';
import { shotsDir } from './shots.ts';

// A web host and data folder of its own (see web-host.fixture.ts).
test.use({ webHostSpec: import.meta.filename });
test.use({ locale: 'fr-FR', viewport: { width: 1024, height: 640 } });

const SHOTS = shotsDir('import');
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'chatgpt', 'conversations.json');
const files = mkdtempSync(join(tmpdir(), 'enclave-e2e-import-files-'));
mkdirSync(SHOTS, { recursive: true });

const item = (page: Page, title: string) => page.getByTestId('conversation-item').filter({ hasText: title });

const CODE_CONVERSATION = chatGptConversation('c-code', 'Code à expliquer', [
  { role: 'user', content: text('Que fait ce code ?') },
  { role: 'assistant', content: text('Envoyez-le.') },
  { role: 'user', content: { content_type: 'code', language: 'python', text: 'print(sum(range(10)))' } },
  { role: 'assistant', content: text('Il affiche 45.') },
]);

/** The conversations in the sidebar once it has loaded them (a short list: every row is rendered). */
async function listedConversations(page: Page): Promise<number> {
  const list = page.getByTestId('conversation-list');
  await expect(list.or(page.getByTestId('conversations-empty'))).toBeVisible();
  if (await list.isVisible()) await expect(page.getByTestId('conversation-item').first()).toBeVisible();
  return page.getByTestId('conversation-item').count();
}

async function chooseFile(page: Page, path: string): Promise<void> {
  const menu = page.locator('.transfer-menu');
  if ((await menu.getAttribute('open')) === null) await menu.locator('summary').click();
  await page.getByTestId('import-chatgpt').setInputFiles(path);
}

test('the .zip ChatGPT delivers imports with every turn, and importing it again adds nothing', async ({ page, webHost }) => {
  const zip = join(files, 'chatgpt-export.zip');
  const conversations = [...(JSON.parse(readFileSync(FIXTURE, 'utf8')) as object[]), CODE_CONVERSATION];
  await writeZip(zip, { 'chat.html': '<html></html>', 'conversations.json': JSON.stringify(conversations) });
  await page.goto(webHost.url);
  await chooseFile(page, zip);
  await expect(page.getByTestId('import-result')).toContainText('3 nouvelles conversations importées.');
  await page.screenshot({ path: join(SHOTS, 'import-done-fr-1024.png') });

  await item(page, 'Code à expliquer').locator('.conversation-open').click();
  // The user's turn that was code is there, as code: four turns, not three.
  await expect(page.getByTestId('message-user')).toHaveCount(2);
  await expect(page.getByTestId('message-assistant')).toHaveCount(2);
  await expect(page.getByTestId('message-user').last()).toContainText('print(sum(range(10)))');
  await page.screenshot({ path: join(SHOTS, 'code-turn-fr-1024.png') });

  await chooseFile(page, zip);
  await expect(page.getByTestId('import-result')).toContainText('0 nouvelle conversation importée.');
  await expect(page.getByTestId('import-result')).toContainText('3 conversations étaient déjà importées, sans changement.');
  await expect(item(page, 'Trip to Lyon')).toHaveCount(1);
  await expect(page.getByTestId('conversation-item')).toHaveCount(3);
  await page.screenshot({ path: join(SHOTS, 'import-again-fr-1024.png') });
});

test('a zip that is not a ChatGPT export is refused in French, and nothing changes', async ({ page, webHost }) => {
  const zip = join(files, 'photos.zip');
  await writeZip(zip, { 'photo.txt': 'not an export' });
  await page.goto(webHost.url);
  const before = await listedConversations(page);
  await chooseFile(page, zip);
  const banner = page.getByTestId('error-banner');
  await expect(banner).toHaveAttribute('data-code', 'IMPORT_INVALID');
  await expect(banner).toContainText('Ce fichier n’est ni un export ChatGPT');
  await expect(page.getByTestId('conversation-item')).toHaveCount(before);
  await page.screenshot({ path: join(SHOTS, 'import-refused-fr-1024.png') });
});

test('a large export shows its progress and can be cancelled, keeping what was imported', async ({ page, webHost }) => {
  const path = join(files, 'conversations.json');
  const turn = 'Une longue réponse de travail. '.repeat(60);
  await writeLargeExport(path, 4_000, (index) =>
    chatGptConversation(`big-${index}`, `Grande ${index}`, [
      { role: 'user', content: text(`Question ${index}`) },
      ...Array.from({ length: 8 }, () => ({ role: 'assistant' as const, content: text(turn) })),
    ]),
  );
  await page.goto(webHost.url);
  await chooseFile(page, path);
  const progress = page.getByTestId('import-progress');
  // Reading, with conversations already imported: a count that does not start with 0.
  await expect(progress).toContainText(/Importation… .* · [1-9][\d\u202f\u00a0]* conversations? pour l’instant/);
  await page.screenshot({ path: join(SHOTS, 'import-progress-fr-1024.png') });
  await page.getByTestId('import-cancel').click();
  await expect(page.getByTestId('import-result')).toContainText('Importation annulée');
  const kept = Number(/(\d[\d\u202f\u00a0]*) nouvelles? conversations? conservées?/.exec((await page.getByTestId('import-result').textContent()) ?? '')?.[1]?.replace(/\D/g, '') ?? -1);
  expect(kept).toBeGreaterThan(0);
  expect(kept).toBeLessThan(4_000);
  await page.screenshot({ path: join(SHOTS, 'import-cancelled-fr-1024.png') });
});
