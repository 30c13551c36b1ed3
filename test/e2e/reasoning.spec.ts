// A reasoning model (DeepSeek-R1's format) in a real browser: its thought segment streams apart
// from the answer, then folds away with its duration; the answer's markdown (heading, table, code
// with a copy button) renders. In English and French, with a screenshot of each.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { REASONING_THOUGHT } from '../fixtures/gguf/scripted.ts';
import { expect, test } from './web-host.fixture.ts';
import { chooseModel } from './model-menu.ts';
import { shotsDir } from './shots.ts';

// A web host and data folder of its own (see web-host.fixture.ts).
test.use({ webHostSpec: import.meta.filename });

const SHOTS = shotsDir('reasoning');

async function askReasoningModel(page: Page, url: string, question: string): Promise<void> {
  await page.goto(url);
  await chooseModel(page, 'enclave-reasoning.gguf');
  await page.getByTestId('composer').fill(question);
  await page.getByTestId('composer').press('Enter');
  await expect(page.getByTestId('message-assistant').last()).toHaveAttribute('data-state', 'done');
}

test.describe('in English', () => {
  test.use({ locale: 'en-US' });
  test('shows the reasoning apart, collapsed with its duration, and the markdown answer', async ({ page, webHost }) => {
    const thoughtFrames: string[] = [];
    page.on('websocket', (socket) =>
      socket.on('framereceived', ({ payload }) => {
        const frame = JSON.parse(String(payload)) as { event?: string; payload?: { text?: string } };
        if (frame.event === 'chat.thought') thoughtFrames.push(frame.payload?.text ?? '');
      }),
    );
    await askReasoningModel(page, webHost.url, 'Plan the tea order');
    const answer = page.getByTestId('message-assistant').last();
    const reasoning = answer.getByTestId('reasoning');
    await expect(reasoning).not.toHaveAttribute('open');
    await expect(reasoning.getByTestId('reasoning-summary')).toHaveText(/^Thought for \d/);
    await expect(reasoning.getByTestId('reasoning-text')).toBeHidden();
    await reasoning.getByTestId('reasoning-summary').click();
    await expect(reasoning.getByTestId('reasoning-text')).toHaveText(REASONING_THOUGHT);
    expect(thoughtFrames.join('')).toBe(REASONING_THOUGHT);

    // The answer is markdown, and the reasoning is not part of it.
    const content = answer.locator('.message-content');
    await expect(content.getByRole('heading', { name: 'Plan' })).toBeVisible();
    await expect(content.locator('strong')).toHaveText('tea');
    await expect(content.locator('table td').first()).toHaveText('Tea');
    await expect(content.locator('pre code')).toContainText('const total = 2;');
    await expect(content.getByRole('button', { name: /copy/i })).toBeVisible();
    await expect(content).not.toContainText(REASONING_THOUGHT);
    // Written today: the time alone, in English's 12-hour clock.
    await expect(answer.getByTestId('message-time')).toHaveText(/^\d{1,2}:\d{2}\s?[AP]M$/);

    // Reopened from the database, the reasoning is still apart.
    await page.reload();
    const reopened = page.getByTestId('message-assistant').last();
    await expect(reopened.getByTestId('reasoning-summary')).toHaveText(/^Thought for \d/);
    await expect(reopened.locator('.message-content')).not.toContainText(REASONING_THOUGHT);
    mkdirSync(SHOTS, { recursive: true });
    await reopened.getByTestId('reasoning-summary').click();
    await page.screenshot({ path: join(SHOTS, 'reasoning-en.png'), fullPage: true });
  });
});

test.describe('in French', () => {
  test.use({ locale: 'fr-FR' });
  test('says it in French', async ({ page, webHost }) => {
    await askReasoningModel(page, webHost.url, 'Prépare la commande de thé');
    const summary = page.getByTestId('message-assistant').last().getByTestId('reasoning-summary');
    await expect(summary).toHaveText(/^Réflexion de \d/);
    await expect(page.getByTestId('message-assistant').last().getByTestId('message-time')).toHaveText(/^\d{2}:\d{2}$/);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'reasoning-fr.png'), fullPage: true });
  });
});
