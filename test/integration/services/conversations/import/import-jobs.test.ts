/** Importing ChatGPT exports on a real database: the .zip as delivered or its JSON, message parts, repeats, cancel, bad files. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { ImportSummary } from '#shared/conversations.ts';
import { ConversationService } from '../../../../../electron/services/conversations/conversation-service.ts';
import { ConversationImports, type ImportProgress } from '../../../../../electron/services/conversations/import/import-jobs.ts';
import { openDatabase } from '../../../../../electron/services/platform/db/database.ts';
import { openSettings, SettingsService } from '../../../../../electron/services/settings/settings.ts';
import { chatGptConversation, text, writeLargeExport, writeZip } from '../../../../support/chatgpt-export.ts';

const FIXTURE = join(import.meta.dirname, '..', '..', '..', '..', 'fixtures', 'chatgpt', 'conversations.json');
let dir: string;
let db: DatabaseSync;
let service: ConversationService;
let progress: ImportProgress[];
let imports: ConversationImports;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'enclave-import-'));
  db = openDatabase(join(dir, 'conversations.db')).db;
  service = new ConversationService(db);
  progress = [];
  imports = new ConversationImports(service, dir, { db, settings: new SettingsService(openSettings(dir).backend, {}, () => undefined) }, (event) => progress.push(event));
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const run = (path: string, jobId = 'job-0123456789abcdef', locale: 'en' | 'fr' = 'en'): Promise<ImportSummary> => imports.run(jobId, { path }, locale);

test('a ChatGPT export imports with its branches, system prompt and origin, ready to continue', async () => {
  const summary = await run(FIXTURE);
  expect(summary).toMatchObject({ format: 'chatgpt', cancelled: false, conversations: { added: 2, updated: 0, unchanged: 0 }, messagesAdded: 5, toolBlocks: 1 });
  const list = service.list();
  expect(list.map((c) => [c.title, c.source])).toEqual([
    ['Trip to Lyon', 'chatgpt'],
    ['Recette de la pâte à crêpes', 'chatgpt'],
  ]);
  const crepes = service.get(list[1]?.id ?? '');
  expect(crepes.settings.systemPrompt).toBe('Tu es un chef pâtissier.');
  // The current node of the export is the shown path; the other answer is an alternative. The tool's code after it is kept as a block.
  expect(crepes.messages.map((m) => m.content)).toEqual(['Comment faire une pâte à crêpes ?', '250 g de farine, 4 œufs, 50 cl de lait et une pincée de sel.\n\n```\nprint(1)\n```']);
  expect(crepes.messages[1]?.siblingIds).toHaveLength(2);
  expect(crepes.messages[1]?.modelId).toBe('chatgpt:gpt-4o');
  expect(crepes.messages[0]?.createdAt).toBe(1_700_000_010_000);
  expect(service.search('crepes').map((h) => h.conversationId)).toContain(crepes.id);
  expect(service.history(crepes.id, crepes.leafId).map((m) => m.role)).toEqual(['system', 'user', 'assistant']);
  expect(progress.at(-1)).toMatchObject({ jobId: 'job-0123456789abcdef', conversations: 2 });
  expect(progress.at(-1)?.bytesRead).toBe(progress.at(-1)?.totalBytes);
});

test('the .zip as ChatGPT delivers it imports like its conversations.json, and importing it again adds nothing', async () => {
  const zip = join(dir, 'chatgpt-export.zip');
  await writeZip(zip, { 'chat.html': '<html></html>', 'user.json': '{}', 'conversations.json': readFileSync(FIXTURE, 'utf8') });
  expect((await run(zip)).conversations.added).toBe(2);
  const before = service.list();
  const again = await run(zip);
  expect(again).toMatchObject({ conversations: { added: 0, updated: 0, unchanged: 2 }, messagesAdded: 0 });
  expect(await run(FIXTURE)).toMatchObject({ conversations: { added: 0, updated: 0, unchanged: 2 }, messagesAdded: 0 });
  expect(service.list()).toEqual(before);
});

test('a conversation continued in ChatGPT since the last export gains only its new messages; a rename here is kept', async () => {
  const first = chatGptConversation('c-1', 'Budget', [
    { role: 'user', content: text('Mon budget ?') },
    { role: 'assistant', content: text('Voyons cela.') },
  ]);
  const later = chatGptConversation('c-1', 'Budget', [
    { role: 'user', content: text('Mon budget ?') },
    { role: 'assistant', content: text('Voyons cela.') },
    { role: 'user', content: text('Et pour 2027 ?') },
    { role: 'assistant', content: text('Pareil.') },
  ]);
  writeFileSync(join(dir, 'a.json'), JSON.stringify([first]));
  writeFileSync(join(dir, 'b.json'), JSON.stringify([later, chatGptConversation('c-2', 'Other', [{ role: 'user', content: text('Hi') }])]));
  await run(join(dir, 'a.json'));
  const id = service.list()[0]?.id ?? '';
  service.rename(id, 'Budget 2026');
  expect(await run(join(dir, 'b.json'))).toMatchObject({ conversations: { added: 1, updated: 1, unchanged: 0 }, messagesAdded: 3 });
  const budget = service.get(id);
  expect(budget.title).toBe('Budget 2026');
  expect(budget.messages.map((m) => m.content)).toEqual(['Mon budget ?', 'Voyons cela.', 'Et pour 2027 ?', 'Pareil.']);
  expect(service.list()).toHaveLength(2);
});

test('every text part is kept: code, images named as omitted, tool calls and outputs as blocks, reasoning apart, hidden context dropped and counted', async () => {
  const conversation = chatGptConversation('c-parts', 'Parts', [
    { role: 'system', content: { content_type: 'user_editable_context', user_profile: 'I am a baker', user_instructions: 'Be brief' }, hidden: true },
    { role: 'user', content: text('Explique ce code :') },
    { role: 'assistant', content: text('Collez-le.') },
    { role: 'user', content: { content_type: 'code', language: 'python', text: 'print(sum(range(10)))' } },
    { role: 'assistant', content: { content_type: 'thoughts', thoughts: [{ summary: 'Lire le code', content: 'Il additionne 0 à 9.' }] } },
    { role: 'assistant', recipient: 'python', content: { content_type: 'code', language: 'python', text: 'print(sum(range(10)))' } },
    { role: 'tool', name: 'python', content: { content_type: 'execution_output', text: '45' } },
    { role: 'assistant', content: text('Il affiche 45.') },
    { role: 'user', content: { content_type: 'multimodal_text', parts: [{ content_type: 'image_asset_pointer', asset_pointer: 'file-service://x' }, 'Et cette photo ?'] } },
    { role: 'assistant', content: { content_type: 'reasoning_recap', content: 'Thought for 3 seconds' } },
    { role: 'assistant', content: text('Un pain au levain.') },
  ]);
  writeFileSync(join(dir, 'parts.json'), JSON.stringify([conversation]));
  const summary = await run(join(dir, 'parts.json'), 'job-parts-0123456789', 'fr');
  expect(summary).toMatchObject({ imagesOmitted: 1, toolBlocks: 2, partsDropped: 2 });
  const [imported] = service.list();
  const messages = service.get(imported?.id ?? '').messages;
  expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant']);
  expect(messages[2]?.content).toBe('```python\nprint(sum(range(10)))\n```');
  expect(messages[3]?.reasoning).toBe('Lire le code\n\nIl additionne 0 à 9.');
  expect(messages[3]?.content).toBe('```python\nprint(sum(range(10)))\n```\n\n**Résultat (python)**\n\n```\n45\n```\n\nIl affiche 45.');
  expect(messages[4]?.content).toBe('[Image non importée]\n\nEt cette photo ?');
  expect(messages[5]?.content).toBe('Un pain au levain.');
  expect(service.settingsOf(imported?.id ?? '').systemPrompt).toBe('');
});

test.each([
  ['not JSON', '{oops', 'json'],
  ['not an array of conversations', '{"title": "x"}', 'shape'],
  ['conversations without a mapping', '[{"title": "x"}]', 'shape'],
])('a file that is %s is refused with IMPORT_INVALID and imports nothing', async (_, content, reason) => {
  writeFileSync(join(dir, 'bad.json'), content);
  await expect(run(join(dir, 'bad.json'))).rejects.toMatchObject({ code: 'IMPORT_INVALID', details: { reason } });
  expect(service.list()).toEqual([]);
});

test('a zip without conversations.json is refused, and an upload is removed once imported', async () => {
  await writeZip(join(dir, 'other.zip'), { 'notes.txt': 'hello' });
  await expect(run(join(dir, 'other.zip'))).rejects.toMatchObject({ code: 'IMPORT_INVALID', details: { reason: 'zip' } });
  const uploadId = '0f5e8a44-3c1b-4d47-9a39-5b7d2a9c1e11';
  const { mkdirSync, existsSync, copyFileSync } = await import('node:fs');
  mkdirSync(join(dir, 'uploads'));
  copyFileSync(FIXTURE, join(dir, 'uploads', uploadId));
  expect((await imports.run('job-upload-0123456789', { uploadId }, 'en')).conversations.added).toBe(2);
  expect(existsSync(join(dir, 'uploads', uploadId))).toBe(false);
});

test('a cancelled import keeps whole conversations, and importing again completes it without duplicates', async () => {
  const path = join(dir, 'many.json');
  const count = 3_000;
  await writeLargeExport(path, count, (index) =>
    chatGptConversation(`c-${index}`, `Conversation ${index}`, [
      { role: 'user', content: text(`Question ${index} ${'x'.repeat(200)}`) },
      { role: 'assistant', content: text(`Answer ${index}`) },
    ]),
  );
  const jobId = 'job-cancel-0123456789';
  let cancelling = true;
  imports = new ConversationImports(service, dir, { db, settings: new SettingsService(openSettings(dir).backend, {}, () => undefined) }, (event) => {
    if (cancelling && event.conversations > 0) imports.cancel(jobId);
  });
  const cancelled = await imports.run(jobId, { path }, 'en');
  expect(cancelled.cancelled).toBe(true);
  const kept = cancelled.conversations.added;
  expect(kept).toBeGreaterThan(0);
  expect(kept).toBeLessThan(count);
  expect(service.list()).toHaveLength(kept);
  expect(service.list().every((c) => c.messageCount === 2)).toBe(true);
  cancelling = false;
  const finished = await imports.run(jobId, { path }, 'en');
  expect(finished).toMatchObject({ cancelled: false, conversations: { added: count - kept, unchanged: kept } });
  expect(service.list()).toHaveLength(count);
});
