/**
 * The Compare page in French at 1024x640, as a French-speaking user meets it: a blind run of a
 * shipped prompt set whose models change columns from prompt to prompt, categories and votes in
 * French, the leaderboard and the report.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from '@playwright/test';
import { parseCsv } from '../../electron/services/compare/prompt-sets.ts';
import { newJobId } from '#shared/chat.ts';
import { ALPHA, ALPHA_REPLY, BRAVO_REPLY, writeCompareModels } from '../support/compare-models.ts';
import { ContractClient } from '../support/web-host-process.ts';
import { expect, test } from './web-host.fixture.ts';
import { shotsDir } from './shots.ts';

const SHOTS = shotsDir('compare');
const SET = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'seeds', 'prompt-sets', 'business-fr.json'), 'utf8')) as { name: string; prompts: { category: string }[] };
const ENGLISH_CATEGORIES = [...new Set(SET.prompts.map((prompt) => prompt.category))];

test.use({ webHostSpec: import.meta.filename });
test.use({ locale: 'fr-FR', viewport: { width: 1024, height: 640 } });
test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ webHost }) => {
  mkdirSync(SHOTS, { recursive: true });
  await writeCompareModels(webHost.modelsDir);
  const client = await ContractClient.connect(webHost.url);
  await client.call('models.rescan', {});
  client.close();
});

async function inFrench(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/#/compare`);
  await page.getByTestId('language-switch').selectOption('fr');
}

/** The words of every category badge on the page. */
async function categoryBadges(page: Page): Promise<string[]> {
  return page.locator('.compare-category').allTextContents();
}

test('a blind prompt set: each model changes columns from prompt to prompt, balanced across the set; categories and votes in French', async ({ page, webHost }) => {
  await inFrench(page, webHost.url);
  await page.getByTestId('compare-panel-sets').click();
  await page.getByRole('listitem').filter({ hasText: SET.name }).click();
  for (const badge of await categoryBadges(page)) expect(ENGLISH_CATEGORIES).not.toContain(badge);
  await expect(page.locator('.compare-set-prompts')).toContainText('raisonnement');
  await page
    .getByTestId('compare-models')
    .getByLabel(/Compare Alpha/)
    .check();
  await page
    .getByTestId('compare-models')
    .getByLabel(/Compare Bravo/)
    .check();
  await page.getByTestId('batch-blind').check();
  // The run button comes before the set's prompts, not after all of them.
  await expect(page.getByTestId('start-batch')).toBeInViewport();
  await expect(page.getByTestId('start-batch')).toHaveText(`Lancer le jeu (${SET.prompts.length * 2} réponses)`);
  await page.screenshot({ path: join(SHOTS, 'compare-set-fr-1024.png') });
  await page.getByTestId('start-batch').click();
  const prompts = SET.prompts.length;
  await expect(page.getByTestId('compare-progress')).toContainText(`${prompts * 2} réponses sur ${prompts * 2}`);

  // Which column wrote alpha's text, prompt by prompt: both columns, each about half of the time.
  const turns = page.getByTestId('compare-turn');
  await expect(turns).toHaveCount(prompts);
  const alphaColumns = await turns.evaluateAll(
    (nodes, reply) => nodes.map((turn) => [...turn.querySelectorAll('[data-testid="compare-cell"]')].find((cell) => cell.textContent?.includes(reply))?.getAttribute('data-column') ?? '?'),
    ALPHA_REPLY,
  );
  const inA = alphaColumns.filter((column) => column === 'A').length;
  const inB = alphaColumns.filter((column) => column === 'B').length;
  expect(inA + inB).toBe(prompts);
  expect(Math.abs(inA - inB)).toBeLessThanOrEqual(1);

  for (const badge of await categoryBadges(page)) expect(ENGLISH_CATEGORIES).not.toContain(badge);
  await expect(turns.first().getByTestId('vote-A')).toHaveText('A est meilleure');
  await page.screenshot({ path: join(SHOTS, 'compare-blind-batch-fr-1024.png') });

  // Vote for bravo's text on every prompt: the names are revealed, and each column names the model that wrote its text.
  for (let turn = 0; turn < prompts; turn++) {
    const column = alphaColumns[turn] === 'A' ? 'B' : 'A';
    await turns.nth(turn).getByTestId(`vote-${column}`).click();
    await expect(turns.nth(turn).getByTestId('compare-vote')).toContainText(`Votre vote : ${column}`);
  }
  await expect(page.getByTestId('compare-blind-state')).toHaveAttribute('data-revealed', 'true');
  await expect(page.locator('[data-testid="compare-cell"]', { hasText: ALPHA_REPLY }).getByTestId('compare-model-name')).toHaveText(Array(prompts).fill('Compare Alpha'));
  await expect(page.locator('[data-testid="compare-cell"]', { hasText: BRAVO_REPLY }).getByTestId('compare-model-name')).toHaveText(Array(prompts).fill('Compare Bravo'));

  // The CSV opens in French Excel: a byte order mark, semicolons, decimal commas, no long decimals.
  const downloading = page.waitForEvent('download');
  await page.getByTestId('report-csv').click();
  const csvFile = join(SHOTS, 'report-fr.csv');
  await (await downloading).saveAs(csvFile);
  const csv = await readFile(csvFile, 'utf8');
  expect(csv.startsWith('\uFEFFrun_id;run_title;kind;turn;category;')).toBe(true);
  const [header = [], ...rows] = parseCsv(csv, ';');
  const speeds = rows.map((row) => row[header.indexOf('tokens_per_second')]);
  expect(speeds).toHaveLength(prompts * 2);
  for (const speed of speeds) expect(speed).toMatch(/^\d+,\d$/);

  await page.getByTestId('compare-panel-leaderboard').click();
  // The overall table, then one per category.
  await expect(page.locator('[data-testid="leaderboard"] caption')).toHaveCount(1 + ENGLISH_CATEGORIES.length);
  const captions = await page.locator('[data-testid="leaderboard"] caption').allTextContents();
  expect(captions).toContain('raisonnement');
  for (const caption of captions) expect(ENGLISH_CATEGORIES).not.toContain(caption);
  await expect(page.getByTestId('leaderboard').first().locator('tbody tr').first()).toContainText('Compare Bravo');
  // 11 blind votes out of 11: a clear lead, said with its votes and interval (Wilson at 95 %: 74 % to 100 %).
  const verdict = page.getByTestId('leaderboard-verdict');
  await expect(verdict).toHaveAttribute('data-clear', 'true');
  await expect(verdict).toContainText('Compare Bravo devance nettement Compare Alpha');
  await expect(verdict).toContainText('sur 11 votes à l’aveugle');
  await expect(verdict).toContainText(/de 74[\u00a0\u202f]% à 100[\u00a0\u202f]%/);
  await page.screenshot({ path: join(SHOTS, 'compare-leaderboard-fr-1024.png') });
});

test('the French report names categories in French', async ({ page, webHost }) => {
  await inFrench(page, webHost.url);
  await page.getByTestId('compare-panel-leaderboard').click();
  const downloading = page.waitForEvent('download');
  await page.getByTestId('report-html').click();
  const file = join(SHOTS, 'report-fr.html');
  await (await downloading).saveAs(file);
  const html = await readFile(file, 'utf8');
  expect(html).toContain('raisonnement');
  expect(html).toContain('est meilleure');
  // The summary says who won, by how much and how sure, with the names of the library.
  expect(html).toContain('<h2>Résumé</h2>');
  expect(html).toMatch(
    /<p class="verdict" data-clear="true">Compare Bravo devance nettement Compare Alpha\u00a0: \d+ points Elo d’écart, 100[\u00a0\u202f]% des points de ses duels sur 11 votes à l’aveugle/,
  );
  expect(html).toContain('à partir de 1 comparaison enregistrée.');
  for (const category of ['reasoning', 'spreadsheet', 'summary']) expect(html).not.toMatch(new RegExp(`[«>·] ?${category}\\b`));
  await page.goto(pathToFileURL(file).href);
  await page.screenshot({ path: join(SHOTS, 'compare-report-fr-1024.png') });
});

test('the report shows a markdown answer as the chat does, its raw HTML inert and its links not followed', async ({ page, webHost }) => {
  const answer = [
    '| Pain | Prix |',
    '|------|------|',
    '| Miche | 4 € |',
    '',
    '```js',
    'if (a < b) bake();',
    '```',
    '',
    '<script>window.ran = true</script> <img src="https://tracker.example/p.png">',
    '',
    'Voir [la recette](https://recettes.example/miche) et ![une miche](https://images.example/miche.png).',
  ].join('\n');
  const message = (role: string, text: string) => ({ author: { role }, content: { content_type: 'text', parts: [text] }, create_time: 1720000100 });
  const exportFile = join(webHost.dataDir, 'markdown-answer.json');
  writeFileSync(
    exportFile,
    JSON.stringify([
      {
        title: 'Une réponse en markdown',
        create_time: 1720000100,
        update_time: 1720000200,
        current_node: 'md-a',
        mapping: {
          'md-root': { id: 'md-root', message: null, parent: null, children: ['md-q'] },
          'md-q': { id: 'md-q', message: message('user', 'Un tableau des prix ?'), parent: 'md-root', children: ['md-a'] },
          'md-a': { id: 'md-a', message: message('assistant', answer), parent: 'md-q', children: [] },
        },
      },
    ]),
  );
  const client = await ContractClient.connect(webHost.url);
  expect((await client.call('conversations.import', { jobId: newJobId(), source: { path: exportFile }, locale: 'fr' })).ok).toBe(true);
  const listed = await client.call('conversations.list', {});
  const conversation = listed.ok ? (listed.result as { id: string; title: string }[]).find((summary) => summary.title === 'Une réponse en markdown') : undefined;
  const replayed = await client.call('compare.replay', { conversationIds: [conversation?.id], modelIds: [ALPHA.file] });
  const runId = replayed.ok ? (replayed.result as { id: string }[])[0]?.id : undefined;
  // ChatGPT's answer is the run's reference column from the start: the report holds it at once.
  const report = await client.call('compare.report', { runIds: [runId], format: 'html', locale: 'fr' });
  client.close();
  const file = report.ok ? ((report.result as { savedTo: string | null }).savedTo ?? '') : '';

  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(pathToFileURL(file).href);
  const reference = page.locator('.answer').filter({ hasText: 'Miche' });
  await expect(reference.getByRole('table').getByRole('cell', { name: '4 €' })).toBeVisible();
  await expect(reference.locator('pre code')).toHaveText('if (a < b) bake();');
  await expect(reference).toContainText('<script>window.ran = true</script>');
  await expect(reference).toContainText('Voir [la recette](https://recettes.example/miche)');
  await expect(reference.locator('a, img, script')).toHaveCount(0);
  expect(await page.evaluate(() => (globalThis as { ran?: boolean }).ran)).toBeUndefined();
  expect(requests).toEqual([pathToFileURL(file).href]);
  await reference.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, 'compare-report-markdown-fr-1024.png') });
});
