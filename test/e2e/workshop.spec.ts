// Workshop mode in real browsers on loopback: the trainer opens the room from the
// console, 4 Chromium contexts and 4 WebSocket clients join with the code (8 participants), the
// browsers get the chat only, each with their own answers; a pushed prompt reaches them; a wrong
// code is refused; the console lists everyone; reset empties the room. Then a room on the
// machine's LAN address, where one participant chats under the strict Content-Security-Policy.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { lanInterfaces } from '../../electron/services/workshop/lan.ts';
import { SCRIPTED_REPLY } from '../fixtures/gguf/scripted.ts';
import { freePort } from '../support/loopback.ts';
import { ContractClient } from '../support/web-host-process.ts';
import { expect, test } from './web-host.fixture.ts';
import { chooseModel, openModelMenu } from './model-menu.ts';
import { newJobId } from '#shared/chat.ts';
import { shotsDir } from './shots.ts';

const SHOTS = shotsDir('workshop');
const BROWSERS = 4;
const SOCKETS = 4;

function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`nothing at ${index}`);
  return item;
}

/** Anything the page's Content-Security-Policy refused (the app must need nothing it forbids). */
const violations: string[] = [];

function watchCsp(page: Page): void {
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(`${page.url()}: ${message.text()}`);
  });
}

async function joinInBrowser(browser: Browser, url: string, code: string, name: string): Promise<Page> {
  const context = await browser.newContext({ locale: 'fr-FR' });
  const page = await context.newPage();
  watchCsp(page);
  await page.goto(url);
  await expect(page).toHaveURL(/\/workshop\/join$/);
  await page.locator('#code').fill(code);
  await page.locator('#name').fill(name);
  await page.getByRole('button').click();
  await expect(page.getByTestId('participant-banner')).toContainText(name);
  // The trainer's models are listed, without the trainer's Rescan.
  await expect((await openModelMenu(page)).getByTestId('model-option').first()).toBeVisible();
  await expect(page.getByTestId('rescan')).toHaveCount(0);
  return page;
}

// A web host and data folder of its own (see web-host.fixture.ts).
test.use({ webHostSpec: import.meta.filename });
test.use({ locale: 'en-US' });
// Participants out at once, as before the grace period (workshop-end.spec.ts has it).
test.use({ webHostEnv: { ENCLAVE_WORKSHOP_GRACE_MS: '0' } });

test('a trainer runs a room of 8 participants from the console', async ({ page, browser, webHost }) => {
  test.setTimeout(120_000);
  mkdirSync(SHOTS, { recursive: true });
  watchCsp(page);
  await page.goto(`${webHost.url}/#/workshop`);
  await expect(page.getByTestId('workshop-start')).toBeDisabled();
  await page.getByTestId('workshop-interface').selectOption('127.0.0.1');
  await page.getByTestId('workshop-port').fill(String(await freePort()));
  await page.getByTestId('workshop-understood').check();
  // The trainer chooses the room's models: none chosen, no room.
  await expect(page.getByTestId('workshop-start')).toBeDisabled();
  await page
    .getByTestId('workshop-models')
    .getByLabel(/Enclave Scripted/)
    .check();
  await page
    .getByTestId('workshop-models')
    .getByLabel(/Enclave Endless/)
    .check();
  await page.getByTestId('workshop-start').click();
  const url = (await page.getByTestId('workshop-url').textContent()) ?? '';
  const code = (await page.getByTestId('workshop-code').textContent()) ?? '';
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(code).toMatch(/^\d{6}$/);
  await expect(page.getByTestId('workshop-qr')).toBeVisible();

  // A wrong code is refused.
  const refused = await fetch(`${url}/workshop/join`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: `code=${code === '000000' ? '111111' : '000000'}&name=Eve`,
    redirect: 'manual',
  });
  expect(refused.status).toBe(403);

  const pages: Page[] = [];
  for (let i = 0; i < BROWSERS; i++) pages.push(await joinInBrowser(browser, url, code, `Navigateur ${i + 1}`));
  const sockets: ContractClient[] = [];
  for (let i = 0; i < SOCKETS; i++) {
    const joined = await fetch(`${url}/workshop/join`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `code=${code}&name=Script%20${i + 1}`,
      redirect: 'manual',
    });
    sockets.push(await ContractClient.connect(url, { Cookie: joined.headers.get('set-cookie')?.split(';')[0] ?? '' }));
  }
  await expect(page.getByTestId('workshop-participant')).toHaveCount(BROWSERS + SOCKETS);

  // Participants see the chat only.
  await expect(at(pages, 0).getByTestId('nav-models')).toHaveCount(0);

  // Everyone asks at once; each browser shows its own question and the answer.
  const asked = pages.map(async (participant, i) => {
    await chooseModel(participant, 'enclave-scripted.gguf');
    await participant.getByTestId('composer').fill(`Question du navigateur ${i + 1}`);
    await participant.getByTestId('composer').press('Enter');
  });
  const scripted = sockets.map(async (client, i) => {
    const started = await client.call('chat.generate', { jobId: newJobId(), modelId: 'enclave-scripted.gguf', conversation: { id: null, parentId: null, content: `Question du script ${i + 1}` } });
    expect(started.ok, JSON.stringify(started)).toBe(true);
    const { jobId, saved } = (started as { result: { jobId: string; saved: { conversationId: string } } }).result;
    const done = await client.waitForEvent((frame) => frame.event === 'chat.done' && (frame.payload as { jobId: string }).jobId === jobId, 60_000);
    expect((done.payload as { text: string }).text).toBe(SCRIPTED_REPLY);
    return { jobId, conversationId: saved.conversationId };
  });
  const [, scriptedJobs] = await Promise.all([Promise.all(asked), Promise.all(scripted)]);
  for (const [i, client] of sockets.entries()) {
    const mine = at(scriptedJobs, i);
    // Only their own job's events, and only their own conversation, saved with the answer.
    const jobs = new Set(client.events.filter((frame) => frame.event.startsWith('chat.')).map((frame) => (frame.payload as { jobId: string }).jobId));
    expect([...jobs]).toEqual([mine.jobId]);
    const list = await client.call('conversations.list', {});
    expect(list.ok && (list.result as { id: string }[]).map((conversation) => conversation.id)).toEqual([mine.conversationId]);
    const saved = await client.call('conversations.get', { id: mine.conversationId });
    expect(JSON.stringify(saved)).toContain(SCRIPTED_REPLY);
    expect(JSON.stringify(saved)).toContain(`Question du script ${i + 1}`);
  }
  for (const [i, participant] of pages.entries()) {
    await expect(participant.getByTestId('message-assistant').last()).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
    await expect(participant.getByTestId('message-assistant').last()).toContainText(SCRIPTED_REPLY);
    await expect(participant.getByTestId('message-user')).toHaveCount(1);
    await expect(participant.getByTestId('message-user')).toContainText(`Question du navigateur ${i + 1}`);
    for (let other = 0; other < BROWSERS; other++) if (other !== i) await expect(participant.locator('body')).not.toContainText(`Question du navigateur ${other + 1}`);
    await expect(participant.locator('body')).not.toContainText('Question du script');
  }
  await expect(page.getByTestId('workshop-participants')).toContainText('Navigateur 1');
  await page.getByTestId('workshop-push-text').fill('Exercice : demandez au modèle de résumer un courriel en trois points.');
  await page.getByTestId('workshop-push').click();
  for (const participant of pages) await expect(participant.getByTestId('participant-pushed')).toContainText('résumer un courriel');
  await at(pages, 1).getByTestId('participant-use-prompt').click();
  await expect(at(pages, 1).getByTestId('composer')).toHaveValue(/résumer un courriel/);

  // One click sends a shipped exercise (seeds/workshop-exercises) to everyone, with its title.
  // The English console opens its English exercises; the French ones are one click away.
  await expect(page.locator('[data-testid="workshop-exercise-set"][lang="en"]')).toHaveAttribute('open', '');
  const french = page.locator('[data-testid="workshop-exercise-set"][lang="fr"]');
  await expect(french).not.toHaveAttribute('open', '');
  await french.locator('summary').click();
  const exercise = french.locator('[data-testid="workshop-exercise"][data-exercise-id="fr-expliquer-formule"]');
  await expect(exercise).toContainText('Expliquer une formule de tableur');
  await exercise.getByTestId('workshop-push-exercise').click();
  await expect(exercise.getByTestId('workshop-push-exercise')).toHaveText('Sent ✓');
  await expect(page.getByTestId('workshop-last-pushed')).toContainText('Expliquer une formule de tableur');
  for (const participant of pages) {
    await expect(participant.getByTestId('participant-pushed')).toContainText('Exercice du formateur\u00a0: Expliquer une formule de tableur');
    await expect(participant.getByTestId('participant-pushed')).toContainText('SOMME.SI.ENS');
  }
  for (const client of sockets) await client.waitForEvent((frame) => frame.event === 'workshop.pushed' && (frame.payload as { title?: string }).title === 'Expliquer une formule de tableur');
  await expect(page.getByTestId('workshop-queue')).toContainText(/last minute: (1 answer|\d+ answers),/);
  // For the picture: the scripts ask for long answers, so the console shows answers running and waiting.
  const long = await Promise.all(
    sockets.map((client) => client.call('chat.generate', { jobId: newJobId(), modelId: 'enclave-endless.gguf', sampling: { maxTokens: 4000 }, messages: [{ role: 'user', content: 'count' }] })),
  );
  await expect(page.locator('[data-testid="workshop-participant"][data-state="generating"]').first()).toBeVisible();
  // The console scrolls inside the app's main pane: a tall window shows all of it.
  await page.setViewportSize({ width: 1280, height: 2100 });
  await page.screenshot({ path: join(SHOTS, 'trainer-console.png') });
  for (const [i, started] of long.entries()) if (started.ok) await at(sockets, i).call('chat.stop', { jobId: (started.result as { jobId: string }).jobId });
  await at(pages, 0).screenshot({ path: join(SHOTS, 'participant.png'), fullPage: true });

  // The trainer removes one participant (after confirming), then resets the room.
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByTestId('workshop-remove').first().click();
  await expect(page.getByTestId('workshop-participant')).toHaveCount(BROWSERS + SOCKETS - 1);
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByTestId('workshop-reset').click();
  await expect(page.getByTestId('workshop-participant')).toHaveCount(0);
  await expect(page.getByTestId('workshop-code')).not.toHaveText(code);
  await at(pages, 2).reload();
  await expect(at(pages, 2)).toHaveURL(/\/workshop\/join(#.*)?$/);
  for (const client of sockets) expect(client.open).toBe(false);

  await page.getByTestId('workshop-stop').click();
  await expect(page.getByTestId('workshop-start')).toBeVisible();
  for (const participant of pages) await participant.context().close();
  expect(violations).toEqual([]);
});

test('a participant on a LAN address gets the app and its WebSocket under the strict CSP', async ({ browser, webHost }) => {
  const lan = lanInterfaces().find((candidate) => candidate.family === 'IPv4');
  const noLan = 'this machine has no non-loopback IPv4 address to share a workshop on';
  // The list reporter shows a skip without its reason: print it too.
  if (lan === undefined) console.log(`skipped: ${noLan}`);
  test.skip(lan === undefined, noLan);
  const trainer = await ContractClient.connect(webHost.url);
  const started = await trainer.call('workshop.start', { address: lan?.address, port: await freePort() });
  expect(started.ok, JSON.stringify(started)).toBe(true);
  const room = (started as { result: { url: string; joinCode: string } }).result;
  expect(room.url).toBe(`http://${lan?.address}:${new URL(room.url).port}`);
  const participant = await joinInBrowser(browser, room.url, room.joinCode, 'Sur le réseau');
  await chooseModel(participant, 'enclave-scripted.gguf');
  await participant.getByTestId('composer').fill('Bonjour depuis le réseau');
  await participant.getByTestId('composer').press('Enter');
  await expect(participant.getByTestId('message-assistant').last()).toContainText(SCRIPTED_REPLY, { timeout: 60_000 });
  await participant.context().close();
  await trainer.call('workshop.stop', {});
  trainer.close();
  expect(violations).toEqual([]);
});
