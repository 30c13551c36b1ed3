import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { readLocalEngineBuild } from '../../electron/engine/local-build/manifest.ts';
import { endlessText, SCRIPTED_REPLY } from '../fixtures/gguf/scripted.ts';
import { expect, SHARED_STORIES, test } from './web-host.fixture.ts';
import { chooseModel, modelOption, rescanModels } from './model-menu.ts';

// A web host and data folder of its own (see web-host.fixture.ts).
test.use({ webHostSpec: import.meta.filename });
test.use({ locale: 'en-US' });

async function send(page: Page, text: string): Promise<void> {
  await page.getByTestId('composer').fill(text);
  await page.getByTestId('composer').press('Enter');
}

test('chats with the scripted model and shows the exact answer with its stats', async ({ page, webHost }, testInfo) => {
  await page.goto(webHost.url);
  await chooseModel(page, 'enclave-scripted.gguf');
  await send(page, 'Hello, who are you?');
  await expect(page.getByTestId('message-user').last()).toContainText('Hello, who are you?');
  const answer = page.getByTestId('message-assistant').last();
  await expect(answer).toHaveAttribute('data-state', 'done');
  await expect(answer).toContainText(SCRIPTED_REPLY);
  const stats = page.getByTestId('answer-stats').last();
  await expect(stats).toHaveAttribute('data-tokens', '9');
  await expect(stats).toContainText('tok');
  await expect(page.getByTestId('engine-status')).toContainText(/CPU/i);
  // The status bar says when the engine runs the llama.cpp built here by npm run engine:build (none on a fresh clone).
  if ((await readLocalEngineBuild()) === null) await expect(page.getByTestId('engine-status')).not.toContainText('built here');
  else await expect(page.getByTestId('engine-status')).toContainText('CPU · built here');
  await page.screenshot({ path: testInfo.outputPath('chat-scripted.png'), fullPage: true });
});

test('streams a long answer in steps and stops it', async ({ page, webHost }) => {
  const deltaFrames: string[] = [];
  page.on('websocket', (socket) =>
    socket.on('framereceived', ({ payload }) => {
      const frame = JSON.parse(String(payload)) as { type: string; event?: string; payload?: { text?: string } };
      if (frame.event === 'chat.delta') deltaFrames.push(frame.payload?.text ?? '');
    }),
  );
  await page.goto(webHost.url);
  await chooseModel(page, 'enclave-endless.gguf');
  await send(page, 'Count for me');
  const answer = page.getByTestId('message-assistant').last();
  await expect(answer).toHaveAttribute('data-state', 'streaming');

  // The visible answer grows while it streams: sample it twice, some frames apart.
  await expect.poll(async () => (await answer.textContent())?.length ?? 0).toBeGreaterThan(20);
  const early = (await answer.textContent()) ?? '';
  await expect.poll(async () => (await answer.textContent())?.length ?? 0).toBeGreaterThan(early.length + 20);
  await expect.poll(() => deltaFrames.length).toBeGreaterThan(2);

  await page.getByTestId('stop').click();
  await expect(answer).toHaveAttribute('data-state', 'stopped');
  const stats = page.getByTestId('answer-stats').last();
  await expect(stats).toHaveAttribute('data-stop-reason', 'abort');
  const tokens = Number(await stats.getAttribute('data-tokens'));
  expect(tokens).toBeGreaterThan(0);
  const finalText = endlessText(tokens).trim();
  await expect(answer).toContainText(finalText);
  await expect.poll(() => deltaFrames.join('')).toBe(endlessText(tokens));
  await expect(page.getByTestId('send')).toBeVisible();
});

test('chats with the real stories260K model', async ({ page, webHost }, testInfo) => {
  if (!SHARED_STORIES.found) {
    const why = `${SHARED_STORIES.path} is absent (a fresh clone has no ../shared/models); the fixture models cover the rest`;
    // The list reporter shows a skip without its reason: print it too.
    console.log(`skipped: ${why}`);
    test.skip(true, why);
  }
  await page.goto(webHost.url);
  await chooseModel(page, 'stories260K-chatml.gguf');
  await send(page, 'Once upon a time');
  const answer = page.getByTestId('message-assistant').last();
  // Not an instruct model: it tells a story until its context is full, so stop it once it has spoken.
  await expect.poll(async () => (await answer.textContent())?.length ?? 0).toBeGreaterThan(200);
  if ((await answer.getAttribute('data-state')) === 'streaming') await page.getByTestId('stop').click();
  await expect(answer).toHaveAttribute('data-state', /done|stopped/);
  await expect(page.getByTestId('answer-stats').last()).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('chat-stories.png'), fullPage: true });
});

test('lists a broken file as unusable with its reason', async ({ page, webHost }) => {
  await writeFile(join(webHost.modelsDir, 'not-a-model.gguf'), 'plain text, not GGUF');
  await page.goto(webHost.url);
  await rescanModels(page);
  const broken = modelOption(page, 'not-a-model.gguf');
  await expect(broken).toBeDisabled();
  await expect(page.getByTestId('model-problem').first()).toHaveAttribute('data-code', 'NOT_GGUF');
  await rm(join(webHost.modelsDir, 'not-a-model.gguf'));
});
