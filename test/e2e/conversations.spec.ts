/**
 * Conversations in Chromium against the web host: saved across reloads, rename, pin, search,
 * delete with undo, branches, markdown, dates, keyboard, themes, hostile model output, a
 * 5,000-message conversation, a database from a newer Enclave.
 * Tests seed the host's real database file directly where typing would take too long.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { ConversationService } from '../../electron/services/conversations/conversation-service.ts';
import { openDatabase } from '../../electron/services/platform/db/database.ts';
import { SCHEMA_VERSION } from '../../electron/services/platform/db/migrations.ts';
import { CONVERSATIONS_DB_FILE_NAME } from '../../electron/services/conversations/open-conversations.ts';
import { SCRIPTED_REPLY, writeBigramModel } from '../fixtures/gguf/index.ts';
import { startBuiltWebHost } from '../support/built-web-host.ts';
import { waitUntil } from '../support/wait-until.ts';
import { expect, test } from './web-host.fixture.ts';
import { chooseModel, modelOption, openModelMenu, rescanModels } from './model-menu.ts';
import { shotsDir } from './shots.ts';

// A web host and data folder of its own (see web-host.fixture.ts).
test.use({ webHostSpec: import.meta.filename });
test.use({ locale: 'en-US' });

const SCRIPTED = 'enclave-scripted.gguf';
const MARKDOWN_MODEL = 'enclave-markdown.gguf';
/** The markdown model's answer, one distinct token per entry (a bigram script needs distinct tokens). */
const MARKDOWN_SCRIPT = [
  'Here',
  ' is',
  ' a',
  ' **bold**',
  ' answer',
  ' with',
  ' code:\n\n',
  '```ts\n',
  'const answer = 42;\n',
  '```\n\n',
  '| Model | Size |\n',
  '| --- | --- |\n',
  '| Qwen | 7B |\n\n',
  '- first\n',
  '- second',
];
const SHOTS = shotsDir('conversations');

function withService<T>(dataDir: string, work: (service: ConversationService) => T): T {
  const { db } = openDatabase(join(dataDir, CONVERSATIONS_DB_FILE_NAME));
  try {
    return work(new ConversationService(db));
  } finally {
    db.close();
  }
}

async function send(page: Page, text: string): Promise<void> {
  await page.getByTestId('composer').fill(text);
  await page.getByTestId('composer').press('Enter');
}

const item = (page: Page, title: string) => page.getByTestId('conversation-item').filter({ hasText: title });

/** The text saved so far of the answer still being written, read from the host's database file as it runs. */
function savedPartialAnswer(dataDir: string): string {
  const db = new DatabaseSync(join(dataDir, CONVERSATIONS_DB_FILE_NAME), { readOnly: true });
  try {
    const row = db.prepare("SELECT content FROM messages WHERE role = 'assistant' AND state = 'generating'").get() as { content: string } | undefined;
    return row?.content ?? '';
  } finally {
    db.close();
  }
}

test.beforeAll(async ({ webHost }) => {
  await writeBigramModel(join(webHost.modelsDir, MARKDOWN_MODEL), { name: 'Enclave Markdown', script: MARKDOWN_SCRIPT, loop: false });
  mkdirSync(SHOTS, { recursive: true });
});

test('a conversation is saved: reload, rename, search, delete and undo', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await chooseModel(page, SCRIPTED);
  await send(page, 'Tell me about the lighthouse keeper');
  await expect(page.getByTestId('message-assistant').last()).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('message-assistant').last()).toContainText(SCRIPTED_REPLY);
  await expect(item(page, 'Tell me about the lighthouse keeper')).toBeVisible();
  await expect(page.locator('[data-row][data-group="today"]').filter({ hasText: 'Tell me about the lighthouse keeper' })).toHaveCount(1);

  // Reload: the open conversation and its messages come back from the database.
  await page.reload();
  await expect(page.getByTestId('message-user')).toHaveText(/Tell me about the lighthouse keeper/);
  await expect(page.getByTestId('message-assistant')).toContainText(SCRIPTED_REPLY);
  await expect(page.getByTestId('answer-stats')).toHaveAttribute('data-tokens', '9');

  // Rename.
  await item(page, 'lighthouse').getByTestId('rename-conversation').click();
  await page.getByTestId('rename-input').fill('Lighthouse notes');
  await page.getByTestId('rename-input').press('Enter');
  await expect(item(page, 'Lighthouse notes')).toBeVisible();
  await expect(page.getByTestId('chat-title')).toHaveText('Lighthouse notes');

  // Pin: it moves to the pinned group.
  await item(page, 'Lighthouse notes').getByTestId('pin-conversation').click();
  await expect(page.locator('[data-row][data-group="pinned"]').filter({ hasText: 'Lighthouse notes' })).toHaveCount(1);

  // Search (Ctrl+K) finds a word by its start, in any conversation, and opens its conversation.
  await page.getByTestId('new-chat').click();
  await expect(page.getByTestId('empty-conversation')).toBeVisible();
  await page.keyboard.press('Control+k');
  await expect(page.getByTestId('conversation-search')).toBeFocused();
  await page.keyboard.type('keep');
  const hit = page.getByTestId('search-hit').filter({ hasText: 'Lighthouse notes' });
  await expect(hit).toHaveCount(1);
  await expect(hit.locator('mark')).toHaveText('keeper');
  await hit.click();
  await expect(page.getByTestId('message-assistant')).toContainText(SCRIPTED_REPLY);
  await page.getByTestId('conversation-search').fill('zzzznothing');
  await expect(page.getByTestId('search-empty')).toBeVisible();
  await page.getByTestId('conversation-search').fill('');

  // Delete, then undo: it comes back with its messages.
  await item(page, 'Lighthouse notes').getByTestId('delete-conversation').click();
  await expect(item(page, 'Lighthouse notes')).toHaveCount(0);
  await expect(page.getByTestId('undo-toast')).toBeVisible();
  await page.getByTestId('undo-delete').click();
  await item(page, 'Lighthouse notes').locator('.conversation-open').click();
  await expect(page.getByTestId('message-assistant')).toContainText(SCRIPTED_REPLY);
});

test('regenerate keeps alternatives; editing a question starts a branch', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await page.getByTestId('new-chat').click();
  await chooseModel(page, SCRIPTED);
  await send(page, 'First try');
  const answer = page.getByTestId('message-assistant').last();
  await expect(answer).toHaveAttribute('data-state', 'done');
  await answer.getByTestId('regenerate').click();
  await expect(page.getByTestId('message-assistant').last()).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('message-assistant').last().getByTestId('alternative-position')).toHaveText('2 / 2');
  await page.getByTestId('message-assistant').last().getByTestId('previous-alternative').click();
  await expect(page.getByTestId('message-assistant').last().getByTestId('alternative-position')).toHaveText('1 / 2');

  await page.getByTestId('message-user').getByTestId('edit-message').click();
  await page.getByTestId('edit-input').fill('Second try');
  await page.getByTestId('edit-send').click();
  await expect(page.getByTestId('message-assistant').last()).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('message-user')).toContainText('Second try');
  await expect(page.getByTestId('message-user').getByTestId('alternative-position')).toHaveText('2 / 2');
  await page.getByTestId('message-user').getByTestId('previous-alternative').click();
  await expect(page.getByTestId('message-user')).toContainText('First try');
  // The first branch still has its two answers; its newest one shows.
  await expect(page.getByTestId('message-assistant').last().getByTestId('alternative-position')).toHaveText('2 / 2');

  // Delete a message: the answer goes, its alternative takes its place.
  await page.getByTestId('message-assistant').last().getByTestId('delete-message').click();
  await expect(page.getByTestId('message-assistant').last().getByTestId('alternatives')).toHaveCount(0);
});

test('markdown answers: code with a copy button, tables, lists; dates; screenshots in English and French', async ({ page, webHost }) => {
  // A desktop-sized window and older conversations, so the screenshots show the sidebar's date groups.
  await page.setViewportSize({ width: 1440, height: 1000 });
  withService(webHost.dataDir, (service) => {
    const seeded: [string, Date][] = [
      ['Planning the spring fair', new Date(2020, 0, 15, 9, 30)],
      ['Quarterly invoice wording', new Date(Date.now() - 3 * 86_400_000)],
      ['Recette de la tarte tatin', new Date(Date.now() - 86_400_000)],
    ];
    for (const [title, at] of seeded) {
      const c = service.create({ title, createdAt: at.getTime() });
      service.addMessage(c.id, { parentId: null, role: 'user', content: title, createdAt: at.getTime() });
    }
  });
  await page.goto(webHost.url);
  await rescanModels(page);
  await page.getByTestId('new-chat').click();
  await chooseModel(page, MARKDOWN_MODEL);
  await send(page, 'Show me some markdown');
  const answer = page.getByTestId('message-assistant').last();
  await expect(answer).toHaveAttribute('data-state', 'done');
  await expect(answer.locator('strong')).toHaveText('bold');
  await expect(answer.locator('pre code')).toHaveText('const answer = 42;\n');
  await expect(answer.locator('pre code .hljs-keyword')).toHaveText('const');
  await expect(answer.locator('table td').first()).toHaveText('Qwen');
  await expect(answer.locator('li')).toHaveText(['first', 'second']);
  await expect(answer.getByTestId('copy-code')).toBeVisible();
  // A second answer, so the screenshot shows branch navigation.
  await answer.getByTestId('regenerate').click();
  await expect(page.getByTestId('message-assistant').last().getByTestId('alternative-position')).toHaveText('2 / 2');
  await expect(page.getByTestId('message-assistant').last().locator('table')).toBeVisible();
  // The fence's language reached the highlighter.
  await expect(page.getByTestId('message-assistant').last().locator('pre code')).toHaveClass(/\blanguage-ts\b/);
  // Dates in the sidebar: the time today, the day (and year) before.
  const old = item(page, 'Planning the spring fair');
  await expect(old.getByTestId('conversation-time')).toHaveText('Jan 15, 2020');
  await expect(item(page, 'Show me some markdown').getByTestId('conversation-time')).toHaveText(/^\d{1,2}:\d{2}\s[AP]M$/);
  await page.screenshot({ path: join(SHOTS, 'conversation-en.png') });
  await page.getByTestId('language-switch').selectOption('fr');
  await expect(page.getByTestId('new-chat')).toHaveText('Nouvelle conversation');
  await expect(old.getByTestId('conversation-time')).toHaveText('15 janv. 2020');
  await expect(item(page, 'Show me some markdown').getByTestId('conversation-time')).toHaveText(/^\d{2}:\d{2}$/);
  await page.screenshot({ path: join(SHOTS, 'conversation-fr.png') });
  await page.getByTestId('language-switch').selectOption('en');
});

test('a ChatGPT export is imported, marked as such, continued with a local model and exported', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await page.locator('.transfer-menu summary').click();
  await page.getByTestId('import-chatgpt').setInputFiles(join(import.meta.dirname, '..', 'fixtures', 'chatgpt', 'conversations.json'));
  await expect(page.getByTestId('import-result')).toContainText('2 new conversations imported.');
  // This spec's host has seen no other import of this export: one copy.
  const imported = item(page, 'Trip to Lyon');
  await expect(imported).toHaveCount(1);
  await expect(imported.locator('.badge')).toHaveText('ChatGPT');
  await imported.locator('.conversation-open').click();
  await expect(page.getByTestId('message-assistant')).toContainText('Vieux Lyon and the traboules.');
  await chooseModel(page, SCRIPTED);
  await send(page, 'And in the evening?');
  await expect(page.getByTestId('message-assistant').last()).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('message-assistant').last()).toContainText(SCRIPTED_REPLY);

  const download = page.waitForEvent('download');
  await page.getByTestId('export-markdown').click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('Trip-to-Lyon.md');
  const text = readFileSync(await file.path(), 'utf8');
  expect(text).toContain('# Trip to Lyon');
  expect(text).toContain('## You\n\nAnd in the evening?');
  expect(text).toContain(SCRIPTED_REPLY);

  // In French, the export speaks French too.
  await page.getByTestId('language-switch').selectOption('fr');
  const frenchDownload = page.waitForEvent('download');
  await page.getByTestId('export-markdown').click();
  const french = readFileSync(await (await frenchDownload).path(), 'utf8');
  expect(french).toContain('## Vous\n\nAnd in the evening?');
  expect(french).not.toContain('## You');
  await page.getByTestId('language-switch').selectOption('en');
});

test('per-conversation settings: system prompt, presets, advanced values, saved presets', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await page.getByTestId('new-chat').click();
  await chooseModel(page, SCRIPTED);
  await page.getByTestId('conversation-settings').click();
  await page.getByTestId('system-prompt').fill('Answer like a pirate.');
  await page.getByTestId('preset-precise').click();
  await expect(page.getByTestId('preset-precise')).toHaveAttribute('aria-pressed', 'true');
  await page.locator('.settings-panel details summary').click();
  await expect(page.getByTestId('sampling-temperature')).toHaveValue('0.2');
  await page.getByTestId('sampling-seed').fill('42');
  await expect(page.getByTestId('preset-precise')).toHaveAttribute('aria-pressed', 'true');
  await page.getByTestId('preset-name').fill('Pirate precise');
  await page.getByTestId('save-preset').click();
  await expect(page.getByTestId('saved-preset')).toHaveText('Pirate precise');
  await page.getByTestId('settings-save').click();
  await expect(item(page, 'New conversation')).toBeVisible();

  await page.reload();
  await page.getByTestId('conversation-settings').click();
  await expect(page.getByTestId('system-prompt')).toHaveValue('Answer like a pirate.');
  await expect(page.getByTestId('preset-precise')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('saved-preset')).toHaveAttribute('aria-pressed', 'true');
  await page.getByTestId('preset-creative').click();
  await expect(page.getByTestId('saved-preset')).toHaveAttribute('aria-pressed', 'false');
  await page.getByTestId('saved-preset').click();
  await page.locator('.settings-panel details summary').click();
  await expect(page.getByTestId('sampling-seed')).toHaveValue('42');
  await page.screenshot({ path: join(SHOTS, 'settings-en.png') });
  await page.getByTestId('settings-save').click();
  // The answer is still the scripted one: the settings reach the engine without breaking it.
  await send(page, 'Ahoy');
  await expect(page.getByTestId('message-assistant').last()).toContainText(SCRIPTED_REPLY);
});

test('the user is told before the conversation outgrows the context window, before the model is loaded', async ({ page, webHost }) => {
  // A model no test loads: its window comes from its GGUF header (4,096 tokens).
  const unloaded = 'enclave-never-loaded.gguf';
  copyFileSync(join(webHost.modelsDir, SCRIPTED), join(webHost.modelsDir, unloaded));
  const conversationId = withService(webHost.dataDir, (service) => {
    const c = service.create({ title: 'Long enough to overflow', settings: { modelId: unloaded } });
    let parentId: string | null = null;
    // About 6,000 tokens of text, over the scripted model's 4,096-token window.
    for (let i = 0; i < 420; i++) parentId = service.addMessage(c.id, { parentId, role: i % 2 === 0 ? 'user' : 'assistant', content: `Line ${i} of a long discussion about lighthouses.` }).id;
    return c.id;
  });
  await page.goto(webHost.url);
  await rescanModels(page);
  const option = modelOption(page, unloaded);
  await expect(option).toBeVisible();
  await page.locator(`[data-conversation-id="${conversationId}"] .conversation-open`).click();
  await openModelMenu(page);
  await expect(option).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('Escape');
  const notice = page.getByTestId('context-notice');
  await expect(notice).toHaveAttribute('data-level', 'over');
  await expect(notice).toContainText('4,096 tokens');
  await expect(notice).toContainText('the oldest messages drop out of what the model sees');
  await send(page, 'Still there?');
  await expect(page.getByTestId('message-assistant').last()).toHaveAttribute('data-state', 'done');
  await expect(notice).toHaveAttribute('data-level', 'over');
  await page.screenshot({ path: join(SHOTS, 'context-notice-en.png') });
});

test('keyboard: Enter sends, Shift+Enter adds a line, Esc stops the answer, Ctrl+N starts a new chat', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await page.getByTestId('new-chat').click();
  await chooseModel(page, SCRIPTED);
  const composer = page.getByTestId('composer');
  await composer.click();
  await page.keyboard.type('First line');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.type('second line');
  await expect(composer).toHaveValue('First line\nsecond line');
  await expect(page.getByTestId('message-user')).toHaveCount(0);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('message-user')).toHaveText(/First line\s+second line/);
  await expect(composer).toHaveValue('');
  await expect(page.getByTestId('message-assistant').last()).toHaveAttribute('data-state', 'done');

  // Esc stops a streaming answer: it is kept, marked stopped.
  await chooseModel(page, 'enclave-endless.gguf');
  await composer.fill('Count for me');
  await page.keyboard.press('Enter');
  const streaming = page.getByTestId('message-assistant').last();
  await expect.poll(async () => (await streaming.textContent())?.length ?? 0).toBeGreaterThan(40);
  await page.keyboard.press('Escape');
  await expect(streaming).toHaveAttribute('data-state', 'stopped');
  await expect(page.getByTestId('send')).toBeVisible();

  // Ctrl+N: a new, empty chat; the previous one stays in the sidebar.
  await page.keyboard.press('Control+n');
  await expect(page.getByTestId('empty-conversation')).toBeVisible();
  await expect(page.getByTestId('message-user')).toHaveCount(0);
  await expect(page.locator('[data-testid="conversation-item"][aria-current="page"]')).toHaveCount(0);
  await expect(item(page, 'First line')).toBeVisible();
});

/** The page's getComputedStyle (this file is type-checked without the DOM library). */
interface ComputedStyles {
  getComputedStyle(element: unknown): { backgroundColor: string; color: string };
}

/** Relative luminance (WCAG) of a computed `rgb(r, g, b)` colour. */
function luminance(color: string): number {
  const [r = 0, g = 0, b = 0] = (color.match(/\d+(\.\d+)?/g) ?? []).map(Number).map((value) => {
    const c = value / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

test('the theme follows the system: light, then dark', async ({ page, webHost }) => {
  const colors = async () => ({
    background: await page.locator('body').evaluate((body) => (globalThis as unknown as ComputedStyles).getComputedStyle(body).backgroundColor),
    text: await page.locator('body').evaluate((body) => (globalThis as unknown as ComputedStyles).getComputedStyle(body).color),
  });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(webHost.url);
  await expect(page.getByTestId('new-chat')).toBeVisible();
  const light = await colors();
  expect(luminance(light.background)).toBeGreaterThan(0.8);
  expect(luminance(light.text)).toBeLessThan(0.1);

  // No reload: the page follows the system's switch as it happens.
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await colors();
  expect(luminance(dark.background)).toBeLessThan(0.05);
  expect(luminance(dark.text)).toBeGreaterThan(0.7);
  await page.screenshot({ path: join(SHOTS, 'dark-en.png') });
  await page.emulateMedia({ colorScheme: null });
});

/** Hostile model output: every row must render inert, with no request leaving the page. */
const XSS_TABLE = [
  '<script>window.__xss = 1</script>',
  '<img src="http://127.0.0.1:9/img-onerror.png" onerror="window.__xss = 2">',
  '[click me](javascript:window.__xss=3)',
  '![remote](http://127.0.0.1:9/remote-image.png)',
  '<iframe src="http://127.0.0.1:9/frame"></iframe>',
  '<a href="http://127.0.0.1:9/raw-link" onclick="window.__xss=4">raw link</a>',
  '[data](data:text/html,<script>window.__xss=5</script>)',
  '<svg onload="window.__xss=6"><circle r="5"/></svg>',
  '<style>body{background:url(http://127.0.0.1:9/style.png)}</style>',
];

test('hostile markdown renders inert and makes no request', async ({ page, webHost }) => {
  const conversationId = withService(webHost.dataDir, (service) => {
    const c = service.create({ title: 'Hostile output' });
    const q = service.addMessage(c.id, { parentId: null, role: 'user', content: 'Be hostile' });
    service.addMessage(c.id, { parentId: q.id, role: 'assistant', content: XSS_TABLE.join('\n\n'), modelId: SCRIPTED });
    return c.id;
  });
  const requests: string[] = [];
  await page.goto(webHost.url);
  page.on('request', (request) => requests.push(request.url()));
  await page.locator(`[data-conversation-id="${conversationId}"] .conversation-open`).click();
  const answer = page.getByTestId('message-assistant');
  await expect(answer).toContainText('raw link');
  await expect(answer.getByTestId('md-image')).toHaveText('[remote]');
  await expect(answer.locator('script, img, iframe, svg, style, a')).toHaveCount(0);
  // Links go through SafeLink: javascript:, data: and plain http stay text.
  await expect(answer.locator('[data-testid="safe-link"][data-safe="true"]')).toHaveCount(0);
  // Clicking a refused link opens nothing: no confirmation, no script (checked in a later task of the page than the click).
  await answer.getByTestId('md-link').first().click();
  await expect(page.getByTestId('link-confirm')).toHaveCount(0);
  expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
  expect(requests.filter((url) => !url.startsWith(webHost.url))).toEqual([]);
});

test('a 5,000-message conversation opens at its end with only a window of messages in the DOM', async ({ page, webHost }) => {
  const total = 5_000;
  // Recent messages: the conversation comes first in the sidebar, among the rows it renders.
  const now = Date.now();
  const conversationId = withService(webHost.dataDir, (service) => {
    const c = service.create({ title: 'Very long history' });
    let parentId: string | null = null;
    for (let i = 0; i < total; i++) {
      parentId = service.addMessage(c.id, { parentId, role: i % 2 === 0 ? 'user' : 'assistant', content: `Message number ${i}`, createdAt: now - total + i }).id;
    }
    return c.id;
  });
  await page.goto(webHost.url);
  const started = Date.now();
  await page.locator(`[data-conversation-id="${conversationId}"] .conversation-open`).click();
  await expect(page.getByText(`Message number ${total - 1}`, { exact: true })).toBeVisible();
  console.log(`opened a ${total}-message conversation in ${Date.now() - started} ms (click to last message visible)`);
  const rendered = await page.locator('[data-testid^="message-"][data-message-id]').count();
  expect(rendered).toBeGreaterThan(0);
  expect(rendered).toBeLessThan(100);
  // Scroll to the top: the first message is reachable too.
  await expect(async () => {
    await page.getByTestId('message-list').evaluate((element) => element.scrollTo({ top: 0 }));
    await expect(page.getByText('Message number 0', { exact: true })).toBeVisible({ timeout: 500 });
  }).toPass();
  expect(await page.locator('[data-testid^="message-"][data-message-id]').count()).toBeLessThan(100);
});

test('a web host killed mid-answer loses only that answer, shown as interrupted on the next start', async ({ page, webHost }) => {
  // A host of its own beside this spec's, on the same models, so the spec's host keeps serving the other tests.
  const dataDir = join(webHost.dataDir, 'killed-host');
  mkdirSync(dataDir, { recursive: true });
  const first = await startBuiltWebHost(dataDir, webHost.modelsDir);
  await page.goto(first.url);
  await chooseModel(page, 'enclave-endless.gguf');
  await send(page, 'Count until I stop you');
  const answer = page.getByTestId('message-assistant').last();
  await expect.poll(async () => (await answer.textContent())?.length ?? 0, { timeout: 20_000 }).toBeGreaterThan(200);
  // Past the first periodic save of the streamed text (about once a second): the database holds some of it.
  await waitUntil(() => savedPartialAnswer(dataDir).includes('one two three'), 'the streamed answer saved in the database');
  const exited = new Promise((resolve) => first.child.once('exit', resolve));
  first.child.kill('SIGKILL');
  await exited;

  const second = await startBuiltWebHost(dataDir, webHost.modelsDir);
  try {
    await page.goto(second.url);
    await expect(page.getByTestId('database-notice')).toContainText('1 answer was cut off');
    // Another port is another origin, without the remembered open conversation: open it.
    await item(page, 'Count until I stop you').locator('.conversation-open').click();
    // The question is saved (it titles the conversation); the long answer fills the view.
    await expect(page.getByTestId('chat-title')).toHaveText('Count until I stop you');
    const interrupted = page.getByTestId('message-assistant');
    await expect(interrupted).toHaveAttribute('data-state', 'interrupted');
    await expect(interrupted.getByTestId('interrupted-note')).toBeVisible();
    await expect(interrupted).toContainText('one two three');
  } finally {
    await second.stop();
  }
});

test('a database written by a newer Enclave is set aside, the app starts and says where it is', async ({ page, webHost }) => {
  const dataDir = join(webHost.dataDir, 'newer-database');
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, CONVERSATIONS_DB_FILE_NAME);
  withService(dataDir, (service) => service.create({ title: 'From the future' }));
  const raw = new DatabaseSync(file);
  raw.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
  raw.close();

  const host = await startBuiltWebHost(dataDir, webHost.modelsDir);
  try {
    await page.goto(host.url);
    const notice = page.getByTestId('database-notice');
    await expect(notice).toContainText('written by a newer version of Enclave');
    await expect(notice.locator('[data-reason="newerSchema"] code')).toHaveText(new RegExp(`^${file.replaceAll('.', '\\.')}\\.newer-v${SCHEMA_VERSION + 1}-\\d+$`));
    await expect(page.getByTestId('conversation-item')).toHaveCount(0);
    // The fresh database works: a new conversation is saved.
    await chooseModel(page, SCRIPTED);
    await send(page, 'A fresh start');
    await expect(page.getByTestId('message-assistant').last()).toHaveAttribute('data-state', 'done');
    await expect(item(page, 'A fresh start')).toBeVisible();
  } finally {
    await host.stop();
  }
  // The newer file is kept as it was.
  const kept = readdirSync(dataDir).filter((name) => name.startsWith(`${CONVERSATIONS_DB_FILE_NAME}.newer-v`) && !name.endsWith('-wal') && !name.endsWith('-shm'));
  expect(kept).toHaveLength(1);
  const keptDb = new DatabaseSync(join(dataDir, kept[0] ?? ''), { readOnly: true });
  expect(keptDb.prepare('SELECT title FROM conversations').all()).toEqual([{ title: 'From the future' }]);
  keptDb.close();
});
