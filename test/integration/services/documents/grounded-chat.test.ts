/**
 * Grounded answers through the real Host: the corpus ingested by the real libraries, questions
 * asked in a conversation answered by real node-llama-cpp on the citing fixture model, and the
 * sources saved with the answer (only those it cites), documents only, follow-ups.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { newJobId, type ChatCommandResults } from '#shared/chat.ts';
import type { CommandName } from '#shared/contract.ts';
import type { Conversation } from '#shared/conversations.ts';
import type { CollectionSummary, DocumentAttachment, DocumentFile } from '#shared/documents.ts';
import { uploadPath, uploadsDirOf } from '../../../../electron/services/platform/uploads.ts';
import { writeCorpus } from '../../../fixtures/documents/corpus.ts';
import { CITING_REPLY, ensureCitingModel } from '../../../fixtures/gguf/index.ts';
import { createTestHost, type TestHost } from '../../../support/test-host.ts';

const CITING = 'enclave-citing.gguf';
let t: TestHost;
let corpusDir: string;
let collection: CollectionSummary;

async function call<T>(command: CommandName, input: unknown): Promise<T> {
  const outcome = await t.host.call(command, input);
  if (!outcome.ok) throw Object.assign(new Error(outcome.error.message), outcome.error);
  return outcome.result as T;
}

beforeAll(async () => {
  t = await createTestHost([await ensureCitingModel()], { ENCLAVE_THREADS: '1' });
  corpusDir = await mkdtemp(join(tmpdir(), 'enclave-corpus-'));
  const paths = await writeCorpus(corpusDir);
  collection = await call<CollectionSummary>('documents.create', { name: 'Contrats' });
  // The contract arrives as a browser upload (the file POST /uploads wrote), the rest by path.
  const contract = paths.find((path) => path.endsWith('contrat-maintenance-informatique.pdf')) ?? '';
  const uploadId = randomUUID();
  await mkdir(uploadsDirOf(t.dataDir), { recursive: true });
  await copyFile(contract, uploadPath(t.dataDir, uploadId));
  const rows = await call<DocumentFile[]>('documents.add', {
    jobId: newJobId(),
    collectionId: collection.id,
    sources: [{ uploadId, name: 'contrat-maintenance-informatique.pdf' }, ...paths.filter((path) => path !== contract).map((path) => ({ path }))],
  });
  expect(rows.every((row) => row.state === 'queued')).toBe(true);
  await t.host.services.documents.ingestion.idle();
});

afterAll(async () => {
  await t.dispose();
  await rm(corpusDir, { recursive: true, force: true });
});

async function ask(
  conversationId: string | null,
  parentId: string | null,
  content: string,
  documents?: DocumentAttachment,
): Promise<{ conversation: Conversation; jobId: string; result: ChatCommandResults['chat.generate'] }> {
  const jobId = newJobId();
  const result = await call<ChatCommandResults['chat.generate']>('chat.generate', {
    jobId,
    modelId: CITING,
    conversation: { id: conversationId, parentId, content, ...(documents !== undefined && { documents: { ...documents, locale: 'fr' } }) },
  });
  if (result.saved?.answer.state === 'generating') await t.waitFor('chat.done', (payload) => payload.jobId === jobId, 120_000);
  const conversation = await call<Conversation>('conversations.get', { id: result.saved?.conversationId });
  return { conversation, jobId, result };
}

describe('grounded answers', () => {
  test('the upload was read and removed', async () => {
    const files = await call<DocumentFile[]>('documents.files', { collectionId: collection.id });
    expect(files.every((file) => file.state === 'ready')).toBe(true);
    expect(files.find((file) => file.name === 'contrat-maintenance-informatique.pdf')).toMatchObject({ pages: 4, state: 'ready' });
  });

  let conversationId: string;

  test('an answer keeps the sources it cites, with file, page and passage; a citation that points nowhere is left out', async () => {
    const { conversation } = await ask(null, null, 'Quel est le préavis pour résilier le contrat de maintenance informatique ?', { collectionIds: [collection.id], only: true });
    conversationId = conversation.id;
    const answer = conversation.messages.at(-1);
    expect(answer).toMatchObject({ role: 'assistant', state: 'done', content: CITING_REPLY });
    expect(answer?.sources).toEqual([
      { n: 1, fileId: expect.any(String), fileName: 'contrat-maintenance-informatique.pdf', page: 2, heading: '', passage: expect.stringContaining('préavis de trois mois') },
    ]);
    // The question is saved as the user wrote it, without the passages.
    expect(conversation.messages.at(-2)?.content).toBe('Quel est le préavis pour résilier le contrat de maintenance informatique ?');
    expect(await call('documents.attachment', { conversationId })).toEqual({ collectionIds: [collection.id], only: true });
  });

  test('a follow-up keeps the conversation’s documents and the previous question’s subject', async () => {
    const before = (await call<Conversation>('conversations.get', { id: conversationId })).messages.at(-1)?.id ?? null;
    // Nothing in "Et par quel moyen ?" names the contract: the previous question does.
    const { conversation } = await ask(conversationId, before, 'Et par quel moyen doit-on le faire ?', { collectionIds: [collection.id], only: true });
    const answer = conversation.messages.at(-1);
    expect(answer?.content).toBe(CITING_REPLY);
    expect(answer?.sources?.[0]).toMatchObject({ fileName: 'contrat-maintenance-informatique.pdf', page: 2 });
  });

  test('documents only: nothing relevant found → the answer says so, in the interface language, without asking the model', async () => {
    const doneBefore = t.events.filter((event) => event.event === 'chat.done').length;
    const last = (await call<Conversation>('conversations.get', { id: conversationId })).messages.at(-1)?.id ?? null;
    const { conversation, result } = await ask(conversationId, last, 'Quelle est la couleur du logo de la marque ?', { collectionIds: [collection.id], only: true });
    expect(result.saved?.answer).toMatchObject({ state: 'done', content: 'Je ne trouve pas cela dans vos documents.' });
    expect(conversation.messages.at(-1)).toMatchObject({ content: 'Je ne trouve pas cela dans vos documents.', state: 'done' });
    expect(conversation.messages.at(-1)?.sources).toBeUndefined();
    expect(t.events.filter((event) => event.event === 'chat.done').length).toBe(doneBefore);
  });

  test('without "documents only", a question the documents do not answer goes to the model, with no sources', async () => {
    const { conversation } = await ask(null, null, 'Quelle est la couleur du logo de la marque ?', { collectionIds: [collection.id], only: false });
    expect(conversation.messages.at(-1)).toMatchObject({ content: CITING_REPLY, state: 'done' });
    expect(conversation.messages.at(-1)?.sources).toBeUndefined();
  });

  test('the English "not found" answer', async () => {
    const jobId = newJobId();
    const result = await call<ChatCommandResults['chat.generate']>('chat.generate', {
      jobId,
      modelId: CITING,
      conversation: { id: null, parentId: null, content: 'What colour is the logo?', documents: { collectionIds: [collection.id], only: true, locale: 'en' } },
    });
    expect(result.saved?.answer.content).toBe("I can't find this in your documents.");
  });

  test('a deleted collection is no longer attached; the answers keep their sources', async () => {
    await call('documents.delete', { id: collection.id });
    expect(await call('documents.attachment', { conversationId })).toEqual({ collectionIds: [], only: true });
    const conversation = await call<Conversation>('conversations.get', { id: conversationId });
    expect(conversation.messages.find((message) => message.sources !== undefined)?.sources?.[0]?.fileName).toBe('contrat-maintenance-informatique.pdf');
    expect(await call('documents.search', { collectionIds: [collection.id], query: 'préavis', limit: 5 })).toEqual([]);
  });
});
