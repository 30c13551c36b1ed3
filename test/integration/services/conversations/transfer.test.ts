/** Export (Markdown, JSON, archive) and ChatGPT import on a real database. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { exportArchive, exportJson, exportMarkdown, importChatGpt } from '../../../../electron/services/conversations/transfer.ts';
import { ConversationService } from '../../../../electron/services/conversations/conversation-service.ts';
import { openDatabase } from '../../../../electron/services/platform/db/database.ts';

const CHATGPT_EXPORT = readFileSync(join(import.meta.dirname, '..', '..', '..', 'fixtures', 'chatgpt', 'conversations.json'), 'utf8');
let dir: string;
let db: DatabaseSync;
let service: ConversationService;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'enclave-transfer-'));
  db = openDatabase(join(dir, 'conversations.db')).db;
  service = new ConversationService(db);
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a ChatGPT export imports with its branches, system prompt and origin, ready to continue', () => {
  expect(importChatGpt(service, CHATGPT_EXPORT)).toEqual({ imported: 2, messages: 5 });
  const list = service.list();
  expect(list.map((c) => [c.title, c.source])).toEqual([
    ['Trip to Lyon', 'chatgpt'],
    ['Recette de la pâte à crêpes', 'chatgpt'],
  ]);
  const crepes = service.get(list[1]?.id ?? '');
  expect(crepes.settings.systemPrompt).toBe('Tu es un chef pâtissier.');
  // The current node of the export is the shown path; the other answer is an alternative.
  expect(crepes.messages.map((m) => m.content)).toEqual(['Comment faire une pâte à crêpes ?', '250 g de farine, 4 œufs, 50 cl de lait et une pincée de sel.']);
  expect(crepes.messages[1]?.siblingIds).toHaveLength(2);
  expect(crepes.messages[1]?.modelId).toBe('chatgpt:gpt-4o');
  expect(crepes.messages[0]?.createdAt).toBe(1_700_000_010_000);
  // Searchable, and continuable: the history a local model would get.
  expect(service.search('crepes').map((h) => h.conversationId)).toContain(crepes.id);
  expect(service.history(crepes.id, crepes.leafId).map((m) => m.role)).toEqual(['system', 'user', 'assistant']);
});

test.each([
  ['not JSON', '{oops'],
  ['not an array of conversations', '{"title": "x"}'],
  ['conversations without a mapping', '[{"title": "x"}]'],
])('a file that is %s is refused with IMPORT_INVALID and imports nothing', (_, content) => {
  expect(() => importChatGpt(service, content)).toThrow(expect.objectContaining({ code: 'IMPORT_INVALID' }));
  expect(service.list()).toEqual([]);
});

test('exports one conversation as Markdown (shown path) and JSON (every branch), and all as one archive', () => {
  const c = service.create({ title: 'Plan / été 2026', settings: { systemPrompt: 'Be brief.' } });
  const q = service.addMessage(c.id, { parentId: null, role: 'user', content: 'Where to go?' });
  service.addMessage(c.id, { parentId: q.id, role: 'assistant', content: 'Brittany.', modelId: 'qwen.gguf' });
  service.addMessage(c.id, { parentId: q.id, role: 'assistant', content: 'The Alps.', modelId: 'qwen.gguf' });

  const markdown = exportMarkdown(service, c.id);
  expect(markdown.fileName).toBe('Plan-été-2026.md');
  expect(markdown.content).toBe('# Plan / été 2026\n\n> System: Be brief.\n\n## You\n\nWhere to go?\n\n## qwen.gguf\n\nThe Alps.\n');
  // In the interface language: French headings and punctuation; an answer with no model named is the assistant's.
  const plain = service.create({ settings: { systemPrompt: 'Sois bref.' } });
  const question = service.addMessage(plain.id, { parentId: null, role: 'user', content: 'Où aller ?' });
  service.addMessage(plain.id, { parentId: question.id, role: 'assistant', content: 'En Bretagne.' });
  expect(exportMarkdown(service, plain.id, 'fr').content).toBe('# Où aller ?\n\n> Système\u00a0: Sois bref.\n\n## Vous\n\nOù aller ?\n\n## Assistant\n\nEn Bretagne.\n');
  expect(exportMarkdown(service, plain.id, 'en').content).toContain('> System: Sois bref.\n\n## You\n');

  const json = JSON.parse(exportJson(service, c.id).content) as { format: string; conversations: { title: string; messages: { content: string; parentId: string | null }[] }[] };
  expect(json.format).toBe('enclave.conversations');
  expect(json.conversations[0]?.messages.map((m) => m.content)).toEqual(['Where to go?', 'Brittany.', 'The Alps.']);

  importChatGpt(service, CHATGPT_EXPORT);
  const archive = JSON.parse(exportArchive(service, new Date('2026-03-01T12:00:00Z')).content) as { conversations: unknown[] };
  expect(archive.conversations).toHaveLength(4);
  expect(exportArchive(service, new Date('2026-03-01T12:00:00Z')).fileName).toBe('enclave-conversations-2026-03-01.json');
});
