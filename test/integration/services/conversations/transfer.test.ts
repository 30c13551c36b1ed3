/** Export (Markdown, JSON, archive) on a real database. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { exportArchive, exportJson, exportMarkdown } from '../../../../electron/services/conversations/transfer.ts';
import { ConversationService } from '../../../../electron/services/conversations/conversation-service.ts';
import { openDatabase } from '../../../../electron/services/platform/db/database.ts';

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

  const archive = JSON.parse(exportArchive(service, new Date('2026-03-01T12:00:00Z')).content) as { conversations: unknown[] };
  expect(archive.conversations).toHaveLength(2);
  expect(exportArchive(service, new Date('2026-03-01T12:00:00Z')).fileName).toBe('enclave-conversations-2026-03-01.json');
});
