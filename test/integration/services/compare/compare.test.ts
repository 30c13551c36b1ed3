/**
 * The comparison workbench on a real Host with a real engine process and two bigram models whose
 * answers are known: columns, statistics, follow-ups, blind votes, the leaderboard, reports, replay.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { newJobId, type ChatMessage } from '#shared/chat.ts';
import { answerColumn, type CompareAnswer, type CompareRun } from '#shared/compare.ts';
import type { CommandInput, CommandName, CommandResult } from '#shared/contract.ts';
import { CompareRunner } from '../../../../electron/services/compare/runner.ts';
import { CSV_COLUMNS } from '../../../../electron/services/compare/report.ts';
import { parseCsv } from '../../../../electron/services/compare/prompt-sets.ts';
import { ensureFixtureModels, REASONING_ANSWER, REASONING_THOUGHT } from '../../../fixtures/gguf/index.ts';
import { ALPHA, ALPHA_REPLY, BRAVO, BRAVO_REPLY, writeCompareModels } from '../../../support/compare-models.ts';
import { createTestHost, type TestHost } from '../../../support/test-host.ts';

let testHost: TestHost;

async function call<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandResult<C>> {
  const outcome = await testHost.host.call(command, input);
  if (!outcome.ok) throw new Error(`${command}: ${outcome.error.code} ${outcome.error.message}`);
  return outcome.result as CommandResult<C>;
}

async function finished(id: string): Promise<CompareRun> {
  await testHost.host.services.compare.runner.idle();
  return call('compare.get', { id });
}

function replyOf(modelId: string | null): string {
  return modelId === ALPHA.file ? ALPHA_REPLY : BRAVO_REPLY;
}

const MODEL_NAMES = /compare-(alpha|bravo)|Compare (Alpha|Bravo)/;

/** Every compare.* event the host sent about this run. */
function runEvents(runId: string): unknown[] {
  return testHost.events.filter((event) => event.event.startsWith('compare.') && (event.payload as { runId?: string }).runId === runId);
}

/** A prompt set of these prompts (one category each), saved as the user's. */
async function setOf(prompts: { prompt: string; category: string }[]): Promise<string> {
  return (await call('compare.saveSet', { id: null, set: { name: `set ${prompts.length}`, language: 'en', prompts } })).id;
}

/** The column of a finished blind run whose text is this model's: the user judges by the text alone. */
function columnWriting(run: CompareRun, turn: number, reply: string): number {
  return run.answers.find((answer) => answer.turn === turn && answer.content === reply)?.column ?? -1;
}

async function ratings(category?: string): Promise<Map<string, number>> {
  const board = await call('compare.leaderboard', {});
  const rows = category === undefined ? board.overall : (board.byCategory.find((entry) => entry.category === category)?.rows ?? []);
  return new Map(rows.map((row) => [row.modelId, row.rating]));
}

beforeAll(async () => {
  testHost = await createTestHost([(await ensureFixtureModels()).reasoning], { ENCLAVE_THREADS: '1' });
  await writeCompareModels(testHost.modelsDir);
  await testHost.host.services.library.rescan();
}, 60_000);

afterAll(async () => {
  await testHost?.dispose();
});

describe('side by side', () => {
  test('each column shows its own model’s answer with its statistics, and a follow-up continues every column', async () => {
    const run = await call('compare.start', { modelIds: [ALPHA.file, BRAVO.file], prompt: 'Say something.', systemPrompt: 'Be brief.' });
    expect(run.columnList.map((column) => column.modelId)).toEqual([ALPHA.file, BRAVO.file]);
    const done = await finished(run.id);
    expect(done.state).toBe('done');
    expect(done.answers.map((answer) => [answer.column, answer.state, answer.content])).toEqual([
      [0, 'done', ALPHA_REPLY],
      [1, 'done', BRAVO_REPLY],
    ]);
    for (const answer of done.answers) {
      expect(answer.tokens).toBeGreaterThan(0);
      expect(answer.timeToFirstTokenMs).not.toBeNull();
      expect(answer.loadMs).toBeGreaterThanOrEqual(0);
      expect(answer.peakMemoryBytes).toBeGreaterThan(1024 * 1024);
    }
    // The streamed text of each cell is its column's.
    const streamed = (column: number): string =>
      testHost.events.flatMap((event) => (event.event === 'compare.delta' && event.payload.runId === run.id && event.payload.column === column ? [event.payload.text] : [])).join('');
    expect(streamed(0)).toBe(ALPHA_REPLY);
    expect(streamed(1)).toBe(BRAVO_REPLY);

    await call('compare.followUp', { id: run.id, prompt: 'And then?' });
    const followed = await finished(run.id);
    expect(followed.turnList.map((turn) => turn.prompt)).toEqual(['Say something.', 'And then?']);
    expect(followed.answers.filter((answer) => answer.turn === 1).map((answer) => answer.content)).toEqual([ALPHA_REPLY, BRAVO_REPLY]);
    // Saved: it is listed and reopens the same.
    expect((await call('compare.list', {})).map((summary) => summary.id)).toContain(run.id);
    expect(await call('compare.get', { id: run.id })).toEqual(followed);
  }, 60_000);

  test('a reasoning model’s thoughts are kept apart from its answer', async () => {
    const run = await call('compare.start', { modelIds: [ALPHA.file, 'enclave-reasoning.gguf'], prompt: 'Plan my week.' });
    const done = await finished(run.id);
    expect(done.answers.map((answer) => [answer.state, answer.content.trim(), answer.reasoning?.trim() ?? null])).toEqual([
      ['done', ALPHA_REPLY, null],
      ['done', REASONING_ANSWER.trim(), REASONING_THOUGHT.trim()],
    ]);
  }, 60_000);

  test('refuses an unknown model or the same model twice before saving anything', async () => {
    const before = (await call('compare.list', {})).length;
    await expect(call('compare.start', { modelIds: [ALPHA.file, 'missing.gguf'], prompt: 'x' })).rejects.toThrow(/MODEL_NOT_FOUND/);
    await expect(call('compare.start', { modelIds: [ALPHA.file, ALPHA.file], prompt: 'x' })).rejects.toThrow(/BAD_REQUEST/);
    expect((await call('compare.list', {})).length).toBe(before);
  });
});

describe('blind mode and the leaderboard', () => {
  test('the host withholds names, load times and memory until the vote, in results and events alike; the leaderboard moves as the votes say', async () => {
    const votesFor = async (winner: 'alpha' | 'bravo'): Promise<void> => {
      const run = await call('compare.start', { modelIds: [ALPHA.file, BRAVO.file], prompt: 'Who is better?', blind: true, category: 'email' });
      expect(run.columnList.map((column) => column.modelId)).toEqual([null, null]);
      expect(run.revealed).toBe(false);
      const done = await finished(run.id);
      expect(done.answers.map((answer) => answer.state)).toEqual(['done', 'done']);
      expect(done.columnList.map((column) => column.modelId)).toEqual([null, null]);
      expect(done.answers.map((answer) => [answer.loadMs, answer.peakMemoryBytes])).toEqual([
        [null, null],
        [null, null],
      ]);
      expect(JSON.stringify(done)).not.toMatch(MODEL_NAMES);
      const events = runEvents(run.id);
      expect(events.length).toBeGreaterThan(4);
      expect(JSON.stringify(events)).not.toMatch(MODEL_NAMES);
      for (const event of events as { event: string; payload: { answer?: CompareAnswer } }[]) {
        if (event.event === 'compare.answer') expect([event.payload.answer?.loadMs, event.payload.answer?.peakMemoryBytes]).toEqual([null, null]);
      }
      const wanted = winner === 'alpha' ? ALPHA_REPLY : BRAVO_REPLY;
      const revealed = await call('compare.vote', { id: run.id, turn: 0, vote: { winner: columnWriting(done, 0, wanted) } });
      expect(revealed.revealed).toBe(true);
      for (const answer of revealed.answers) {
        expect(answer.content).toBe(replyOf(revealed.columnList[answer.column]?.modelId ?? null));
        expect(answer.peakMemoryBytes).toBeGreaterThan(0);
      }
    };
    await votesFor('alpha');
    expect((await ratings()).get(ALPHA.file)).toBe(1016);
    expect((await ratings()).get(BRAVO.file)).toBe(984);
    expect((await ratings('email')).get(ALPHA.file)).toBe(1016);
    await votesFor('bravo');
    await votesFor('bravo');
    const after = await ratings();
    expect(after.get(BRAVO.file)).toBeGreaterThan(after.get(ALPHA.file) ?? Infinity);
  }, 90_000);

  test('a blind batch stays blind until every turn has a vote; then its votes are locked, and each blind vote counted', async () => {
    const before = await ratings('blind-batch');
    const setId = await setOf([
      { prompt: 'First question?', category: 'blind-batch' },
      { prompt: 'Second question?', category: 'blind-batch' },
    ]);
    const run = await call('compare.startBatch', { setId, modelIds: [ALPHA.file, BRAVO.file], blind: true });
    const done = await finished(run.id);
    const first = await call('compare.vote', { id: run.id, turn: 0, vote: { winner: columnWriting(done, 0, BRAVO_REPLY) } });
    expect(first.revealed).toBe(false);
    expect(first.columnList.map((column) => column.modelId)).toEqual([null, null]);
    // A changed mind before the reveal is still a blind vote.
    const changed = await call('compare.vote', { id: run.id, turn: 0, vote: { winner: columnWriting(done, 0, ALPHA_REPLY) } });
    expect(changed.turnList[0]?.vote).toEqual({ winner: columnWriting(done, 0, ALPHA_REPLY) });
    expect(changed.revealed).toBe(false);
    const last = await call('compare.vote', { id: run.id, turn: 1, vote: { winner: columnWriting(done, 1, ALPHA_REPLY) } });
    expect(last.revealed).toBe(true);
    expect(new Set(last.columnList.map((column) => column.modelId))).toEqual(new Set([ALPHA.file, BRAVO.file]));
    await expect(call('compare.vote', { id: run.id, turn: 1, vote: { outcome: 'tie' } })).rejects.toThrow(/VOTES_LOCKED/);
    expect((await call('compare.get', { id: run.id })).turnList.map((turn) => turn.vote)).toEqual(last.turnList.map((turn) => turn.vote));
    // Two wins for alpha in this category: 1016, then 1016 + 32 × (1 − 1 / (1 + 10^(−32/400))).
    expect(before.size).toBe(0);
    const board = await ratings('blind-batch');
    const second = 16 + 32 * (1 - 1 / (1 + 10 ** (-32 / 400)));
    expect(board.get(ALPHA.file)).toBe(Math.round(1000 + second));
    expect(board.get(BRAVO.file)).toBe(Math.round(1000 - second));
  }, 60_000);

  test('a blind batch changes the models’ order from prompt to prompt, balanced across the set, and withholds the orders until the reveal', async () => {
    const setId = await setOf(Array.from({ length: 6 }, (_, index) => ({ prompt: `Question ${index + 1}?`, category: 'order' })));
    const run = await call('compare.startBatch', { setId, modelIds: [ALPHA.file, BRAVO.file], blind: true });
    const hidden = await finished(run.id);
    expect(hidden.turnList.map((turn) => turn.columnOrder)).toEqual(Array(6).fill(null));
    // Two models over six prompts: alpha writes in column A for exactly three of them.
    const alphaColumns = hidden.turnList.map((turn) => columnWriting(hidden, turn.position, ALPHA_REPLY));
    expect(alphaColumns.filter((column) => column === 0)).toHaveLength(3);
    expect(alphaColumns.filter((column) => column === 1)).toHaveLength(3);
    const revealed = await call('compare.reveal', { id: run.id });
    for (const turn of revealed.turnList) expect([...(turn.columnOrder ?? [])].sort()).toEqual([0, 1]);
    for (const answer of revealed.answers) {
      const column = answerColumn(revealed, answer.turn, answer.column);
      expect(column?.label).toBe(answer.column === 0 ? 'A' : 'B');
      expect(answer.content).toBe(replyOf(column?.modelId ?? null));
    }
    // The report names the model that wrote each answer, wherever it was shown.
    const csv = parseCsv((await call('compare.report', { runIds: [run.id], format: 'csv' })).content);
    const header = csv[0] ?? [];
    for (const row of csv.slice(1)) {
      const model = row[header.indexOf('model')] ?? '';
      expect(row[header.indexOf('answer')]).toBe(model.includes('alpha') || model.includes('Alpha') ? ALPHA_REPLY : BRAVO_REPLY);
    }
  }, 60_000);

  test('a follow-up keeps a blind run hidden; asking to reveal locks the votes of the turns left without one', async () => {
    const run = await call('compare.start', { modelIds: [ALPHA.file, BRAVO.file], prompt: 'Blind first turn', blind: true, category: 'blind-reveal' });
    await finished(run.id);
    await call('compare.followUp', { id: run.id, prompt: 'Blind second turn' });
    const two = await finished(run.id);
    expect(two.revealed).toBe(false);
    expect(two.answers.filter((answer) => answer.turn === 1).map((answer) => answer.state)).toEqual(['done', 'done']);
    expect(JSON.stringify(two)).not.toMatch(MODEL_NAMES);
    await call('compare.vote', { id: run.id, turn: 1, vote: { outcome: 'bad' } });
    const revealed = await call('compare.reveal', { id: run.id });
    expect(revealed.revealed).toBe(true);
    expect(revealed.turnList.map((turn) => turn.vote)).toEqual([null, { outcome: 'bad' }]);
    await expect(call('compare.vote', { id: run.id, turn: 0, vote: { winner: 0 } })).rejects.toThrow(/VOTES_LOCKED/);
    await expect(call('compare.followUp', { id: run.id, prompt: 'Third?' })).rejects.toThrow(/VOTES_LOCKED/);
    const board = await call('compare.leaderboard', {});
    const rows = board.byCategory.find((entry) => entry.category === 'blind-reveal')?.rows ?? [];
    expect(rows.map((row) => [row.modelId, row.ties])).toEqual(
      expect.arrayContaining([
        [ALPHA.file, 1],
        [BRAVO.file, 1],
      ]),
    );
    expect(rows.reduce((sum, row) => sum + row.wins + row.losses, 0)).toBe(0);
  }, 60_000);

  test('votes on runs that were not blind are kept but never feed the leaderboard', async () => {
    const before = await call('compare.leaderboard', {});
    const run = await call('compare.start', { modelIds: [ALPHA.file, BRAVO.file], prompt: 'Seen?', category: 'open-votes' });
    await finished(run.id);
    const voted = await call('compare.vote', { id: run.id, turn: 0, vote: { winner: 1 } });
    expect(voted.turnList[0]?.vote).toEqual({ winner: 1 });
    // Not blind: the vote can change, and does not count.
    const changed = await call('compare.vote', { id: run.id, turn: 0, vote: { winner: 0 } });
    expect(changed.turnList[0]?.vote).toEqual({ winner: 0 });
    expect(await call('compare.leaderboard', {})).toEqual(before);
  }, 60_000);

  test('a blind tie moves the favourite down and the underdog up', async () => {
    const before = await ratings();
    const run = await call('compare.start', { modelIds: [ALPHA.file, BRAVO.file], prompt: 'Tie?', blind: true });
    await finished(run.id);
    await call('compare.vote', { id: run.id, turn: 0, vote: { outcome: 'tie' } });
    const after = await ratings();
    const leader = (before.get(ALPHA.file) ?? 0) > (before.get(BRAVO.file) ?? 0) ? ALPHA.file : BRAVO.file;
    const other = leader === ALPHA.file ? BRAVO.file : ALPHA.file;
    expect(after.get(leader)).toBeLessThan(before.get(leader) ?? 0);
    expect(after.get(other)).toBeGreaterThan(before.get(other) ?? 0);
  }, 60_000);
});

/** The figures of an HTML report: the value of each <data> element, in order, inside the element matched. */
function dataValues(html: string): number[] {
  return [...html.matchAll(/<data value="([^"]+)">/g)].map((match) => Number(match[1]));
}

function tableRows(html: string, table: string): string[] {
  const body = new RegExp(`<table class="${table}">.*?<tbody>(.*?)</tbody>`, 's').exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr>(.*?)<\/tr>/g)].map((match) => match[1] ?? '');
}

function meanOf(values: readonly (number | null)[]): number {
  const present = values.filter((value): value is number => value !== null);
  return present.reduce((sum, value) => sum + value, 0) / present.length;
}

describe('reports', () => {
  test('the CSV holds the stored numbers at a sensible precision, and the HTML report the exact ones, per answer, per model and per category', async () => {
    const setId = await setOf([
      { prompt: 'Report <b>me</b> & "quote"', category: 'report-email' },
      { prompt: 'Second report prompt', category: 'report-quote' },
      { prompt: 'Third report prompt', category: 'report-quote' },
    ]);
    const run = await call('compare.startBatch', { setId, modelIds: [ALPHA.file, BRAVO.file] });
    await finished(run.id);
    await call('compare.rate', { id: run.id, turn: 0, column: 1, rating: 4 });
    await call('compare.rate', { id: run.id, turn: 2, column: 1, rating: 2 });
    const rated = await call('compare.get', { id: run.id });
    expect(rated.answers.every((answer) => answer.state === 'done' && answer.tokensPerSecond !== null)).toBe(true);

    const csv = await call('compare.report', { runIds: [run.id], format: 'csv' });
    expect(csv.savedTo).toBe(join(testHost.dataDir, 'reports', csv.fileName));
    const english = readFileSync(csv.savedTo ?? '', 'utf8');
    // A byte order mark, so that a spreadsheet reads UTF-8.
    expect(english.startsWith('\uFEFF')).toBe(true);
    const rows = parseCsv(english);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    const col = (name: (typeof CSV_COLUMNS)[number]): number => CSV_COLUMNS.indexOf(name);
    const fixed = (value: number | null, digits = 0): string => (value === null ? '' : value.toFixed(digits));
    for (const answer of rated.answers) {
      const row = rows.find((candidate) => candidate[col('run_id')] === run.id && candidate[col('turn')] === String(answer.turn + 1) && candidate[col('column')] === (answer.column === 0 ? 'A' : 'B'));
      expect(row?.[col('model')]).toBe(answer.column === 0 ? 'Compare Alpha' : 'Compare Bravo');
      expect(row?.[col('model_file')]).toBe(answer.column === 0 ? ALPHA.file : BRAVO.file);
      expect(row?.[col('tokens_per_second')]).toBe(fixed(answer.tokensPerSecond, 1));
      expect(row?.[col('time_to_first_token_ms')]).toBe(fixed(answer.timeToFirstTokenMs));
      expect(row?.[col('tokens')]).toBe(String(answer.tokens));
      expect(row?.[col('peak_memory_bytes')]).toBe(fixed(answer.peakMemoryBytes));
      expect(row?.[col('load_ms')]).toBe(fixed(answer.loadMs));
      expect(row?.[col('rating')]).toBe(answer.rating === null ? '' : String(answer.rating));
      expect(row?.[col('answer')]).toBe(answer.content);
    }
    // In French: semicolons between fields and decimal commas, as French Excel expects.
    const french = readFileSync((await call('compare.report', { runIds: [run.id], format: 'csv', locale: 'fr' })).savedTo ?? '', 'utf8');
    expect(french.startsWith('\uFEFF')).toBe(true);
    const frenchRows = parseCsv(french, ';');
    expect(frenchRows[0]).toEqual([...CSV_COLUMNS]);
    expect(frenchRows.slice(1).map((row) => row[col('tokens_per_second')])).toEqual(rows.slice(1).map((row) => row[col('tokens_per_second')]?.replace('.', ',')));
    expect(frenchRows.slice(1).map((row) => row[col('tokens_per_second')])).toEqual(rated.answers.map((answer) => fixed(answer.tokensPerSecond, 1).replace('.', ',')));

    const html = await call('compare.report', { runIds: [run.id], format: 'html', locale: 'en' });
    const page = readFileSync(html.savedTo ?? '', 'utf8');
    expect(page).toContain('<html lang="en">');
    // Every answer's own figures, in the order of the answers.
    const answerFigures = (answer: CompareAnswer): (number | null)[] => [answer.timeToFirstTokenMs, answer.tokensPerSecond, answer.tokens, answer.loadMs, answer.peakMemoryBytes, answer.rating];
    const details = page.slice(page.indexOf('<section>'));
    expect(dataValues(details)).toEqual(rated.answers.flatMap((answer) => answerFigures(answer).filter((value) => value !== null)));
    // Per model: the means of the stored answers, computed here.
    const byModel = (file: string): CompareAnswer[] => rated.answers.filter((answer) => rated.columnList[answer.column]?.modelId === file);
    const perModel = tableRows(page, 'per-model');
    expect(perModel).toHaveLength(2);
    for (const file of [ALPHA.file, BRAVO.file]) {
      const own = byModel(file);
      const row = perModel.find((candidate) => candidate.includes(`<td>${file === ALPHA.file ? 'Compare Alpha' : 'Compare Bravo'}</td>`)) ?? '';
      const rating = own.some((answer) => answer.rating !== null) ? [meanOf(own.map((answer) => answer.rating))] : [];
      expect(dataValues(row)).toEqual([own.length, meanOf(own.map((answer) => answer.tokensPerSecond)), meanOf(own.map((answer) => answer.timeToFirstTokenMs)), ...rating]);
    }
    // Per category: speed (and ratings) of each model on that category's prompts only.
    const perCategory = tableRows(page, 'per-category');
    expect(perCategory).toHaveLength(4);
    const quoteBravo = perCategory.find((row) => row.includes('<td>report-quote</td>') && row.includes('Compare Bravo')) ?? '';
    const quoteAnswers = byModel(BRAVO.file).filter((answer) => answer.turn > 0);
    expect(dataValues(quoteBravo)).toEqual([2, meanOf(quoteAnswers.map((answer) => answer.tokensPerSecond)), meanOf(quoteAnswers.map((answer) => answer.timeToFirstTokenMs)), 2]);
    expect(page).toContain('Report &lt;b&gt;me&lt;/b&gt; &amp; &quot;quote&quot;');
    expect(page).not.toContain('<b>me</b>');
    expect(page).not.toMatch(/<script|src=|href=|url\(|@import/i);
    expect(page).toContain('<svg');
  }, 60_000);

  test('the French report is written in French, numbers in French format', async () => {
    const run = (await call('compare.list', {}))[0];
    if (run === undefined) throw new Error('no run');
    const stored = await call('compare.get', { id: run.id });
    const fr = readFileSync((await call('compare.report', { runIds: [run.id], format: 'html', locale: 'fr' })).savedTo ?? '', 'utf8');
    const en = readFileSync((await call('compare.report', { runIds: [run.id], format: 'html', locale: 'en' })).savedTo ?? '', 'utf8');
    expect(fr).toContain('<html lang="fr">');
    for (const french of [
      'Rapport de comparaison Enclave',
      'Par modèle',
      'Par catégorie',
      'Tous les prompts et toutes les réponses',
      'Réponses',
      'premier jeton',
      'jetons/s',
      'mémoire max.',
      'terminé',
    ])
      expect(fr).toContain(french);
    for (const english of ['Enclave comparison report', 'Per model', 'Per category', 'Every prompt and answer', 'Answers', 'first token', 'tokens/s', 'peak memory', 'Generated']) {
      expect(en).toContain(english);
      expect(fr).not.toContain(english);
    }
    // The same stored figures, printed with a decimal comma.
    expect(dataValues(fr)).toEqual(dataValues(en));
    const speed = stored.answers[0]?.tokensPerSecond ?? 0;
    const printed = (html: string): string => html.split(`<data value="${speed}">`)[1]?.split('</data>')[0] ?? '';
    // French: a decimal comma, and (from 1,000) a space between thousands; English: a decimal point and commas.
    expect(printed(fr)).toMatch(/^\d{1,3}([\u202f\u00a0]\d{3})*,\d\d$/);
    expect(printed(en)).toMatch(/^\d{1,3}(,\d{3})*\.\d\d$/);
    expect(
      Number(
        printed(fr)
          .replace(/[\u202f\u00a0]/g, '')
          .replace(',', '.'),
      ),
    ).toBeCloseTo(speed, 2);
  }, 60_000);
});

/** The multi-turn conversation of test/fixtures/chatgpt/multi-turn.json, on its current path, copied by hand. */
const SOURDOUGH = {
  title: 'Naming a sourdough loaf',
  system: 'Answer in one sentence.',
  turns: [
    ['I run a bakery in Lyon. Suggest three names for a new sourdough loaf.', 'Levain du Rhône, La Miche Lyonnaise or Pain des Canuts.'],
    ['Which one would you put on the shop sign, and why?', 'La Miche Lyonnaise: short, local and easy to read from the street.'],
    ['Now write a one-line description for the menu board.', 'A slow-fermented sourdough miche, baked every morning in Lyon.'],
  ],
} as const;

describe('ChatGPT replay', () => {
  const fixture = (name: string): string => join(import.meta.dirname, '..', '..', '..', 'fixtures', 'chatgpt', name);

  test('several conversations at once: each user turn is asked with ChatGPT’s earlier answers as the history, and ChatGPT’s answer is the reference', async () => {
    for (const name of ['conversations.json', 'multi-turn.json']) await call('conversations.import', { jobId: newJobId(), source: { path: fixture(name) }, locale: 'en' });
    const imported = (await call('conversations.list', {})).filter((summary) => summary.source === 'chatgpt');
    const sourdough = imported.find((summary) => summary.title === SOURDOUGH.title);
    const lyon = imported.find((summary) => summary.title === 'Trip to Lyon');
    if (sourdough === undefined || lyon === undefined) throw new Error('not imported');

    // What the workbench hands the real ChatService (the engine runs as usual).
    const chat = testHost.host.services.chat;
    const generate = vi.spyOn(chat, 'generate');
    const runs = await call('compare.replay', { conversationIds: [sourdough.id, lyon.id], modelIds: [ALPHA.file] });
    await testHost.host.services.compare.runner.idle();
    const asked = generate.mock.calls.filter(([, , caller]) => caller?.kind === 'compare').map(([input]) => input.messages);
    generate.mockRestore();

    expect(runs.map((run) => run.title)).toEqual([SOURDOUGH.title, 'Trip to Lyon']);
    const [bread, trip] = await Promise.all(runs.map((run) => call('compare.get', { id: run.id })));
    if (bread === undefined || trip === undefined) throw new Error('no runs');
    expect(bread.columnList.map((column) => [column.reference, column.modelId])).toEqual([
      [true, null],
      [false, ALPHA.file],
    ]);
    expect(bread.systemPrompt).toBe(SOURDOUGH.system);
    expect(bread.turnList.map((turn) => turn.prompt)).toEqual(SOURDOUGH.turns.map(([question]) => question));
    expect(bread.answers.filter((answer) => answer.column === 0).map((answer) => answer.content)).toEqual(SOURDOUGH.turns.map(([, answer]) => answer));
    expect(bread.answers.filter((answer) => answer.column === 1).map((answer) => [answer.state, answer.content])).toEqual(SOURDOUGH.turns.map(() => ['done', ALPHA_REPLY]));

    const expected: ChatMessage[][] = SOURDOUGH.turns.map(([question], turn) => [
      { role: 'system', content: SOURDOUGH.system },
      ...SOURDOUGH.turns.slice(0, turn).flatMap(([earlier, answer]): ChatMessage[] => [
        { role: 'user', content: earlier },
        { role: 'assistant', content: answer },
      ]),
      { role: 'user', content: question },
    ]);
    expected.push([{ role: 'user', content: 'What should I see in Lyon?' }]);
    // The two runs may go in either order (same creation time): each question once, with its history.
    expect(asked).toHaveLength(expected.length);
    expect(asked).toEqual(expect.arrayContaining(expected));
    expect(trip.answers.map((answer) => answer.content)).toEqual(['Vieux Lyon and the traboules.', ALPHA_REPLY]);

    // The reference is rated like the others.
    const rated = await call('compare.rate', { id: bread.id, turn: 0, column: 0, rating: 5 });
    expect(rated.answers.find((answer) => answer.column === 0 && answer.turn === 0)?.rating).toBe(5);
  }, 60_000);

  test('refuses a conversation that was not imported from ChatGPT, and then replays none of those asked', async () => {
    const local = await call('conversations.create', { title: 'mine' });
    const chatgpt = (await call('conversations.list', {})).find((summary) => summary.source === 'chatgpt');
    if (chatgpt === undefined) throw new Error('nothing imported');
    const before = (await call('compare.list', {})).length;
    await expect(call('compare.replay', { conversationIds: [chatgpt.id, local.id], modelIds: [ALPHA.file] })).rejects.toThrow(/BAD_REQUEST/);
    expect((await call('compare.list', {})).length).toBe(before);
  });

  test('the HTML report renders a markdown answer as the chat does, its raw HTML escaped and its links and images left as text', async () => {
    const answer = [
      '| Pain | Prix |',
      '|------|------|',
      '| Miche | 4 € |',
      '',
      '```js',
      'if (a < b) bake();',
      '```',
      '',
      '<script>alert("x")</script> <img src="https://tracker.example/p.png">',
      '',
      'See [the recipe](https://recipes.example/miche), ![a loaf](https://images.example/loaf.png), <https://auto.example> and www.bare.example.',
    ].join('\n');
    const node = (id: string, role: string, text: string, parent: string, children: string[]): object => ({
      id,
      message: { author: { role }, content: { content_type: 'text', parts: [text] }, create_time: 1720000100 },
      parent,
      children,
    });
    const conversation = {
      title: 'Markdown answer',
      create_time: 1720000100,
      update_time: 1720000200,
      current_node: 'md-a',
      mapping: {
        'md-root': { id: 'md-root', message: null, parent: null, children: ['md-q'] },
        'md-q': node('md-q', 'user', 'A price table?', 'md-root', ['md-a']),
        'md-a': node('md-a', 'assistant', answer, 'md-q', []),
      },
    };
    const exportFile = join(testHost.dataDir, 'markdown-answer.json');
    writeFileSync(exportFile, JSON.stringify([conversation]));
    await call('conversations.import', { jobId: newJobId(), source: { path: exportFile }, locale: 'en' });
    const imported = (await call('conversations.list', {})).find((summary) => summary.title === 'Markdown answer');
    if (imported === undefined) throw new Error('not imported');
    const [run] = await call('compare.replay', { conversationIds: [imported.id], modelIds: [ALPHA.file] });
    if (run === undefined) throw new Error('no run');
    await finished(run.id);

    const page = readFileSync((await call('compare.report', { runIds: [run.id], format: 'html', locale: 'fr' })).savedTo ?? '', 'utf8');
    expect(page).toContain('<table>\n<thead>\n<tr>\n<th>Pain</th>');
    expect(page).toContain('<td>Miche</td>\n<td>4 €</td>');
    expect(page).toContain('<pre><code class="language-js">if (a &lt; b) bake();\n</code></pre>');
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &lt;img src=&quot;https://tracker.example/p.png&quot;&gt;');
    expect(page).toContain('See [the recipe](https://recipes.example/miche), ![a loaf](https://images.example/loaf.png), &lt;https://auto.example&gt; and www.bare.example.');
    // Nothing in the page runs or asks anything of the network.
    expect(page).not.toMatch(/<script|<img|src="|href="|url\(|@import/i);
    // A replay's category in the report's language.
    expect(page).toContain('conversation ChatGPT rejouée');
    expect(page).not.toContain('chatgpt-replay');
  }, 60_000);
});

describe('scheduling', () => {
  test('with room for two answers, both columns start at once and each still gets its own text', async () => {
    const { store } = testHost.host.services.compare;
    const events: unknown[] = [];
    const host = testHost.host;
    const runner = new CompareRunner({
      store,
      chat: host.services.chat,
      loadedModelIds: () => host.services.engine.status.loaded.map((model) => model.modelId),
      enginePidOf: (modelId) => host.services.engine.clientOf(modelId)?.pid,
      emit: (event) => events.push(event),
      capacity: { concurrency: () => 2 },
    });
    // Saved straight into the store, so the host's own runner (one at a time) is not told of it.
    const id = store.create({
      kind: 'batch',
      title: 'two at once',
      systemPrompt: '',
      blind: false,
      sampling: {},
      columns: [ALPHA.file, BRAVO.file].map((modelId) => ({ modelId, reference: false })),
      turns: [0, 1].map((turn) => ({ prompt: `Q${turn}`, category: null, gradingNotes: null })),
    });
    runner.kick();
    await runner.idle();
    runner.dispose();
    const run = store.get(id);
    expect(run.state).toBe('done');
    expect(run.answers.map((answer) => [answer.turn, answer.column, answer.content])).toEqual([
      [0, 0, ALPHA_REPLY],
      [0, 1, BRAVO_REPLY],
      [1, 0, ALPHA_REPLY],
      [1, 1, BRAVO_REPLY],
    ]);
    const active = events.flatMap((event) => ((event as { event: string }).event === 'compare.progress' ? [(event as { payload: { active: unknown[] } }).payload.active.length] : []));
    expect(Math.max(...active)).toBe(2);
  }, 60_000);
});
