// A workshop room in French at 1024x640, as participants live it: they see the trainer's chosen
// model only, already chosen for them; the trainer's
// prompt banner can be closed; removing someone and closing the room are confirmed first; the
// participant is told, downloads their conversations during the grace period, leaves, and is told
// the workshop is over instead of "Connection lost. Reconnecting…".
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { SCRIPTED_REPLY } from '../fixtures/gguf/scripted.ts';
import { freePort } from '../support/loopback.ts';
import { openModelMenu } from './model-menu.ts';
import { expect, test } from './web-host.fixture.ts';
import { shotsDir } from './shots.ts';

const SHOTS = shotsDir('workshop');
const SIZE = { width: 1024, height: 640 };

test.use({ webHostSpec: import.meta.filename });
test.use({ locale: 'fr-FR', viewport: SIZE });

async function joinInBrowser(browser: Browser, url: string, code: string, name: string): Promise<Page> {
  const context = await browser.newContext({ locale: 'fr-FR', viewport: SIZE, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(url);
  await page.locator('#code').fill(code);
  await page.locator('#name').fill(name);
  await page.getByRole('button').click();
  await expect(page.getByTestId('participant-banner')).toContainText(name);
  return page;
}

/** Participants start ready: the room's only model is theirs, chosen for them. */
async function ask(participant: Page, question: string): Promise<void> {
  const menu = await openModelMenu(participant);
  await expect(menu.getByTestId('model-option')).toHaveCount(1);
  await participant.getByTestId('model-menu').click();
  await expect(menu).toHaveCount(0);
  await participant.getByTestId('composer').fill(question);
  await participant.getByTestId('composer').press('Enter');
  await expect(participant.getByTestId('message-assistant').last()).toContainText(SCRIPTED_REPLY, { timeout: 60_000 });
}

test('removed, then the room closed: confirmed by the trainer, told to participants, who download their conversations and leave', async ({ page, browser, webHost }) => {
  test.setTimeout(120_000);
  mkdirSync(SHOTS, { recursive: true });
  await page.goto(`${webHost.url}/#/workshop`);
  await page.getByTestId('language-switch').selectOption('fr');
  await page.getByTestId('workshop-interface').selectOption('127.0.0.1');
  await page.getByTestId('workshop-port').fill(String(await freePort()));
  await page.getByTestId('workshop-understood').check();
  await page
    .getByTestId('workshop-models')
    .getByLabel(/Enclave Scripted/)
    .check();
  await page.getByTestId('workshop-start').click();
  const url = (await page.getByTestId('workshop-url').textContent()) ?? '';
  const code = (await page.getByTestId('workshop-code').textContent()) ?? '';

  const lea = await joinInBrowser(browser, url, code, 'Léa');
  const noe = await joinInBrowser(browser, url, code, 'Noé');
  await ask(lea, 'Question de Léa');

  // A pushed exercise: its banner can be closed, and comes back with the next push.
  await page.getByTestId('workshop-push-exercise').first().click();
  await expect(lea.getByTestId('participant-pushed')).toBeVisible();
  await lea.screenshot({ path: join(SHOTS, 'workshop-participant-fr-1024.png') });
  await lea.getByTestId('participant-dismiss-prompt').click();
  await expect(lea.getByTestId('participant-pushed')).toHaveCount(0);

  // Removing asks first: dismissed, nothing happens; accepted, Léa is out of the room.
  const questions: string[] = [];
  page.once('dialog', (dialog) => {
    questions.push(dialog.message());
    void dialog.dismiss();
  });
  await page.getByTestId('workshop-participant').filter({ hasText: 'Léa' }).getByTestId('workshop-remove').click();
  await expect.poll(() => questions).toHaveLength(1);
  expect(questions[0]?.replace(/[\u00a0\u202f]/g, ' ')).toBe(
    'Retirer Léa de l’atelier ? Cette personne ne pourra plus rien demander et aura 5 min pour télécharger ses conversations, qui seront ensuite supprimées de cet ordinateur.',
  );
  await expect(page.getByTestId('workshop-participant')).toHaveCount(2);
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByTestId('workshop-participant').filter({ hasText: 'Léa' }).getByTestId('workshop-remove').click();
  await expect(page.getByTestId('workshop-participant')).toHaveCount(1);

  // Léa is told, keeps her window, and downloads her conversations.
  const ended = lea.getByTestId('participant-ended');
  await expect(ended).toHaveAttribute('data-reason', 'removed');
  await expect(ended).toContainText('Le formateur vous a retiré de l’atelier.');
  await expect(ended).toContainText('Téléchargez vos conversations avant');
  await lea.screenshot({ path: join(SHOTS, 'workshop-participant-removed-fr-1024.png') });
  const downloading = lea.waitForEvent('download');
  await lea.getByTestId('participant-download').click();
  const file = join(SHOTS, 'workshop-conversations-lea.json');
  await (await downloading).saveAs(file);
  expect(await readFile(file, 'utf8')).toContain('Question de Léa');
  await lea.getByTestId('participant-leave').click();
  await expect(lea.getByTestId('participant-left')).toBeVisible();
  await expect(lea.getByTestId('engine-status')).toContainText('L’atelier est terminé pour vous.');
  await expect(lea.getByTestId('engine-status')).not.toContainText('Reconnexion');

  // Closing the room asks first, with the number of participants, then tells them.
  page.once('dialog', (dialog) => {
    questions.push(dialog.message());
    void dialog.accept();
  });
  await page.getByTestId('workshop-stop').click();
  await expect(page.getByTestId('workshop-start')).toBeVisible();
  expect(questions[1]?.replace(/[\u00a0\u202f]/g, ' ')).toContain('Fermer l’atelier ? 1 participant ne pourra plus rien demander');
  await expect(noe.getByTestId('participant-ended')).toHaveAttribute('data-reason', 'closed');
  await expect(noe.getByTestId('participant-ended')).toContainText('Le formateur a fermé l’atelier.');
  await noe.getByTestId('participant-leave').click();
  await expect(noe.getByTestId('engine-status')).toContainText('L’atelier est terminé pour vous.');
  await lea.context().close();
  await noe.context().close();
});
