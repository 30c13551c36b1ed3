// Privacy in a real browser: a model that answers with hostile markup renders inert and the page
// makes no request outside its origin; links open only after the full address is confirmed; the
// Privacy page shows the promise, the Offline switch and the network log, and exports the report.
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { writeBigramModel } from '../fixtures/gguf/scripted.ts';
import { ContractClient } from '../support/web-host-process.ts';
import { expect, test } from './web-host.fixture.ts';
import { chooseModel } from './model-menu.ts';
import { shotsDir } from './shots.ts';

const SHOTS = shotsDir('privacy');
/** The library and privacy screenshots, taken together. */
const LIBRARY_SHOTS = shotsDir('library');
const HOSTILE_MODEL = 'enclave-hostile.gguf';
/** The model's whole answer, one bigram token per line: each must render as inert text. */
const HOSTILE_SCRIPT = [
  'Here is my answer.\n\n',
  '<script>window.__xss = 1</script>\n\n',
  '<img src="https://evil.example/onerror.png" onerror="window.__xss = 2">\n\n',
  '![tracking pixel](https://evil.example/pixel.png)\n\n',
  '<iframe src="https://evil.example/frame"></iframe>\n\n',
  '[run me](javascript:window.__xss=3)\n\n',
  '[local file](file:///etc/passwd)\n\n',
  '[look-alike](https://\u0430pple.com/login)\n\n',
  '<a href="https://evil.example/raw" onclick="window.__xss=4">raw anchor</a>\n\n',
  '<svg onload="window.__xss=5"></svg>\n\n',
  '<style>body{background:url(https://evil.example/bg.png)}</style>\n\n',
  '[the docs](https://example.com/docs)',
];

// A web host and data folder of its own (see web-host.fixture.ts).
test.use({ webHostSpec: import.meta.filename });
test.use({ locale: 'en-US' });

test.beforeAll(async ({ webHost }) => {
  mkdirSync(SHOTS, { recursive: true });
  mkdirSync(LIBRARY_SHOTS, { recursive: true });
  await writeBigramModel(join(webHost.modelsDir, HOSTILE_MODEL), { name: 'Enclave Hostile', script: HOSTILE_SCRIPT, loop: false });
  const client = await ContractClient.connect(webHost.url);
  await client.call('models.rescan', {});
  client.close();
});

async function ask(page: Page, model: string, text: string): Promise<void> {
  await chooseModel(page, model);
  await page.getByTestId('composer').fill(text);
  await page.getByTestId('composer').press('Enter');
}

test('hostile model output renders inert, and no request leaves the page origin', async ({ page, context, webHost }) => {
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  // A confirmed link opens a new page; the test answers it locally instead of the network.
  await context.route('https://example.com/**', (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'opened' }));
  await page.goto(webHost.url);
  await ask(page, HOSTILE_MODEL, 'Say something dangerous');
  const answer = page.getByTestId('message-assistant').last();
  await expect(answer).toHaveAttribute('data-state', 'done');
  await expect(answer).toContainText('<script>window.__xss = 1</script>');
  await expect(answer).toContainText('raw anchor');
  await expect(answer.locator('script, img, iframe, svg, style, a, object, embed')).toHaveCount(0);
  await page.screenshot({ path: join(SHOTS, 'hostile-answer.png'), fullPage: true });

  // Refused links stay text; clicking them does nothing.
  const links = answer.getByTestId('safe-link');
  await expect(answer.locator('[data-testid="safe-link"][data-safe="false"]')).toHaveCount(3);
  for (const refused of await answer.locator('[data-testid="safe-link"][data-safe="false"]').all()) await refused.click();
  await expect(page.getByTestId('link-confirm')).toHaveCount(0);

  // The https link asks first, showing the full address; Cancel opens nothing.
  const docs = links.filter({ hasText: 'the docs' });
  await docs.click();
  await expect(page.getByTestId('link-confirm-url')).toHaveText('https://example.com/docs');
  await expect(page.getByTestId('link-confirm-host')).toHaveText('example.com');
  await page.screenshot({ path: join(SHOTS, 'link-confirm.png') });
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('link-confirm')).toHaveCount(0);
  expect(context.pages()).toHaveLength(1);

  // Confirmed: a new page, with no handle back to this one.
  await docs.click();
  const popup = context.waitForEvent('page');
  await page.getByTestId('link-confirm-open').click();
  const opened = await popup;
  await expect.poll(() => opened.url()).toContain('example.com/docs');
  expect(await opened.evaluate(() => (globalThis as { opener?: unknown }).opener)).toBeNull();
  await opened.close();

  expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
  const foreign = requests.filter((url) => !url.startsWith(webHost.url));
  console.info(`hostile output: ${requests.length} requests from the page, ${foreign.length} outside its origin`);
  expect(foreign).toEqual([]);
});

test('the Privacy page: promise, Offline switch, network log and the exported report', async ({ page, webHost }) => {
  await page.goto(`${webHost.url}/#/privacy`);
  await expect(page.getByRole('heading', { name: 'Nothing leaves this computer' })).toBeVisible();
  const offline = page.getByTestId('offline-switch');
  await expect(offline).not.toBeChecked();
  await expect(page.getByTestId('offline-badge')).toHaveCount(0);
  await offline.check();
  await expect(offline).toBeChecked();
  // Offline shows in the shell, on every page, and leads back here.
  await page.getByTestId('nav-chat').click();
  await expect(page.getByTestId('offline-badge')).toHaveText('Offline');
  await page.getByTestId('offline-badge').click();

  // A download asked for while offline is refused before any connection, and logged; the entry
  // reaches the open page as an event (no refresh, no polling).
  const client = await ContractClient.connect(webHost.url);
  await client.call('downloads.start', { catalogId: 'qwen3-0.6b', quant: 'Q4_K_M' });
  client.close();
  await expect(page.getByTestId('privacy-log').locator('tr[data-outcome="blocked-offline"]').first()).toBeVisible({ timeout: 10_000 });
  await expect(page.getByTestId('privacy-log')).toContainText('Refused (offline)');
  await expect(page.getByTestId('privacy-summary')).toContainText('allowed: 0');
  // The summary counts what the table shows: its entries, then what they are.
  const rows = await page.getByTestId('privacy-log').locator('tbody tr').count();
  await expect(page.getByTestId('privacy-summary')).toContainText(new RegExp(`^${rows} (entry|entries) in the log below: \\d+ connection attempts? `));
  await expect(page.getByText('becomes egress-log.1.jsonl')).toBeVisible();
  await page.screenshot({ path: join(SHOTS, 'privacy-en.png'), fullPage: true });
  await page.screenshot({ path: join(LIBRARY_SHOTS, 'privacy-en.png'), fullPage: true });

  const download = page.waitForEvent('download');
  await page.getByTestId('privacy-export').click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^enclave-network-report-\d{4}-\d{2}-\d{2}\.txt$/);
  const report = await readFile((await file.path()) as string, 'utf8');
  expect(report).toContain('Result: no data left this machine. No connection was allowed.');
  expect(report).toContain('Offline mode: on');
  expect(report).toMatch(/Refused \(offline\)\thttps?:\/\//);

  await page.getByTestId('language-switch').selectOption('fr');
  await expect(page.getByRole('heading', { name: 'Rien ne quitte cet ordinateur' })).toBeVisible();
  await expect(page.getByTestId('privacy-log')).toContainText('Refusée (hors ligne)');
  await page.screenshot({ path: join(SHOTS, 'privacy-fr.png'), fullPage: true });
  await page.screenshot({ path: join(LIBRARY_SHOTS, 'privacy-fr.png'), fullPage: true });
  await expect(page.getByTestId('offline-badge')).toHaveText('Hors ligne');
  await offline.uncheck();
  await expect(offline).not.toBeChecked();
  await expect(page.getByTestId('offline-badge')).toHaveCount(0);
});
