/**
 * Documents in the comparison workbench, on a real Host: the French corpus read by the real
 * libraries, two models answering through real node-llama-cpp (the citing fixture model, which
 * cites [1] and [9], and the scripted one, which cites nothing), each prompt's passages retrieved
 * once and given to both, each answer keeping the sources it cites; documents only; a blind prompt
 * set whose sources name no model; the report and CSV with the sources per model.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { newJobId } from '#shared/chat.ts';
import { answerColumn, type CompareRun } from '#shared/compare.ts';
import type { CommandInput, CommandName, CommandResult } from '#shared/contract.ts';
import { parseCsv } from '../../../../electron/services/compare/prompt-sets.ts';
import { CSV_COLUMNS } from '../../../../electron/services/compare/report.ts';
import { writeCorpus } from '../../../fixtures/documents/corpus.ts';
import { CITING_REPLY, ensureCitingModel, ensureFixtureModels, SCRIPTED_REPLY } from '../../../fixtures/gguf/index.ts';
import { createTestHost, type TestHost } from '../../../support/test-host.ts';

const CITING = 'enclave-citing.gguf';
const SCRIPTED = 'enclave-scripted.gguf';
const CONTRACT = 'contrat-maintenance-informatique.pdf';
const QUESTION = 'Quel est le préavis pour résilier le contrat de maintenance informatique ?';
let t: TestHost;
let corpusDir: string;
let collectionId: string;

async function call<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandResult<C>> {
  const outcome = await t.host.call(command, input);
  if (!outcome.ok) throw Object.assign(new Error(`${command}: ${outcome.error.code} ${outcome.error.message}`), { code: outcome.error.code });
  return outcome.result as CommandResult<C>;
}

async function finished(id: string): Promise<CompareRun> {
  await t.host.services.compare.runner.idle();
  return call('compare.get', { id });
}

/** The answer of this turn written by this model (columns may be shuffled: blind runs). */
function answerOf(run: CompareRun, turn: number, modelId: string): CompareRun['answers'][number] | undefined {
  return run.answers.find((answer) => answer.turn === turn && answerColumn(run, turn, answer.column)?.modelId === modelId);
}

beforeAll(async () => {
  t = await createTestHost([await ensureCitingModel(), (await ensureFixtureModels()).scripted], { ENCLAVE_THREADS: '1' });
  corpusDir = await mkdtemp(join(tmpdir(), 'enclave-compare-corpus-'));
  const paths = await writeCorpus(corpusDir);
  collectionId = (await call('documents.create', { name: 'Contrats' })).id;
  await call('documents.add', { jobId: newJobId(), collectionId, sources: paths.map((path) => ({ path })) });
  await t.host.services.documents.ingestion.idle();
}, 120_000);

afterAll(async () => {
  await t?.dispose();
  await rm(corpusDir, { recursive: true, force: true });
});

describe('a comparison with a collection attached', () => {
  let run: CompareRun;

  beforeAll(async () => {
    const ground = vi.spyOn(t.host.services.documents.grounding, 'ground');
    const started = await call('compare.start', { modelIds: [CITING, SCRIPTED], prompt: QUESTION, documents: { collectionIds: [collectionId], only: false, locale: 'fr' } });
    run = await finished(started.id);
    // Retrieved once for the prompt, for both models.
    expect(ground).toHaveBeenCalledTimes(1);
    ground.mockRestore();
  }, 120_000);

  test('each model answers with the sources it cites, from the same passages', () => {
    expect(run.documents).toEqual({ collectionIds: [collectionId], only: false, locale: 'fr' });
    const citing = answerOf(run, 0, CITING);
    const scripted = answerOf(run, 0, SCRIPTED);
    expect(citing).toMatchObject({ state: 'done', content: CITING_REPLY });
    expect(scripted).toMatchObject({ state: 'done', content: SCRIPTED_REPLY });
    // [1] is the contract's page 2; [9] points nowhere and is no source.
    expect(citing?.sources).toEqual([expect.objectContaining({ n: 1, fileName: CONTRACT, page: 2 })]);
    expect(citing?.sources?.[0]?.passage).toContain('préavis de trois mois');
    expect(scripted?.sources).toEqual([]);
    const grounding = t.host.services.compare.store.turnGrounding(run.id, 0);
    expect(grounding?.kind).toBe('grounded');
    expect(grounding?.kind === 'grounded' && grounding.sources[0]).toMatchObject({ n: 1, fileName: CONTRACT, page: 2 });
  });

  test('the report and the CSV give each model its sources', async () => {
    const html = (await call('compare.report', { runIds: [run.id], format: 'html', locale: 'fr' })).content;
    expect(html).toContain('[1] contrat-maintenance-informatique.pdf, page 2');
    expect(html).toContain('Sources\u00a0: aucune citée');
    expect(html).toContain('Réponses à partir de 1 collection de documents');
    const csv = (await call('compare.report', { runIds: [run.id], format: 'csv', locale: 'en' })).content;
    const [header, ...rows] = parseCsv(csv.replace(/^\uFEFF/, ''));
    expect(header).toEqual([...CSV_COLUMNS]);
    const sources = header?.indexOf('sources') ?? -1;
    const model = header?.indexOf('model_file') ?? -1;
    expect(rows.map((row) => [row[model], row[sources]])).toEqual([
      [CITING, '[1] contrat-maintenance-informatique.pdf, page 2'],
      [SCRIPTED, ''],
    ]);
  });
});

test('documents only: a prompt the documents do not answer gets "not found" for every model, without asking them', async () => {
  const started = await call('compare.start', {
    modelIds: [CITING, SCRIPTED],
    prompt: 'Quelle est la couleur du logo de la marque ?',
    documents: { collectionIds: [collectionId], only: true, locale: 'fr' },
  });
  const run = await finished(started.id);
  expect(run.answers.map((answer) => [answer.state, answer.content, answer.sources, answer.tokens])).toEqual([
    ['done', 'Je ne trouve pas cela dans vos documents.', [], null],
    ['done', 'Je ne trouve pas cela dans vos documents.', [], null],
  ]);
});

test('a blind prompt set with documents: sources per answer, and nothing in them names a model until the reveal', async () => {
  const set = await call('compare.saveSet', {
    id: null,
    set: {
      name: 'Contrats',
      language: 'fr',
      prompts: [
        { prompt: QUESTION, category: 'contrats' },
        { prompt: 'Quel est le code superviseur pour annuler un ticket de caisse ?', category: 'manuel' },
      ],
    },
  });
  const started = await call('compare.startBatch', { setId: set.id, modelIds: [CITING, SCRIPTED], blind: true, documents: { collectionIds: [collectionId], only: false, locale: 'en' } });
  const run = await finished(started.id);
  expect(run.revealed).toBe(false);
  expect(JSON.stringify(run)).not.toMatch(/enclave-(citing|scripted)|Enclave (Citing|Scripted)/);
  const cited = run.answers.filter((answer) => answer.content === CITING_REPLY).map((answer) => [answer.turn, answer.sources?.map((source) => [source.fileName, source.page])]);
  expect(cited).toEqual([
    [0, [[CONTRACT, 2]]],
    [1, [['manuel-logiciel-caisse.pdf', 6]]],
  ]);
  expect(run.answers.filter((answer) => answer.content === SCRIPTED_REPLY).map((answer) => answer.sources)).toEqual([[], []]);
  // Each prompt of a set is retrieved on its own: the second prompt's passages are the manual's.
  const second = t.host.services.compare.store.turnGrounding(run.id, 1);
  expect(second?.kind === 'grounded' && second.sources.every((source) => source.fileName === 'manuel-logiciel-caisse.pdf')).toBe(true);
});

test('a collection that is not in the app is refused before anything is saved', async () => {
  const before = (await call('compare.list', {})).length;
  await expect(call('compare.start', { modelIds: [CITING, SCRIPTED], prompt: QUESTION, documents: { collectionIds: ['no-such-collection'], only: false, locale: 'en' } })).rejects.toMatchObject({
    code: 'NOT_FOUND',
  });
  expect((await call('compare.list', {})).length).toBe(before);
});
