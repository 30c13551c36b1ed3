// Inference servers on the Models page, in Chromium against the built web host started with
// ENCLAVE_SERVERS naming a real llama-server on 127.0.0.1: the server shown locked, its connection
// tested and its model listed; a chat with its model and where each answer was computed; a
// comparison with a local model; a server added with a key, a public address added only once
// confirmed; a server killed mid-answer, then removed.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { endlessText, ensureFixtureModels, SCRIPTED_REPLY } from '../fixtures/gguf/index.ts';
import { llamaServerMissing, startLlamaServer, type LlamaServer } from '../support/llama-server.ts';
import { expect, test as base } from './web-host.fixture.ts';
import { shotsDir } from './shots.ts';
import { openModelMenu } from './model-menu.ts';
import { freePort } from '../support/loopback.ts';

const SHOTS = shotsDir('servers');
const MISSING = llamaServerMissing();

const test = base.extend<object, { llamaServer: LlamaServer | null }>({
  llamaServer: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring form.
    async ({}, use) => {
      if (MISSING !== null) return use(null);
      const server = await startLlamaServer({ model: (await ensureFixtureModels()).scripted });
      await use(server);
      await server.stop();
    },
    { scope: 'worker' },
  ],
  webHostEnv: [async ({ llamaServer }, use) => use(llamaServer === null ? {} : { ENCLAVE_SERVERS: llamaServer.url }), { scope: 'worker' }],
});

// A web host and data folder of its own (see web-host.fixture.ts).
test.use({ webHostSpec: import.meta.filename });
test.beforeAll(() => mkdir(SHOTS, { recursive: true }));

function skipWithoutLlamaServer(): void {
  if (MISSING === null) return;
  // The list reporter shows a skip without its reason: print it too.
  console.log(`skipped: ${MISSING}`);
  test.skip(true, MISSING);
}

async function openServers(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/#/models`);
  const panel = page.getByTestId('servers-panel');
  await expect(panel).toBeVisible();
  // The panel opens by itself once the list shows servers: read it only after, or a click would close it.
  await expect(panel).toHaveAttribute('data-state', 'ready');
  if ((await panel.getAttribute('open')) === null) await panel.locator('summary').click();
  await expect(panel).toHaveAttribute('open', '');
}

test.describe('in French', () => {
  test.use({ locale: 'fr-FR', viewport: { width: 1024, height: 640 } });

  test('the server from ENCLAVE_SERVERS is shown locked, and its test lists its model', async ({ page, webHost, llamaServer }) => {
    skipWithoutLlamaServer();
    await openServers(page, webHost.url);
    const item = page.locator(`[data-testid="server-item"][data-server="${llamaServer?.url}"]`);
    await expect(item).toContainText(`127.0.0.1:${llamaServer?.port}`);
    await expect(item).toContainText('Cet ordinateur');
    await expect(item).toContainText('Défini au démarrage');
    await expect(item.getByTestId('server-remove')).toHaveCount(0);
    await item.getByTestId('server-test').click();
    const models = item.getByTestId('server-models');
    await expect(models).toContainText(/Connecté en \d+ ms\u00a0: 1 modèle\./);
    await expect(models.getByTestId('server-capacity')).toHaveText('Il calcule 1 réponse à la fois, d’après lui.');
    await expect(models.locator('li')).toHaveText([/enclave-scripted/]);
    await item.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'servers-fr.png') });

    // The Privacy page shows the request: to that server only, as an inference server's, with its byte counts.
    await page.goto(`${webHost.url}/#/privacy`);
    await expect(page.locator('main')).toContainText('les requêtes aux serveurs d’inférence que vous avez configurés');
    const rows = page.getByTestId('privacy-log').locator('tbody tr');
    await expect(rows.filter({ hasText: 'Serveur d’inférence' }).first()).toBeVisible();
    const hosts = await rows.locator('td:nth-child(2)').allTextContents();
    expect(new Set(hosts)).toEqual(new Set([`127.0.0.1:${llamaServer?.port}`]));
    await expect(rows.first()).toContainText('Terminée');
    await expect(rows.first().getByTestId('privacy-traffic')).toContainText(/envoyés, .* reçus/);
    await page.screenshot({ path: join(SHOTS, 'privacy-fr.png') });
  });

  test('a person chats with the model of the server, marked as computed there', async ({ page, webHost, llamaServer }) => {
    skipWithoutLlamaServer();
    await page.goto(webHost.url);
    const menu = await openModelMenu(page);
    const option = menu.locator(`[data-testid="model-option"][data-server="${llamaServer?.url}"]`);
    await expect(option).toContainText(`Serveur d’inférence 127.0.0.1:${llamaServer?.port}`);
    await expect(option.getByTestId('model-remote')).toHaveText(`Votre texte est envoyé à 127.0.0.1:${llamaServer?.port} et calculé là-bas`);
    await option.click();
    await page.getByTestId('composer').fill('Bonjour');
    await page.getByTestId('composer').press('Enter');
    const serverAnswer = page.getByTestId('message-assistant').first();
    await expect(serverAnswer).toContainText(SCRIPTED_REPLY);
    await expect(page.getByTestId('send')).toBeVisible();
    // Named as in the model menu: the model with its server.
    await expect(serverAnswer.locator('.message-author')).toContainText(`enclave-scripted.gguf · 127.0.0.1:${llamaServer?.port}`);
    // Where it was computed, saved with the answer (its model id names the server).
    await expect(serverAnswer.getByTestId('answer-origin')).toHaveText(`Calculée sur le serveur 127.0.0.1:${llamaServer?.port}\u00a0: la conversation y a été envoyée`);

    // The same conversation goes on with a local model: that answer says it was computed here.
    const menuAgain = await openModelMenu(page);
    await menuAgain.locator('[data-testid="model-option"]:not([data-server])', { hasText: 'Enclave Scripted' }).click();
    await page.getByTestId('composer').fill('Et ici ?');
    await page.getByTestId('composer').press('Enter');
    await expect(page.getByTestId('message-assistant')).toHaveCount(2);
    const localAnswer = page.getByTestId('message-assistant').last();
    await expect(localAnswer).toContainText(SCRIPTED_REPLY);
    await expect(localAnswer.getByTestId('answer-origin')).toHaveText('Calculée sur cet ordinateur');
    await expect(serverAnswer.getByTestId('answer-origin')).toHaveAttribute('data-where', 'server');
    await expect(localAnswer.getByTestId('answer-origin')).toBeInViewport();
    await page.screenshot({ path: join(SHOTS, 'chat-fr.png') });

    // The Privacy page counts the conversations' answers by where they were computed.
    await page.goto(`${webHost.url}/#/privacy`);
    const origins = page.getByTestId('privacy-origin');
    await expect(page.getByTestId('privacy-origins')).toContainText('Où les réponses ont été calculées');
    await expect(origins.and(page.locator('[data-where="local"]'))).toHaveText(/^Sur cet ordinateur\u00a0: \d+ réponses?$/);
    await expect(origins.and(page.locator('[data-where="server"]')).filter({ hasText: `:${llamaServer?.port} ` })).toHaveText(
      new RegExp(`^Sur le serveur 127\\.0\\.0\\.1:${llamaServer?.port} \\(http://127\\.0\\.0\\.1:${llamaServer?.port}\\)\u00a0: 1 réponse$`),
    );
    await page.screenshot({ path: join(SHOTS, 'privacy-origins-fr.png') });
  });

  test('a workshop room answered by the server: the participant starts with its model and gets its answer', async ({ page, browser, webHost, llamaServer }) => {
    skipWithoutLlamaServer();
    await page.goto(`${webHost.url}/#/workshop`);
    await page.getByTestId('workshop-interface').selectOption('127.0.0.1');
    await page.getByTestId('workshop-port').fill(String(await freePort()));
    await page.getByTestId('workshop-understood').check();
    // The room's only model: the server's (the model chosen in the app is ticked to begin with).
    const roomModels = page.getByTestId('workshop-models');
    for (const box of await roomModels.locator('input:checked').all()) await box.uncheck();
    await roomModels
      .locator('label', { hasText: `127.0.0.1:${llamaServer?.port}` })
      .locator('input')
      .check();
    await page.getByTestId('workshop-start').click();
    const url = (await page.getByTestId('workshop-url').textContent()) ?? '';
    const code = (await page.getByTestId('workshop-code').textContent()) ?? '';

    const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1024, height: 640 } });
    const participant = await context.newPage();
    await participant.goto(url);
    await participant.locator('#code').fill(code);
    await participant.locator('#name').fill('Léa');
    await participant.getByRole('button').click();
    await expect(participant.getByTestId('model-menu-name')).toHaveText(`enclave-scripted.gguf · 127.0.0.1:${llamaServer?.port}`);
    await participant.getByTestId('composer').fill('Bonjour');
    await participant.getByTestId('composer').press('Enter');
    const answer = participant.getByTestId('message-assistant').last();
    await expect(answer).toContainText(SCRIPTED_REPLY);
    await expect(answer.getByTestId('answer-origin')).toHaveAttribute('data-where', 'server');
    await participant.screenshot({ path: join(SHOTS, 'workshop-participant-server-fr.png') });
    await context.close();

    // The request went to the server, logged by the trainer's egress gate with its model.
    await page.goto(`${webHost.url}/#/privacy`);
    const rows = page.getByTestId('privacy-log').locator('tbody tr').filter({ hasText: 'Serveur d’inférence' });
    await expect(rows.first()).toBeVisible();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.goto(`${webHost.url}/#/workshop`);
    await page.getByTestId('workshop-stop').click();
  });
});

test.describe('comparison, in English', () => {
  test.use({ locale: 'en-US', viewport: { width: 1280, height: 800 } });

  test('a local model and the server model side by side, each with its answer', async ({ page, webHost, llamaServer }) => {
    skipWithoutLlamaServer();
    await page.goto(`${webHost.url}/#/compare`);
    await page.getByTestId('compare-panel-new').click();
    const models = page.getByTestId('compare-models');
    await models.locator('label', { hasText: 'Enclave Scripted' }).locator('input').check();
    await models
      .locator('label', { hasText: `Inference server 127.0.0.1:${llamaServer?.port}` })
      .locator('input')
      .check();
    await page.getByTestId('compare-prompt').fill('Bonjour');
    await page.getByTestId('compare-start').click();
    const cells = page.getByTestId('compare-cell');
    await expect(cells).toHaveCount(2);
    await expect(page.locator('[data-testid="compare-cell"][data-state="done"]')).toHaveCount(2);
    await expect(page.getByTestId('compare-answer')).toHaveText([SCRIPTED_REPLY, SCRIPTED_REPLY]);
    await expect(page.getByTestId('compare-model-name')).toHaveText(['Enclave Scripted', `enclave-scripted.gguf · 127.0.0.1:${llamaServer?.port}`]);
    await page.screenshot({ path: join(SHOTS, 'compare-en.png') });
  });

  test('blind, a local model against the server model: neither named, nor the server, until the vote', async ({ page, webHost, llamaServer }) => {
    skipWithoutLlamaServer();
    const serverName = `127.0.0.1:${llamaServer?.port}`;
    await page.goto(`${webHost.url}/#/compare`);
    await page.getByTestId('compare-panel-new').click();
    const models = page.getByTestId('compare-models');
    await models.locator('label', { hasText: 'Enclave Scripted' }).locator('input').check();
    await models
      .locator('label', { hasText: `Inference server ${serverName}` })
      .locator('input')
      .check();
    await page.getByTestId('compare-blind').check();
    await page.getByTestId('compare-prompt').fill('Bonjour');
    await page.getByTestId('compare-start').click();
    await expect(page.locator('[data-testid="compare-cell"][data-state="done"]')).toHaveCount(2);
    await expect(page.getByTestId('compare-answer')).toHaveText([SCRIPTED_REPLY, SCRIPTED_REPLY]);
    await expect(page.getByTestId('compare-model-name')).toHaveText(['hidden until you vote', 'hidden until you vote']);
    const main = page.locator('main');
    for (const name of ['Enclave Scripted', 'enclave-scripted.gguf', serverName]) expect(await main.innerText()).not.toContain(name);

    await page.getByTestId('vote-A').click();
    await expect(page.getByTestId('compare-model-name').first()).not.toHaveText('hidden until you vote');
    expect(new Set(await page.getByTestId('compare-model-name').allTextContents())).toEqual(new Set(['Enclave Scripted', `enclave-scripted.gguf · ${serverName}`]));
  });
});

test.describe('in English', () => {
  test.use({ locale: 'en-US', viewport: { width: 1280, height: 800 } });

  test('a server with a key, and a public address only once confirmed', async ({ page, webHost }) => {
    await openServers(page, webHost.url);
    await page.getByTestId('server-url').fill('http://192.168.1.20:8080/v1');
    await page.getByTestId('server-key').fill('sk-team-secret');
    await page.getByTestId('server-add').click();
    const added = page.locator('[data-testid="server-item"][data-server="http://192.168.1.20:8080"]');
    await expect(added).toContainText('Local network');
    await expect(added).toContainText('API key');
    await expect(page.getByTestId('server-key')).toHaveValue('');
    await expect(page.locator('body')).not.toContainText('sk-team-secret');

    await page.getByTestId('server-url').fill('https://llm.example.com');
    await page.getByTestId('server-add').click();
    await expect(page.getByTestId('server-public-warning')).toContainText('https://llm.example.com is on the public internet');
    await expect(page.locator('[data-testid="server-item"][data-server="https://llm.example.com"]')).toHaveCount(0);
    await page.screenshot({ path: join(SHOTS, 'servers-public-en.png') });
    await page.getByTestId('server-confirm-public').click();
    await expect(page.locator('[data-testid="server-item"][data-server="https://llm.example.com"]')).toContainText('Public internet');

    await added.getByTestId('server-remove').click();
    await expect(added).toHaveCount(0);
  });
});

test.describe('a server killed mid-answer, in English', () => {
  test.use({ locale: 'en-US', viewport: { width: 1280, height: 800 } });

  test('the answer keeps its text and says the server stopped; where it was computed stays shown once the server is removed', async ({ page, webHost }) => {
    skipWithoutLlamaServer();
    const doomed = await startLlamaServer({ model: (await ensureFixtureModels()).endless });
    try {
      await openServers(page, webHost.url);
      await page.getByTestId('server-url').fill(doomed.url);
      await page.getByTestId('server-add').click();
      const item = page.locator(`[data-testid="server-item"][data-server="${doomed.url}"]`);
      await item.getByTestId('server-test').click();
      await expect(item.getByTestId('server-models')).toContainText('It computes 1 answer at once, as it reports.');

      await page.goto(webHost.url);
      const menu = await openModelMenu(page);
      await menu.locator(`[data-testid="model-option"][data-server="${doomed.url}"]`).click();
      await page.getByTestId('composer').fill('Count');
      await page.getByTestId('composer').press('Enter');
      await expect(page.getByTestId('message-list')).toContainText(endlessText(8));
      await doomed.kill();
      const answer = page.getByTestId('message-assistant').first();
      await expect(answer).toHaveAttribute('data-state', 'error');
      await expect(answer.getByTestId('error-note')).toHaveText(`Interrupted: the server 127.0.0.1:${doomed.port} stopped answering or refused to (the text received until then is kept)`);
      await expect(answer.getByTestId('answer-origin')).toHaveText(`Computed on the server 127.0.0.1:${doomed.port}: the conversation was sent there`);
      await expect(answer.locator('.message-content')).toContainText(endlessText(8));
      await expect(answer.getByTestId('error-note')).toBeInViewport();
      await page.screenshot({ path: join(SHOTS, 'server-killed-en.png') });

      // The server removed: the answer still says where it was computed.
      await openServers(page, webHost.url);
      await page.locator(`[data-testid="server-item"][data-server="${doomed.url}"]`).getByTestId('server-remove').click();
      await expect(page.locator(`[data-testid="server-item"][data-server="${doomed.url}"]`)).toHaveCount(0);
      await page.goto(webHost.url);
      await page.getByTestId('conversation-item').filter({ hasText: 'Count' }).first().locator('.conversation-open').click();
      await expect(page.getByTestId('message-assistant').first().getByTestId('answer-origin')).toHaveText(`Computed on the server 127.0.0.1:${doomed.port}: the conversation was sent there`);
      await page.goto(`${webHost.url}/#/privacy`);
      await expect(
        page
          .getByTestId('privacy-origin')
          .and(page.locator('[data-where="server"]'))
          .filter({ hasText: `${doomed.port}` }),
      ).toHaveText(`On the server 127.0.0.1:${doomed.port} (${doomed.url}): 1 answer`);
      await page.screenshot({ path: join(SHOTS, 'privacy-origins-en.png') });
    } finally {
      await doomed.stop();
    }
  });
});
