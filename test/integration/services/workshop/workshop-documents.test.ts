/**
 * A workshop room that shares a collection read-only, on loopback with a real Host and real
 * node-llama-cpp (the citing fixture model): a participant's questions are answered from the shared
 * collection with their sources, whatever their window sends; its passages open; the trainer's other
 * collection is out of reach (never retrieved, its files NOT_FOUND); no participant can list,
 * create, add to, search or delete collections.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { newJobId, type StoredMessage } from '#shared/chat.ts';
import type { ServerFrame } from '#shared/contract.ts';
import type { Conversation } from '#shared/conversations.ts';
import type { CollectionSummary, DocumentFile, DocumentWindow } from '#shared/documents.ts';
import type { WorkshopMe, WorkshopStatus } from '#shared/workshop.ts';
import { CORPUS_FILES, writeCorpus } from '../../../fixtures/documents/corpus.ts';
import { CITING_REPLY, ensureCitingModel } from '../../../fixtures/gguf/index.ts';
import { directDispatcher, directFetch, freePort } from '../../../support/loopback.ts';
import { createTestHost, type TestHost } from '../../../support/test-host.ts';
import { ContractClient } from '../../../support/web-host-process.ts';

const CITING = 'enclave-citing.gguf';
const CONTRACT = 'contrat-maintenance-informatique.pdf';
const RULES = 'reglement-interieur.docx';
let t: TestHost;
let corpusDir: string;
let status: WorkshopStatus;
let shared: CollectionSummary;
let hr: CollectionSummary;
let client: ContractClient;

async function trainer<T>(command: string, input: unknown = {}): Promise<T> {
  const outcome = await t.host.call(command, input);
  if (!outcome.ok) throw Object.assign(new Error(`${command}: ${outcome.error.code} ${outcome.error.message}`), { code: outcome.error.code });
  return outcome.result as T;
}

type Result = Extract<ServerFrame, { type: 'result' }>;
function resultOf<T>(frame: Result): T {
  if (!frame.ok) throw new Error(`${frame.error.code}: ${frame.error.message}`);
  return frame.result as T;
}

/** Asks in a new conversation and waits for the saved answer. */
async function ask(content: string, documents?: unknown): Promise<StoredMessage> {
  const jobId = newJobId();
  const started = resultOf<{ saved: { conversationId: string; answer: StoredMessage } }>(
    await client.call('chat.generate', { jobId, modelId: CITING, conversation: { id: null, parentId: null, content, ...(documents !== undefined && { documents }) } }),
  );
  if (started.saved.answer.state === 'generating') await client.waitForEvent((frame) => frame.event === 'chat.done' && (frame.payload as { jobId: string }).jobId === jobId, 120_000);
  const conversation = resultOf<Conversation>(await client.call('conversations.get', { id: started.saved.conversationId }));
  const answer = conversation.messages.find((message) => message.id === started.saved.answer.id);
  if (answer === undefined) throw new Error('the answer was not saved');
  return answer;
}

beforeAll(async () => {
  const rendererDir = await mkdtemp(join(tmpdir(), 'enclave-workshop-documents-renderer-'));
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Enclave</title><div id="root"></div>');
  t = await createTestHost([await ensureCitingModel()], { ENCLAVE_THREADS: '1', ENCLAVE_WORKSHOP_GRACE_MS: '0' }, { rendererDir });
  corpusDir = await mkdtemp(join(tmpdir(), 'enclave-workshop-corpus-'));
  await mkdir(corpusDir, { recursive: true });
  const paths = await writeCorpus(corpusDir);
  shared = await trainer<CollectionSummary>('documents.create', { name: 'Contrats' });
  hr = await trainer<CollectionSummary>('documents.create', { name: 'RH' });
  const isHr = (path: string): boolean => path.endsWith(RULES) || path.endsWith('procedure-conges.odt');
  await trainer('documents.add', { jobId: newJobId(), collectionId: shared.id, sources: paths.filter((path) => !isHr(path)).map((path) => ({ path })) });
  await trainer('documents.add', { jobId: newJobId(), collectionId: hr.id, sources: paths.filter(isHr).map((path) => ({ path })) });
  await t.host.services.documents.ingestion.idle();
  status = await trainer<WorkshopStatus>('workshop.start', { address: '127.0.0.1', port: await freePort(), modelIds: [CITING], documents: { collectionIds: [shared.id], only: false } });
  const joined = await directFetch(`${status.url}/workshop/join`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ code: status.joinCode ?? '', name: 'Léa' }).toString(),
  });
  client = await ContractClient.connect(status.url ?? '', { Cookie: joined.headers.get('set-cookie')?.split(';')[0] ?? '' });
}, 120_000);

afterAll(async () => {
  client?.close();
  await t?.dispose();
  await directDispatcher.close();
  await rm(corpusDir, { recursive: true, force: true });
});

test('the console and the participant see which collection the room shares', async () => {
  expect(status.documents).toEqual({ collections: [{ id: shared.id, name: 'Contrats' }], only: false });
  expect(resultOf<WorkshopMe>(await client.call('workshop.me', {})).documents).toEqual({ collections: [{ id: shared.id, name: 'Contrats' }], only: false });
});

test('a participant’s question is answered from the shared collection, with its source, and the source opens', async () => {
  const answer = await ask('Quel est le préavis pour résilier le contrat de maintenance informatique ?', { collectionIds: [shared.id], only: false, locale: 'fr' });
  expect(answer.content).toBe(CITING_REPLY);
  expect(answer.sources).toEqual([expect.objectContaining({ n: 1, fileName: CONTRACT, page: 2 })]);
  const source = answer.sources?.[0];
  const window = resultOf<DocumentWindow>(await client.call('documents.passages', { fileId: source?.fileId, page: source?.page, quote: source?.passage.slice(0, 200) }));
  expect(window.passages.find((passage) => passage.position === window.target)?.text).toContain('préavis de trois mois');
  // Without naming any collection, the room's still answers: the trainer decides, not the window.
  const again = await ask('Quel est le préavis pour résilier le contrat de maintenance informatique ?');
  expect(again.sources).toEqual([expect.objectContaining({ fileName: CONTRACT, page: 2 })]);
});

test('the trainer’s other collection is out of reach', async () => {
  // Its passage about remote work is never retrieved for a participant.
  const answer = await ask('Combien de jours de télétravail par semaine le règlement intérieur autorise-t-il ?', { collectionIds: [shared.id], only: false, locale: 'fr' });
  expect((answer.sources ?? []).some((source) => source.fileName === RULES)).toBe(false);
  // Naming it is refused, before anything is saved.
  const named = await client.call('chat.generate', {
    jobId: newJobId(),
    modelId: CITING,
    conversation: { id: null, parentId: null, content: 'télétravail', documents: { collectionIds: [hr.id], only: false, locale: 'fr' } },
  });
  expect(named).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  // Its files do not open.
  const rules = (await trainer<DocumentFile[]>('documents.files', { collectionId: hr.id })).find((file) => file.name === RULES);
  expect(await client.call('documents.passages', { fileId: rules?.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
});

test('participants cannot list, create, add to, search or delete collections', async () => {
  const contract = (await trainer<DocumentFile[]>('documents.files', { collectionId: shared.id })).find((file) => file.name === CONTRACT);
  const attempts: [string, unknown][] = [
    ['documents.list', {}],
    ['documents.files', { collectionId: shared.id }],
    ['documents.create', { name: 'Mine' }],
    ['documents.rename', { id: shared.id, name: 'Mine' }],
    ['documents.add', { jobId: newJobId(), collectionId: shared.id, sources: [{ path: '/etc/hostname' }] }],
    ['documents.removeFile', { fileId: contract?.id }],
    ['documents.delete', { id: shared.id }],
    ['documents.search', { collectionIds: [hr.id], query: 'télétravail' }],
  ];
  for (const [command, input] of attempts) expect(await client.call(command, input), command).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  // What their conversations answer from is the room's, whichever conversation they name.
  expect(resultOf(await client.call('documents.attachment', { conversationId: shared.id }))).toEqual({ collectionIds: [shared.id], only: false });
  expect((await trainer<CollectionSummary[]>('documents.list', {})).map((collection) => [collection.name, collection.files])).toEqual([
    ['Contrats', CORPUS_FILES.length - 2],
    ['RH', 2],
  ]);
});

test('a collection that is not in the app cannot be shared', async () => {
  await expect(trainer('workshop.start', { address: '127.0.0.1', port: await freePort(), documents: { collectionIds: ['no-such-collection'], only: false } })).rejects.toMatchObject({
    code: 'NOT_FOUND',
  });
  expect(t.host.services.workshop.status().state).toBe('open');
});
