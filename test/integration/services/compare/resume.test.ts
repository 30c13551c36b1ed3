/**
 * A prompt-set batch survives the host being killed (SIGKILL, no shutdown): on the next start it
 * resumes by itself, finishes, and never redoes an answer that was finished before the kill.
 */
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, expect, test } from 'vitest';
import type { CompareEventPayloads, CompareRun, PromptSet } from '#shared/compare.ts';
import { endlessText, ensureFixtureModels } from '../../../fixtures/gguf/index.ts';
import { ALPHA, ALPHA_REPLY, writeCompareModels } from '../../../support/compare-models.ts';
import { ContractClient, startWebHostProcess, type ResultFrame, type WebHostProcess } from '../../../support/web-host-process.ts';

const PROMPTS = 4;
const MAX_TOKENS = 300;
const ENDLESS = 'enclave-endless.gguf';
const hosts: WebHostProcess[] = [];
let dir = '';

afterAll(async () => {
  for (const host of hosts) if (host.child.exitCode === null && host.child.signalCode === null) await host.stop();
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

function resultOf<T>(frame: ResultFrame): T {
  if (!frame.ok) throw new Error(`${frame.error.code}: ${frame.error.message}`);
  return frame.result as T;
}

interface FinishedRow {
  turn: number;
  column_position: number;
  content: string;
  finished_at: number;
}

function doneRows(file: string, runId: string): FinishedRow[] {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return db
      .prepare("SELECT turn, column_position, content, finished_at FROM compare_answers WHERE run_id = ? AND state = 'done' ORDER BY turn, column_position")
      .all(runId) as unknown as FinishedRow[];
  } finally {
    db.close();
  }
}

test('a batch killed mid-run resumes on the next start without redoing finished answers', async () => {
  dir = await mkdtemp(join(tmpdir(), 'enclave-compare-resume-'));
  const dataDir = join(dir, 'data');
  const modelsDir = join(dir, 'models');
  await mkdir(modelsDir, { recursive: true });
  await writeCompareModels(modelsDir);
  await copyFile((await ensureFixtureModels()).endless, join(modelsDir, ENDLESS));
  const env = { ...process.env, ENCLAVE_DATA_DIR: dataDir, ENCLAVE_MODELS_DIR: modelsDir, ENCLAVE_THREADS: '1' };

  const first = await startWebHostProcess({ env });
  hosts.push(first);
  const client = await ContractClient.connect(first.url);
  const csv = ['category,prompt', ...Array.from({ length: PROMPTS }, (_, i) => `test,Question ${i + 1}?`)].join('\n');
  const set = resultOf<PromptSet>(await client.call('compare.importSet', { content: csv, format: 'csv', name: 'Resume' }));
  const run = resultOf<CompareRun>(await client.call('compare.startBatch', { setId: set.id, modelIds: [ALPHA.file, ENDLESS], sampling: { maxTokens: MAX_TOKENS } }));
  // The two columns run side by side, each model in its engine process: the alpha model's short
  // answers end long before the endless model's. Killed once the alpha column is done.
  await client.waitForEvent((frame) => {
    const payload = frame.payload as CompareEventPayloads['compare.progress'];
    return frame.event === 'compare.progress' && payload.runId === run.id && payload.done >= PROMPTS;
  });
  first.child.kill('SIGKILL');
  await new Promise((resolve) => first.child.once('exit', resolve));

  const dbFile = join(dataDir, 'conversations.db');
  const beforeKill = doneRows(dbFile, run.id);
  expect(beforeKill.length).toBeGreaterThanOrEqual(PROMPTS);
  expect(beforeKill.length).toBeLessThan(PROMPTS * 2);

  const second = await startWebHostProcess({ env });
  hosts.push(second);
  const again = await ContractClient.connect(second.url);
  await again.waitForEvent((frame) => {
    const payload = frame.payload as CompareEventPayloads['compare.progress'];
    return frame.event === 'compare.progress' && payload.runId === run.id && payload.done === payload.total;
  }, 60_000);
  const resumed = resultOf<CompareRun>(await again.call('compare.get', { id: run.id }));
  expect(resumed.state).toBe('done');
  expect(resumed.answers.map((answer) => [answer.turn, answer.column, answer.state, answer.content])).toEqual(
    Array.from({ length: PROMPTS }, (_, turn) => [
      [turn, 0, 'done', ALPHA_REPLY],
      [turn, 1, 'done', endlessText(MAX_TOKENS)],
    ]).flat(),
  );
  // Answers finished before the kill were kept as they were, not generated again.
  const after = doneRows(dbFile, run.id);
  for (const row of beforeKill) expect(after).toContainEqual(row);
  expect(after.length).toBe(PROMPTS * 2);
  await second.stop();
}, 120_000);
