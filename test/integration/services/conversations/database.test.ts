/** The conversations database on real node:sqlite files: schema, migrations, corruption, search, branches. */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ConversationService, toMatchExpression } from '../../../../electron/services/conversations/conversation-service.ts';
import { openDatabase, userVersion } from '../../../../electron/services/platform/db/database.ts';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../../electron/services/platform/db/migrations.ts';
import { SNIPPET_MATCH_END, SNIPPET_MATCH_START } from '#shared/conversations.ts';

let dir: string;
let file: string;
const open: DatabaseSync[] = [];

function service(path = file): ConversationService {
  const { db } = openDatabase(path);
  open.push(db);
  return new ConversationService(db);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'enclave-db-'));
  file = join(dir, 'conversations.db');
});

afterEach(() => {
  for (const db of open.splice(0)) if (db.isOpen) db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('opening', () => {
  test('a new file gets the current schema, WAL and foreign keys', () => {
    const { db, backupPath, quarantined } = openDatabase(file);
    open.push(db);
    expect(userVersion(db)).toBe(SCHEMA_VERSION);
    expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    expect(db.prepare('PRAGMA foreign_keys').get()).toEqual({ foreign_keys: 1 });
    expect(backupPath).toBeNull();
    expect(quarantined).toBeNull();
  });

  test.each(Array.from({ length: SCHEMA_VERSION }, (_, version) => version).filter((v) => v > 0))('migrates a database of schema version %i, keeping its data, after taking a backup', (version) => {
    // Build the old schema exactly as that version of the app left it, with a conversation in it.
    // Its rows are written with the columns of the first schema, which every later one keeps.
    const old = openDatabase(file, MIGRATIONS.slice(0, version));
    const conversation = { id: 'c-old' };
    old.db.prepare('INSERT INTO conversations (id, title, created_at, updated_at, leaf_id, message_count) VALUES (?, ?, 1, 1, ?, 1)').run(conversation.id, 'Vieille conversation', 'm-old');
    old.db
      .prepare("INSERT INTO messages (id, conversation_id, parent_id, role, content, state, created_at) VALUES ('m-old', ?, NULL, 'user', ?, 'done', 1)")
      .run(conversation.id, 'Question d’avant la migration');
    old.db.close();

    const { db, backupPath } = openDatabase(file);
    open.push(db);
    expect(userVersion(db)).toBe(SCHEMA_VERSION);
    expect(backupPath).not.toBeNull();
    expect(existsSync(backupPath ?? '')).toBe(true);
    const migrated = new ConversationService(db).get(conversation.id);
    expect(migrated.title).toBe('Vieille conversation');
    expect(migrated.messages.map((m) => m.content)).toEqual(['Question d’avant la migration']);
    // The backup is the old database, still at the old version and with the data.
    const backup = new DatabaseSync(backupPath ?? '', { readOnly: true });
    expect(userVersion(backup)).toBe(version);
    expect(backup.prepare('SELECT count(*) AS n FROM messages').get()).toEqual({ n: 1 });
    backup.close();
  });

  test('a database from a newer Enclave is moved aside, kept intact, and a fresh one starts', () => {
    const newer = service();
    newer.addMessage(newer.create({ title: 'Written by a newer app' }).id, { parentId: null, role: 'user', content: 'Keep me' });
    for (const db of open.splice(0)) db.close();
    const raw = new DatabaseSync(file);
    raw.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();

    const { db, quarantined, backupPath } = openDatabase(file, MIGRATIONS, () => 1234);
    open.push(db);
    expect(quarantined).toEqual({ path: `${file}.newer-v${SCHEMA_VERSION + 1}-1234`, reason: 'newerSchema' });
    expect(backupPath).toBeNull();
    expect(new ConversationService(db).list()).toEqual([]);
    expect(userVersion(db)).toBe(SCHEMA_VERSION);
    // The newer file is untouched: its version and its conversation are still there.
    const kept = new DatabaseSync(quarantined?.path ?? '', { readOnly: true });
    expect(userVersion(kept)).toBe(SCHEMA_VERSION + 1);
    expect(kept.prepare('SELECT content FROM messages').all()).toEqual([{ content: 'Keep me' }]);
    kept.close();
  });

  test('a file that is not a database is moved aside and a fresh one starts', () => {
    writeFileSync(file, 'this is not a database, but it is the user’s file '.repeat(200));
    const { db, quarantined } = openDatabase(file, MIGRATIONS, () => 1234);
    open.push(db);
    expect(quarantined).toEqual({ path: `${file}.corrupt-1234`, reason: 'corrupt' });
    expect(existsSync(`${file}.corrupt-1234`)).toBe(true);
    expect(new ConversationService(db).list()).toEqual([]);
  });

  test('a database damaged inside is moved aside too', () => {
    const first = service();
    const conversation = first.create({ title: 'x' });
    for (let i = 0; i < 200; i++) first.addMessage(conversation.id, { parentId: null, role: 'user', content: `message ${i} `.repeat(50) });
    for (const db of open.splice(0)) db.close();
    // Overwrite pages in the middle of the file with noise.
    const damaged = join(dir, 'damaged.db');
    copyFileSync(file, damaged);
    const bytes = readFileSync(damaged);
    for (let i = 8192; i < Math.min(bytes.length, 40_000); i++) bytes[i] = (i * 7) & 0xff;
    writeFileSync(damaged, bytes);
    const { db, quarantined } = openDatabase(damaged);
    open.push(db);
    expect(quarantined?.reason).toBe('corrupt');
    expect(quarantined?.path).toMatch(/damaged\.db\.corrupt-\d+$/);
    expect(new ConversationService(db).list()).toEqual([]);
  });
});

describe('conversations', () => {
  test('create, rename, pin, list order, delete and restore', () => {
    let now = 1_000;
    const { db } = openDatabase(file);
    open.push(db);
    const s = new ConversationService(db, () => now);
    const a = s.create({ title: 'A' });
    now = 2_000;
    const b = s.create({ title: 'B' });
    expect(s.list().map((c) => c.title)).toEqual(['B', 'A']);
    s.pin(a.id, true);
    expect(s.list().map((c) => [c.title, c.pinned])).toEqual([
      ['A', true],
      ['B', false],
    ]);
    expect(s.rename(b.id, '  Renamed  ').title).toBe('Renamed');
    s.delete(a.id);
    expect(s.list().map((c) => c.title)).toEqual(['Renamed']);
    expect(() => s.get(a.id)).toThrow(/no conversation/);
    s.restore(a.id);
    expect(s.list().map((c) => c.title)).toEqual(['A', 'Renamed']);
    // A deletion not undone is final at the next start.
    s.delete(a.id);
    expect(s.recover().purged).toBe(1);
    expect(() => s.restore(a.id)).toThrow(/no conversation/);
  });

  test('the first question titles an untitled conversation', () => {
    const s = service();
    const c = s.create();
    s.addMessage(c.id, { parentId: null, role: 'user', content: 'How do I bake bread?\nWith details' });
    expect(s.get(c.id).title).toBe('How do I bake bread?');
  });

  test('answers still generating at start-up become interrupted, with their saved text', () => {
    const s = service();
    const c = s.create();
    const q = s.addMessage(c.id, { parentId: null, role: 'user', content: 'q' });
    const a = s.addMessage(c.id, { parentId: q.id, role: 'assistant', content: '', state: 'generating' });
    s.updateAnswer(a.id, { content: 'half an ans' });
    expect(s.recover().interrupted).toBe(1);
    const last = s.get(c.id).messages.at(-1);
    expect(last?.state).toBe('interrupted');
    expect(last?.content).toBe('half an ans');
  });
});

describe('branches', () => {
  test('edit and regenerate add alternatives; the path follows the chosen one', () => {
    const s = service();
    const c = s.create();
    const q1 = s.addMessage(c.id, { parentId: null, role: 'user', content: 'q1' });
    const a1 = s.addMessage(c.id, { parentId: q1.id, role: 'assistant', content: 'a1' });
    const q2 = s.addMessage(c.id, { parentId: a1.id, role: 'user', content: 'q2' });
    const a2 = s.addMessage(c.id, { parentId: q2.id, role: 'assistant', content: 'a2' });
    // Regenerate a2: a sibling under q2.
    const a2b = s.addMessage(c.id, { parentId: q2.id, role: 'assistant', content: 'a2b' });
    let path = s.get(c.id).messages;
    expect(path.map((m) => m.content)).toEqual(['q1', 'a1', 'q2', 'a2b']);
    expect(path[3]?.siblingIds).toEqual([a2.id, a2b.id]);
    // Edit q1 and resend: a new root branch.
    const q1b = s.addMessage(c.id, { parentId: null, role: 'user', content: 'q1 edited' });
    path = s.get(c.id).messages;
    expect(path.map((m) => m.content)).toEqual(['q1 edited']);
    expect(path[0]?.siblingIds).toEqual([q1.id, q1b.id]);
    // Back to the first branch: down to its newest leaf.
    path = s.selectBranch(c.id, q1.id).messages;
    expect(path.map((m) => m.content)).toEqual(['q1', 'a1', 'q2', 'a2b']);
    path = s.selectBranch(c.id, a2.id).messages;
    expect(path.map((m) => m.content)).toEqual(['q1', 'a1', 'q2', 'a2']);
    expect(s.history(c.id, a2.id).map((m) => m.content)).toEqual(['q1', 'a1', 'q2', 'a2']);
    // Deleting a message removes what follows it; the path moves to the remaining alternative.
    path = s.deleteMessage(c.id, a2.id).messages;
    expect(path.map((m) => m.content)).toEqual(['q1', 'a1', 'q2', 'a2b']);
    expect(path[3]?.siblingIds).toEqual([a2b.id]);
    path = s.deleteMessage(c.id, q1.id).messages;
    expect(path.map((m) => m.content)).toEqual(['q1 edited']);
    expect(s.get(c.id).messageCount).toBe(1);
  });

  test('the system prompt leads the history', () => {
    const s = service();
    const c = s.create({ settings: { systemPrompt: 'Réponds en français.' } });
    const q = s.addMessage(c.id, { parentId: null, role: 'user', content: 'Hi' });
    expect(s.history(c.id, q.id)).toEqual([
      { role: 'system', content: 'Réponds en français.' },
      { role: 'user', content: 'Hi' },
    ]);
  });
});

describe('sampling presets', () => {
  test('saved by name, replaced by the same name, deleted, listed by name', () => {
    const s = service();
    s.savePreset({ name: 'Code', sampling: { temperature: 0.1, topK: 10 } });
    s.savePreset({ name: 'brainstorm', sampling: { temperature: 1.3 } });
    expect(s.savePreset({ name: 'Code', sampling: { temperature: 0.2 } })).toEqual([
      { name: 'brainstorm', sampling: { temperature: 1.3 } },
      { name: 'Code', sampling: { temperature: 0.2 } },
    ]);
    expect(s.deletePreset('brainstorm')).toEqual([{ name: 'Code', sampling: { temperature: 0.2 } }]);
  });

  test('a conversation keeps its own settings', () => {
    const s = service();
    const c = s.create();
    const updated = s.updateSettings(c.id, { modelId: 'qwen.gguf', systemPrompt: 'Be terse.', sampling: { temperature: 0.2, seed: 7 } });
    expect(updated.settings).toEqual({ modelId: 'qwen.gguf', systemPrompt: 'Be terse.', sampling: { temperature: 0.2, seed: 7 } });
  });
});

describe('search', () => {
  test('finds words across conversations, by prefix and without accents, and marks the match', () => {
    const s = service();
    const a = s.create({ title: 'Cuisine' });
    s.addMessage(a.id, { parentId: null, role: 'user', content: 'Comment réussir une crème brûlée ?' });
    const b = s.create({ title: 'Code' });
    s.addMessage(b.id, { parentId: null, role: 'assistant', content: 'Use a crème pâtissière for the filling.' });
    const hits = s.search('creme');
    expect(hits.map((h) => h.conversationTitle).sort()).toEqual(['Code', 'Cuisine']);
    expect(hits[0]?.snippet).toContain(`${SNIPPET_MATCH_START}crème${SNIPPET_MATCH_END}`);
    expect(s.search('brul').map((h) => h.conversationTitle)).toEqual(['Cuisine']);
    // Deleted conversations are not searched.
    s.delete(a.id);
    expect(s.search('brulee')).toEqual([]);
  });

  test('changed text is re-indexed: the old words are gone, the new ones found', () => {
    const s = service();
    const c = s.create({ title: 'Streaming' });
    const q = s.addMessage(c.id, { parentId: null, role: 'user', content: 'Tell me about tides' });
    const answer = s.addMessage(c.id, { parentId: q.id, role: 'assistant', content: '', state: 'generating' });
    s.updateAnswer(answer.id, { content: 'The moon pulls the oceans' });
    expect(s.search('oceans').map((h) => h.messageId)).toEqual([answer.id]);
    s.updateAnswer(answer.id, { content: 'Lighthouses guide ships at night', state: 'done', stats: null });
    expect(s.search('oceans')).toEqual([]);
    expect(s.search('moon')).toEqual([]);
    expect(s.search('lighthouse').map((h) => h.messageId)).toEqual([answer.id]);
    // The question's entry is untouched.
    expect(s.search('tides').map((h) => h.messageId)).toEqual([q.id]);
  });

  test('each conversation is listed once, with its best message and the number of its matching messages, branches included', () => {
    const s = service();
    const a = s.create({ title: 'Jardin' });
    const q = s.addMessage(a.id, { parentId: null, role: 'user', content: 'Quand planter les tomates ?' });
    s.addMessage(a.id, { parentId: q.id, role: 'assistant', content: 'Plantez les tomates en mai, tomates cerises comprises.' });
    s.addMessage(a.id, { parentId: null, role: 'user', content: 'Et les tomates en pot ?' });
    const b = s.create({ title: 'Cuisine' });
    s.addMessage(b.id, { parentId: null, role: 'user', content: 'Une sauce tomate rapide ?' });
    const hits = s.search('tomat');
    expect(hits.map((h) => [h.conversationTitle, h.matches])).toEqual([
      ['Jardin', 3],
      ['Cuisine', 1],
    ]);
    expect(hits[0]?.snippet).toContain(`${SNIPPET_MATCH_START}tomates${SNIPPET_MATCH_END}`);
  });

  test('FTS operators and quotes in the query are plain words', () => {
    expect(toMatchExpression('a" OR b*')).toBe('"a"* "OR"* "b"*');
    expect(toMatchExpression('  ')).toBeNull();
    const s = service();
    expect(s.search('NEAR( " AND')).toEqual([]);
  });
});

describe('cost of saving', () => {
  /** Rows written by one saved message, triggers included: the same whatever the history length. */
  function rowsWrittenBySave(history: number): number {
    const { db } = openDatabase(join(dir, `cost-${history}.db`));
    open.push(db);
    const s = new ConversationService(db);
    const c = s.create();
    let parentId: string | null = null;
    for (let i = 0; i < history; i++) parentId = s.addMessage(c.id, { parentId, role: i % 2 === 0 ? 'user' : 'assistant', content: `message ${i}` }).id;
    const before = (db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
    s.addMessage(c.id, { parentId, role: 'user', content: 'one more' });
    return (db.prepare('SELECT total_changes() AS n').get() as { n: number }).n - before;
  }

  test('a message saved after 10 or after 10,000 writes the same rows', () => {
    const small = rowsWrittenBySave(10);
    expect(small).toBeGreaterThan(0);
    expect(rowsWrittenBySave(10_000)).toBe(small);
  });
});
