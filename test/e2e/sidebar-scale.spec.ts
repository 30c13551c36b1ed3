/**
 * A heavy user's sidebar, in French at 1024x640: with 10,000 conversations only a window of rows
 * is in the DOM, scrolling reaches the last one, and the keyboard moves through rows that were not
 * rendered yet.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { seedConversations, seededTitle } from '../support/seed-conversations.ts';
import { expect, test } from './web-host.fixture.ts';
import { shotsDir } from './shots.ts';

// A web host and data folder of its own (see web-host.fixture.ts).
test.use({ webHostSpec: import.meta.filename });
test.use({ locale: 'fr-FR', viewport: { width: 1024, height: 640 } });

const SHOTS = shotsDir('conversations');
const COUNT = 10_000;
/** Far fewer rows than conversations: what a window of a few screens holds. */
const MAX_ROWS_IN_DOM = 100;
mkdirSync(SHOTS, { recursive: true });

test('10,000 conversations: a window of rows in the DOM, the last one reached by scrolling and by the keyboard', async ({ page, webHost }) => {
  seedConversations(webHost.dataDir, COUNT);
  await page.goto(webHost.url);
  const rows = page.getByTestId('conversation-item');
  const row = (n: number) => rows.filter({ has: page.getByText(seededTitle(n), { exact: true }) });
  await expect(row(1)).toBeVisible();
  await expect(page.locator('.conversation-group-title').first()).toHaveText(/plus ancien/i);
  const rendered = await rows.count();
  expect(rendered).toBeGreaterThan(5);
  expect(rendered).toBeLessThan(MAX_ROWS_IN_DOM);
  await page.screenshot({ path: join(SHOTS, 'sidebar-10000-fr-1024.png') });

  // Scrolling to the end brings the oldest conversation, and still only a window of rows.
  await page.getByTestId('conversation-list').evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
  await expect(row(COUNT)).toBeVisible();
  expect(await rows.count()).toBeLessThan(MAX_ROWS_IN_DOM);
  await expect(row(1)).toHaveCount(0);
  await page.screenshot({ path: join(SHOTS, 'sidebar-10000-end-fr-1024.png') });

  // The keyboard: Home back to the first, the arrows row by row, End to the last, Enter opens it.
  await row(COUNT).locator('.conversation-open').focus();
  await page.keyboard.press('Home');
  await expect(row(1).locator('.conversation-open')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(row(3).locator('.conversation-open')).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(row(2).locator('.conversation-open')).toBeFocused();
  await page.keyboard.press('End');
  await expect(row(COUNT).locator('.conversation-open')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('chat-title')).toHaveText(seededTitle(COUNT));
  await expect(row(COUNT)).toHaveAttribute('aria-current', 'page');
});
