/**
 * The Compare page in Chromium: a side-by-side run, a blind vote that names no model before it,
 * the leaderboard, reports, prompt sets (a new one, and a shipped one in French), a ChatGPT replay,
 * and a batch that resumes in the browser after the web host is killed.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from '@playwright/test';
import { ENDLESS_CYCLE, SCRIPTED_REPLY } from '../fixtures/gguf/index.ts';
import { ALPHA, ALPHA_REPLY, BRAVO, BRAVO_REPLY, writeCompareModels } from '../support/compare-models.ts';
import { newJobId } from '#shared/chat.ts';
import { ContractClient } from '../support/web-host-process.ts';
import { expect, test } from './web-host.fixture.ts';
import { shotsDir } from './shots.ts';

const SHOTS = shotsDir('compare');
/** Everything that names the two compared models: their ids (file names) and their display names. */
const MODEL_NAMES = [ALPHA.file, BRAVO.file, 'Compare Alpha', 'Compare Bravo'];
const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

/** What the in-page watcher uses of the DOM (the test files compile without the DOM library). */
interface PageDom {
  document: {
    documentElement: { outerHTML: string };
    body: { innerText: string };
    querySelector(selector: string): { getAttribute(name: string): string | null } | null;
  };
  MutationObserver: new (callback: () => void) => { observe(target: unknown, options: Record<string, boolean>): void };
  blindLeaks?: string[];
}

// A web host and data folder of its own (see web-host.fixture.ts).
test.use({ webHostSpec: import.meta.filename });
test.use({ locale: 'en-US', viewport: { width: 1400, height: 900 } });
test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ webHost }) => {
  mkdirSync(SHOTS, { recursive: true });
  await writeCompareModels(webHost.modelsDir);
  const client = await ContractClient.connect(webHost.url);
  await client.call('models.rescan', {});
  client.close();
});

const cell = (page: Page, column: string) => page.locator(`[data-testid="compare-cell"][data-column="${column}"]`);

async function startComparison(page: Page, url: string, options: { blind: boolean; prompt: string; beforeStart?: () => Promise<void> }): Promise<void> {
  await page.goto(`${url}/#/compare`);
  await page.getByTestId('compare-panel-new').click();
  const models = page.getByTestId('compare-models');
  await models.getByLabel(/Compare Alpha/).check();
  await models.getByLabel(/Compare Bravo/).check();
  await page.getByTestId('compare-system').fill('Answer in one short sentence.');
  await page.getByTestId('compare-prompt').fill(options.prompt);
  await page.getByTestId('compare-category').fill('email');
  if (options.blind) await page.getByTestId('compare-blind').check();
  await options.beforeStart?.();
  await page.getByTestId('compare-start').click();
}

test('a side-by-side run shows each model’s answer in its column with its statistics', async ({ page, webHost }) => {
  await startComparison(page, webHost.url, { blind: false, prompt: 'Reply to a customer who asks for a refund.' });
  await expect(cell(page, 'A').getByTestId('compare-answer')).toHaveText(ALPHA_REPLY);
  await expect(cell(page, 'B').getByTestId('compare-answer')).toHaveText(BRAVO_REPLY);
  // The library's names, the file in the tooltip.
  await expect(cell(page, 'A').getByTestId('compare-model-name')).toHaveText('Compare Alpha');
  await expect(cell(page, 'B').getByTestId('compare-model-name')).toHaveText('Compare Bravo');
  await expect(cell(page, 'A').getByTestId('compare-model-name')).toHaveAttribute('title', ALPHA.file);
  await expect(cell(page, 'A').getByTestId('compare-stats')).toContainText('tokens/s');
  await expect(cell(page, 'B').getByTestId('compare-stats')).toContainText('peak memory');
  await expect(page.getByTestId('compare-progress')).toContainText('2 of 2 answers');
  // Not blind: the engine line names the loaded model, and the vote says it will not count.
  await expect(page.getByTestId('engine-model')).toContainText(/Compare (Alpha|Bravo)/);
  await expect(page.getByTestId('compare-vote')).toContainText('does not count in the leaderboard');
  await page.screenshot({ path: join(SHOTS, 'side-by-side.png'), fullPage: true });
});

test('blind mode: nothing on the page names a model until the vote, then the names appear and the leaderboard counts it', async ({ page, webHost }) => {
  await startComparison(page, webHost.url, {
    blind: true,
    prompt: 'Which of you writes the better email?',
    // From the moment the blind run is on screen until it is revealed, every change of the page is checked.
    beforeStart: () =>
      page.evaluate((names) => {
        const dom = globalThis as unknown as PageDom;
        const seen: string[] = [];
        dom.blindLeaks = seen;
        const check = (): void => {
          const badge = dom.document.querySelector('[data-testid="compare-blind-state"]');
          if (badge === null || badge.getAttribute('data-revealed') === 'true') return;
          const page = `${dom.document.documentElement.outerHTML}\n${dom.document.body.innerText}`;
          for (const name of names) if (page.includes(name)) seen.push(name);
        };
        new dom.MutationObserver(check).observe(dom.document, { subtree: true, childList: true, characterData: true, attributes: true });
      }, MODEL_NAMES),
  });
  await expect(page.getByTestId('compare-cell')).toHaveCount(2);
  await expect(page.locator('[data-testid="compare-cell"][data-state="done"]')).toHaveCount(2);
  await expect(page.getByTestId('compare-model-name')).toHaveText(['hidden until you vote', 'hidden until you vote']);
  await expect(page.getByTestId('compare-stats').first()).not.toContainText('load');
  await expect(page.getByTestId('engine-model')).toHaveText('Loaded: hidden during the blind comparison');
  const before = await page.content();
  for (const name of MODEL_NAMES) expect(before).not.toContain(name);
  for (const name of MODEL_NAMES) expect(await page.locator('body').innerText()).not.toContain(name);
  expect(await page.evaluate(() => (globalThis as unknown as PageDom).blindLeaks)).toEqual([]);
  await page.screenshot({ path: join(SHOTS, 'blind-before-vote.png'), fullPage: true });

  // Vote for the column that wrote Bravo's text: the run's only turn, so the names are revealed.
  const bravoCell = page.locator('[data-testid="compare-cell"]', { hasText: BRAVO_REPLY });
  const bravoColumn = (await bravoCell.getAttribute('data-column')) ?? '';
  await page.getByTestId(`vote-${bravoColumn}`).click();
  await expect(page.getByTestId('compare-vote')).toContainText(`Your vote: ${bravoColumn}`);
  await expect(bravoCell.getByTestId('compare-model-name')).toHaveText('Compare Bravo');
  await expect(page.locator('[data-testid="compare-cell"]', { hasText: ALPHA_REPLY }).getByTestId('compare-model-name')).toHaveText('Compare Alpha');
  await expect(page.getByTestId('engine-model')).toContainText(/Compare (Alpha|Bravo)/);
  // Votes are locked once the names are known.
  await expect(page.getByTestId(`vote-${bravoColumn}`)).toHaveCount(0);
  await expect(page.getByTestId('compare-follow-up')).toHaveCount(0);
  const after = await page.content();
  for (const name of [ALPHA.file, BRAVO.file]) expect(after).toContain(name);
  await bravoCell.getByRole('button', { name: '4 out of 5' }).click();
  await expect(bravoCell.getByRole('button', { name: '4 out of 5' })).toHaveAttribute('aria-pressed', 'true');
  await page.screenshot({ path: join(SHOTS, 'blind-after-vote.png'), fullPage: true });

  await page.getByTestId('compare-panel-leaderboard').click();
  const overall = page.getByTestId('leaderboard').first();
  // Only the blind vote counts: the first test's run was not blind and had no vote anyway.
  await expect(overall.locator('tbody tr')).toHaveCount(2);
  await expect(overall.locator('tbody tr').first()).toContainText('Compare Bravo');
  await expect(overall.locator('tbody tr').first()).toContainText('1016');
  // One vote is no verdict: it says so, with its interval.
  await expect(page.getByTestId('leaderboard-verdict')).toHaveAttribute('data-clear', 'false');
  await expect(page.getByTestId('leaderboard-verdict')).toContainText('Compare Bravo leads Compare Alpha by 32 points, but 1 blind vote is not enough to tell');
  await page.screenshot({ path: join(SHOTS, 'leaderboard.png'), fullPage: true });
});

test('the HTML report is saved and offered as a download, with the stored figures, in the interface’s language', async ({ page, webHost }) => {
  for (const [language, title] of [
    ['en', 'Enclave comparison report'],
    ['fr', 'Rapport de comparaison Enclave'],
  ] as const) {
    await page.goto(`${webHost.url}/#/compare`);
    await page.getByTestId('language-switch').selectOption(language);
    await page.getByTestId('compare-panel-leaderboard').click();
    const downloading = page.waitForEvent('download');
    await page.getByTestId('report-html').click();
    const download = await downloading;
    const file = join(SHOTS, `report-${language}.html`);
    await download.saveAs(file);
    await expect(page.getByTestId('report-saved')).toContainText(join(webHost.dataDir, 'reports'));
    const html = await readFile(file, 'utf8');
    expect(html).toContain(`<html lang="${language}">`);
    expect(html).toContain(ALPHA_REPLY);
    expect(html).toContain(BRAVO_REPLY);
    expect(html).toContain('<svg');
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(file).href);
    await expect(page.locator('h1')).toHaveText(title);
    await page.screenshot({ path: join(SHOTS, `report-${language}.png`), fullPage: true });
    // Self-contained: opening it asks for nothing but the file itself.
    expect(requests.filter((url) => url !== pathToFileURL(file).href)).toEqual([]);
    page.removeAllListeners('request');
  }
  await page.goto(`${webHost.url}/#/compare`);
  await page.getByTestId('language-switch').selectOption('en');
});

test('a shipped prompt set runs as a batch across two models, in French', async ({ page, webHost }) => {
  const set = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'seeds', 'prompt-sets', 'business-fr.json'), 'utf8')) as { name: string; prompts: unknown[] };
  const prompts = set.prompts.length;
  await page.goto(`${webHost.url}/#/compare`);
  await page.getByTestId('language-switch').selectOption('fr');
  await page.getByTestId('compare-panel-sets').click();
  await page.getByRole('listitem').filter({ hasText: set.name }).click();
  await expect(page.getByRole('listitem').filter({ hasText: set.name })).toContainText(`${prompts} prompts · français`);
  await page
    .getByTestId('compare-models')
    .getByLabel(/Compare Alpha/)
    .check();
  await page
    .getByTestId('compare-models')
    .getByLabel(/Compare Bravo/)
    .check();
  await page.screenshot({ path: join(SHOTS, 'prompt-sets-fr.png'), fullPage: true });
  await page.getByTestId('start-batch').click();
  await expect(page.getByTestId('compare-progress')).toContainText(`${prompts * 2} réponses sur ${prompts * 2}`);
  await expect(cell(page, 'A').filter({ hasText: ALPHA_REPLY })).toHaveCount(prompts);
  await expect(cell(page, 'B').filter({ hasText: BRAVO_REPLY })).toHaveCount(prompts);
  await page.screenshot({ path: join(SHOTS, 'batch-fr.png') });
  await page.getByTestId('language-switch').selectOption('en');
});

test('a ChatGPT replay: several imported conversations, each turn against the scripted model, ChatGPT’s answer as reference', async ({ page, webHost }) => {
  const client = await ContractClient.connect(webHost.url);
  for (const name of ['conversations.json', 'multi-turn.json']) {
    const frame = await client.call('conversations.import', { jobId: newJobId(), source: { path: join(FIXTURES, 'chatgpt', name) }, locale: 'en' });
    expect(frame.ok).toBe(true);
  }
  client.close();
  await page.goto(`${webHost.url}/#/compare`);
  await page.getByTestId('compare-panel-replay').click();
  const conversations = page.getByTestId('replay-conversations');
  await conversations.getByLabel(/Naming a sourdough loaf/).check();
  await conversations.getByLabel(/Trip to Lyon/).check();
  await page
    .getByTestId('compare-models')
    .getByLabel(/Enclave Scripted/)
    .check();
  await page.screenshot({ path: join(SHOTS, 'replay-pick.png'), fullPage: true });
  await page.getByTestId('replay-start').click();

  // The first conversation's run opens: three questions, ChatGPT's answers in the reference column.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Naming a sourdough loaf');
  await expect(page.getByTestId('compare-turn')).toHaveCount(3);
  await expect(cell(page, 'A').getByTestId('compare-model-name')).toHaveText(Array(3).fill('ChatGPT’s original answer'));
  await expect(cell(page, 'A').getByTestId('compare-answer')).toHaveText([
    'Levain du Rhône, La Miche Lyonnaise or Pain des Canuts.',
    'La Miche Lyonnaise: short, local and easy to read from the street.',
    'A slow-fermented sourdough miche, baked every morning in Lyon.',
  ]);
  await expect(cell(page, 'B').getByTestId('compare-answer')).toHaveText(Array(3).fill(SCRIPTED_REPLY));
  await expect(page.getByTestId('compare-progress')).toContainText('6 of 6 answers');
  // The reference is rated like the others.
  await cell(page, 'A').first().getByRole('button', { name: '5 out of 5' }).click();
  await expect(cell(page, 'A').first().getByRole('button', { name: '5 out of 5' })).toHaveAttribute('aria-pressed', 'true');
  await page.screenshot({ path: join(SHOTS, 'replay.png'), fullPage: true });
  // The other conversation has its own run.
  await page
    .getByTestId('compare-runs')
    .getByRole('button', { name: /Trip to Lyon/ })
    .click();
  await expect(cell(page, 'A').getByTestId('compare-answer')).toHaveText('Vieux Lyon and the traboules.');
  await expect(cell(page, 'B').getByTestId('compare-answer')).toHaveText(SCRIPTED_REPLY);
});

test('a new prompt set, with grading notes and a language, runs as a batch that resumes in the browser after the host is killed', async ({ page, webHost }) => {
  test.setTimeout(300_000);
  await page.goto(`${webHost.url}/#/compare`);
  await page.getByTestId('compare-panel-sets').click();
  await page.getByTestId('new-set').click();
  await page.getByTestId('set-name').fill('Resume in the browser');
  await page.getByTestId('set-language').selectOption('en');
  await page.getByTestId('set-prompt-category').fill('support');
  await page.getByTestId('set-prompt-text').fill('First question?');
  await page.getByTestId('set-prompt-notes').fill('Short and polite.');
  await page.getByTestId('add-prompt').click();
  await page.getByTestId('set-prompt-text').nth(1).fill('Second question?');
  await page.screenshot({ path: join(SHOTS, 'set-editor.png'), fullPage: true });
  await page.getByTestId('save-set').click();
  const saved = page.getByRole('listitem').filter({ hasText: 'Resume in the browser' });
  await expect(saved).toContainText('2 prompts · English');
  await saved.click();
  await expect(page.locator('.compare-set-prompts')).toContainText('Grading notes: Short and polite.');

  // The endless model writes long answers (its default limit), so the kill falls in the middle of one.
  await page
    .getByTestId('compare-models')
    .getByLabel(/Compare Alpha/)
    .check();
  await page
    .getByTestId('compare-models')
    .getByLabel(/Enclave Endless/)
    .check();
  await page.getByTestId('start-batch').click();
  await expect(page.locator('[data-testid="compare-cell"][data-column="B"][data-state="generating"]')).toHaveCount(1, { timeout: 30_000 });
  const finishedBefore = await page
    .locator('[data-testid="compare-cell"][data-state="done"]')
    .evaluateAll((cells) => cells.map((node) => `${node.getAttribute('data-column')}:${node.querySelector('[data-testid="compare-answer"]')?.textContent ?? ''}`));
  await webHost.killAndRestart();

  await page.goto(`${webHost.url}/#/compare`);
  await page
    .getByTestId('compare-runs')
    .getByRole('button', { name: /Resume in the browser/ })
    .click();
  // Left after the restart: up to two whole answers of the endless model (4,096 tokens each; each
  // took 33 to 57 s on this 2-core machine under other work). A bound against a hang, not a measure.
  await expect(page.getByTestId('compare-progress')).toContainText('4 of 4 answers', { timeout: 240_000 });
  await expect(cell(page, 'A').getByTestId('compare-answer')).toHaveText([ALPHA_REPLY, ALPHA_REPLY]);
  for (const text of await cell(page, 'B').getByTestId('compare-answer').allTextContents()) expect(text.startsWith(ENDLESS_CYCLE.trim())).toBe(true);
  const finishedAfter = await page
    .locator('[data-testid="compare-cell"][data-state="done"]')
    .evaluateAll((cells) => cells.map((node) => `${node.getAttribute('data-column')}:${node.querySelector('[data-testid="compare-answer"]')?.textContent ?? ''}`));
  for (const answer of finishedBefore) expect(finishedAfter).toContain(answer);
  await page.screenshot({ path: join(SHOTS, 'batch-resumed.png') });
});
