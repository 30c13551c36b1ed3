/**
 * The comparison workbench on a real Host with a real engine process and two bigram models whose
 * answers are known: columns, statistics, follow-ups, blind votes, the leaderboard, reports, replay.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CompareRun } from '../../shared/compare.ts';
import type { CommandInput, CommandName, CommandResult } from '../../shared/contract.ts';
import { CSV_COLUMNS, formatFigure } from '../../electron/services/compare/report.ts';
import { parseCsv } from '../../electron/services/compare/prompt-sets.ts';
import { ALPHA, ALPHA_REPLY, BRAVO, BRAVO_REPLY, writeCompareModels } from '../support/compare-models.ts';
import { createTestHost, type TestHost } from '../support/test-host.ts';

let testHost: TestHost;

async function call<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandResult<C>> {
  const outcome = await testHost.host.call(command, input);
  if (!outcome.ok) throw new Error(`${command}: ${outcome.error.code} ${outcome.error.message}`);
  return outcome.result as CommandResult<C>;
}

async function finished(id: string): Promise<CompareRun> {
  await testHost.host.compare.runner.idle();
  return call('compare.get', { id });
}

function replyOf(modelId: string | null): string {
  return modelId === ALPHA.file ? ALPHA_REPLY : BRAVO_REPLY;
}

beforeAll(async () => {
  testHost = await createTestHost([], { ENCLAVE_THREADS: '1' });
  await writeCompareModels(testHost.modelsDir);
  await testHost.host.library.rescan();
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

  test('refuses an unknown model or the same model twice before saving anything', async () => {
    const before = (await call('compare.list', {})).length;
    await expect(call('compare.start', { modelIds: [ALPHA.file, 'missing.gguf'], prompt: 'x' })).rejects.toThrow(/MODEL_NOT_FOUND/);
    await expect(call('compare.start', { modelIds: [ALPHA.file, ALPHA.file], prompt: 'x' })).rejects.toThrow(/BAD_REQUEST/);
    expect((await call('compare.list', {})).length).toBe(before);
  });
});

describe('blind mode and the leaderboard', () => {
  test('names stay hidden until the vote, and the leaderboard moves as the votes say', async () => {
    const votesFor = async (winner: 'alpha' | 'bravo'): Promise<void> => {
      const run = await call('compare.start', { modelIds: [ALPHA.file, BRAVO.file], prompt: 'Who is better?', blind: true, category: 'email' });
      expect(run.columnList.map((column) => column.modelId)).toEqual([null, null]);
      expect(run.revealed).toBe(false);
      const done = await finished(run.id);
      expect(done.columnList.map((column) => column.modelId)).toEqual([null, null]);
      expect(JSON.stringify(done)).not.toMatch(/compare-(alpha|bravo)/);
      // The user judges by the text alone.
      const wanted = winner === 'alpha' ? ALPHA_REPLY : BRAVO_REPLY;
      const column = done.answers.find((answer) => answer.content === wanted)?.column ?? -1;
      const revealed = await call('compare.vote', { id: run.id, turn: 0, vote: { winner: column } });
      expect(revealed.revealed).toBe(true);
      for (const answer of revealed.answers) expect(answer.content).toBe(replyOf(revealed.columnList[answer.column]?.modelId ?? null));
    };
    const ratingOf = async (file: string, category?: string): Promise<number | undefined> => {
      const board = await call('compare.leaderboard', {});
      const rows = category === undefined ? board.overall : board.byCategory.find((entry) => entry.category === category)?.rows;
      return rows?.find((row) => row.modelId === file)?.rating;
    };
    await votesFor('alpha');
    expect(await ratingOf(ALPHA.file)).toBe(1016);
    expect(await ratingOf(BRAVO.file)).toBe(984);
    expect(await ratingOf(ALPHA.file, 'email')).toBe(1016);
    await votesFor('bravo');
    await votesFor('bravo');
    expect(await ratingOf(BRAVO.file)).toBeGreaterThan((await ratingOf(ALPHA.file)) ?? Infinity);
  }, 90_000);

  test('a tie moves the favourite down and the underdog up', async () => {
    const board = await call('compare.leaderboard', {});
    const before = new Map(board.overall.map((row) => [row.modelId, row.rating]));
    const run = await call('compare.start', { modelIds: [ALPHA.file, BRAVO.file], prompt: 'Tie?' });
    await finished(run.id);
    await call('compare.vote', { id: run.id, turn: 0, vote: { outcome: 'tie' } });
    const after = new Map((await call('compare.leaderboard', {})).overall.map((row) => [row.modelId, row.rating]));
    const leader = (before.get(ALPHA.file) ?? 0) > (before.get(BRAVO.file) ?? 0) ? ALPHA.file : BRAVO.file;
    const other = leader === ALPHA.file ? BRAVO.file : ALPHA.file;
    expect(after.get(leader)).toBeLessThan(before.get(leader) ?? 0);
    expect(after.get(other)).toBeGreaterThan(before.get(other) ?? 0);
  }, 60_000);
});

describe('reports', () => {
  test('the CSV and the HTML report hold the exact numbers stored', async () => {
    const run = await call('compare.start', { modelIds: [ALPHA.file, BRAVO.file], prompt: 'Report <b>me</b> & "quote"' });
    const stored = await finished(run.id);
    await call('compare.rate', { id: run.id, turn: 0, column: 1, rating: 4 });
    const rated = await call('compare.get', { id: run.id });

    const csv = await call('compare.report', { runIds: [run.id], format: 'csv' });
    expect(csv.savedTo).toBe(join(testHost.dataDir, 'reports', csv.fileName));
    const rows = parseCsv(readFileSync(csv.savedTo ?? '', 'utf8'));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    const col = (name: (typeof CSV_COLUMNS)[number]): number => CSV_COLUMNS.indexOf(name);
    for (const answer of rated.answers) {
      const row = rows.find((candidate) => candidate[col('run_id')] === run.id && candidate[col('column')] === (answer.column === 0 ? 'A' : 'B'));
      expect(row?.[col('tokens_per_second')]).toBe(String(answer.tokensPerSecond));
      expect(row?.[col('time_to_first_token_ms')]).toBe(String(answer.timeToFirstTokenMs));
      expect(row?.[col('tokens')]).toBe(String(answer.tokens));
      expect(row?.[col('peak_memory_bytes')]).toBe(String(answer.peakMemoryBytes));
      expect(row?.[col('load_ms')]).toBe(String(answer.loadMs));
      expect(row?.[col('rating')]).toBe(answer.rating === null ? '' : String(answer.rating));
      expect(row?.[col('answer')]).toBe(answer.content);
    }
    expect(stored.answers.map((answer) => answer.tokensPerSecond)).toEqual(rated.answers.map((answer) => answer.tokensPerSecond));

    const html = await call('compare.report', { runIds: [run.id], format: 'html' });
    const page = readFileSync(html.savedTo ?? '', 'utf8');
    for (const answer of rated.answers) {
      expect(page).toContain(`${formatFigure(answer.tokensPerSecond)} tokens/s`);
      expect(page).toContain(`first token ${formatFigure(answer.timeToFirstTokenMs)} ms`);
      expect(page).toContain(`peak memory ${answer.peakMemoryBytes} bytes`);
    }
    expect(page).toContain('rating 4');
    expect(page).toContain('Report &lt;b&gt;me&lt;/b&gt; &amp; &quot;quote&quot;');
    expect(page).not.toContain('<b>me</b>');
    expect(page).not.toMatch(/<script|src=|href=/i);
    expect(page).toContain('<svg');
  }, 60_000);
});

describe('ChatGPT replay', () => {
  test('replays each user turn of the shown path, with ChatGPT’s answers as the reference column', async () => {
    const fixture = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'chatgpt', 'conversations.json'), 'utf8');
    await call('conversations.importChatGpt', { content: fixture });
    const imported = (await call('conversations.list', {})).find((summary) => summary.source === 'chatgpt');
    if (imported === undefined) throw new Error('nothing imported');
    const conversation = await call('conversations.get', { id: imported.id });
    const questions = conversation.messages.filter((message) => message.role === 'user').map((message) => message.content);
    const references = conversation.messages.flatMap((message, index) => (message.role === 'user' ? [conversation.messages[index + 1]?.content ?? ''] : []));
    expect(questions.length).toBeGreaterThan(0);

    const run = await call('compare.replay', { conversationId: imported.id, modelIds: [ALPHA.file] });
    expect(run.columnList.map((column) => [column.reference, column.modelId])).toEqual([
      [true, null],
      [false, ALPHA.file],
    ]);
    const done = await finished(run.id);
    expect(done.turnList.map((turn) => turn.prompt)).toEqual(questions);
    expect(done.systemPrompt).toBe(conversation.settings.systemPrompt);
    expect(done.answers.filter((answer) => answer.column === 0).map((answer) => answer.content)).toEqual(references);
    expect(done.answers.filter((answer) => answer.column === 1).map((answer) => [answer.state, answer.content])).toEqual(questions.map(() => ['done', ALPHA_REPLY]));
    // The reference is rated like the others.
    const rated = await call('compare.rate', { id: run.id, turn: 0, column: 0, rating: 5 });
    expect(rated.answers.find((answer) => answer.column === 0 && answer.turn === 0)?.rating).toBe(5);
  }, 60_000);

  test('refuses a conversation that was not imported from ChatGPT', async () => {
    const local = await call('conversations.create', { title: 'mine' });
    await expect(call('compare.replay', { conversationId: local.id, modelIds: [ALPHA.file] })).rejects.toThrow(/BAD_REQUEST/);
  });
});
