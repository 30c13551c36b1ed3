/**
 * Conversations and their messages in the SQLite database. Messages form a tree (parent_id):
 * editing a question or regenerating an answer adds a sibling, and each conversation remembers the
 * leaf of the path it shows. Saving a message is one insert and one update by primary key,
 * whatever the length of the history.
 */
import { randomUUID } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import type { ChatMessage, GenerationStats, Sampling } from '#shared/chat.ts';
import {
  LIMITS_CONVERSATIONS,
  SNIPPET_MATCH_END,
  SNIPPET_MATCH_START,
  type Conversation,
  type ConversationSettings,
  type ConversationSource,
  type ConversationSummary,
  type PathMessage,
  type SavedPreset,
  type SearchHit,
} from '#shared/conversations.ts';
import type { AnswerSource, StoredMessage, StoredMessageState } from '#shared/chat.ts';
import { EnclaveError } from '#shared/errors.ts';
import { statementCache, transaction, type Sql } from '../platform/db/sql.ts';
import { titleFrom } from './title.ts';

interface ConversationRow {
  id: string;
  title: string;
  pinned: number;
  source: string;
  created_at: number;
  updated_at: number;
  leaf_id: string | null;
  model_id: string | null;
  system_prompt: string;
  sampling: string;
  message_count: number;
}

interface MessageRow {
  id: string;
  conversation_id: string;
  parent_id: string | null;
  role: string;
  content: string;
  state: string;
  model_id: string | null;
  stats: string | null;
  reasoning: string | null;
  created_at: number;
  sources: string | null;
}

const SUMMARY_COLUMNS = 'id, title, pinned, source, created_at, updated_at, message_count';

export interface NewConversation {
  title?: string;
  source?: ConversationSource;
  settings?: Partial<ConversationSettings>;
  createdAt?: number;
}

/** A message of another app's conversation, with an id that stays the same each time it is imported. */
export interface ImportedMessage {
  id: string;
  parentId: string | null;
  role: 'user' | 'assistant';
  content: string;
  reasoning: string | null;
  modelId: string | null;
  createdAt: number;
}

export interface ImportedConversation {
  id: string;
  title: string;
  source: ConversationSource;
  createdAt: number;
  systemPrompt: string;
  /** Parents before their children. */
  messages: ImportedMessage[];
  /** The shown path's last message. */
  leafId: string | null;
}

export class ConversationService {
  private readonly db: DatabaseSync;
  private readonly now: () => number;
  private readonly sql: Sql;
  /** The app's default system prompt, for a new local conversation that sets none. */
  private readonly defaultSystemPrompt: () => string;

  constructor(db: DatabaseSync, now: () => number = Date.now, defaultSystemPrompt: () => string = () => '') {
    this.db = db;
    this.now = now;
    this.sql = statementCache(db);
    this.defaultSystemPrompt = defaultSystemPrompt;
  }

  /** Start-up: answers cut off by a crash or a kill are marked interrupted; deletions are final. */
  recover(): { interrupted: number; purged: number } {
    const interrupted = Number(this.sql("UPDATE messages SET state = 'interrupted' WHERE state = 'generating'").run().changes);
    const purged = Number(this.sql('DELETE FROM conversations WHERE deleted_at IS NOT NULL').run().changes);
    return { interrupted, purged };
  }

  /** The answers of conversations not deleted, counted by the model that wrote them (where they were computed). */
  answersByModel(): { modelId: string | null; answers: number }[] {
    const rows = this.sql(
      `SELECT m.model_id AS modelId, COUNT(*) AS answers FROM messages m JOIN conversations c ON c.id = m.conversation_id
       WHERE m.role = 'assistant' AND c.deleted_at IS NULL GROUP BY m.model_id`,
    ).all() as unknown as { modelId: string | null; answers: number }[];
    return rows.map((row) => ({ modelId: row.modelId, answers: Number(row.answers) }));
  }

  list(): ConversationSummary[] {
    const rows = this.sql(`SELECT ${SUMMARY_COLUMNS} FROM conversations WHERE deleted_at IS NULL ORDER BY pinned DESC, updated_at DESC`).all() as unknown as ConversationRow[];
    return rows.map(toSummary);
  }

  create(input: NewConversation = {}): Conversation {
    const id = randomUUID();
    const at = input.createdAt ?? this.now();
    const source = input.source ?? 'local';
    const settings: ConversationSettings = { modelId: null, systemPrompt: '', sampling: {}, ...input.settings };
    // Imported conversations keep what they came with.
    if (source === 'local' && settings.systemPrompt === '') settings.systemPrompt = this.defaultSystemPrompt();
    this.sql(
      `INSERT INTO conversations (id, title, source, created_at, updated_at, model_id, system_prompt, sampling)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(id, (input.title ?? '').slice(0, LIMITS_CONVERSATIONS.maxTitleChars), source, at, at, settings.modelId, settings.systemPrompt, JSON.stringify(settings.sampling));
    return this.get(id);
  }

  get(id: string): Conversation {
    const row = this.row(id);
    const messages = row.leaf_id === null ? [] : this.path(id, row.leaf_id);
    return { ...toSummary(row), settings: settingsOf(row), leafId: row.leaf_id, messages };
  }

  rename(id: string, title: string): ConversationSummary {
    this.row(id);
    this.sql('UPDATE conversations SET title = ? WHERE id = ?').run(title.trim().slice(0, LIMITS_CONVERSATIONS.maxTitleChars), id);
    return toSummary(this.row(id));
  }

  pin(id: string, pinned: boolean): ConversationSummary {
    this.row(id);
    this.sql('UPDATE conversations SET pinned = ? WHERE id = ?').run(pinned ? 1 : 0, id);
    return toSummary(this.row(id));
  }

  /** Hides the conversation; `restore` brings it back until the next start, when deletion becomes final. */
  delete(id: string): void {
    this.row(id);
    this.sql('UPDATE conversations SET deleted_at = ? WHERE id = ?').run(this.now(), id);
  }

  restore(id: string): ConversationSummary {
    const changed = this.sql('UPDATE conversations SET deleted_at = NULL WHERE id = ? AND deleted_at IS NOT NULL').run(id).changes;
    if (Number(changed) === 0) throw notFound(id);
    return toSummary(this.row(id));
  }

  updateSettings(id: string, settings: ConversationSettings): Conversation {
    this.row(id);
    this.sql('UPDATE conversations SET model_id = ?, system_prompt = ?, sampling = ? WHERE id = ?').run(settings.modelId, settings.systemPrompt, JSON.stringify(settings.sampling), id);
    return this.get(id);
  }

  /**
   * Full-text search over every message of every conversation not deleted: one hit per
   * conversation (its best-ranked message, branches included), best conversations first.
   */
  search(query: string, limit = 50): SearchHit[] {
    const match = toMatchExpression(query);
    if (match === null) return [];
    const rows = this.sql(
      `WITH hits AS (
         SELECT m.id AS message_id, m.role, m.conversation_id, messages_fts.rank AS rank,
                snippet(messages_fts, 0, ?, ?, '…', 16) AS snippet
         FROM messages_fts JOIN messages m ON m.rowid = messages_fts.rowid
         WHERE messages_fts MATCH ?
       ), ranked AS (
         SELECT hits.*, ROW_NUMBER() OVER (PARTITION BY conversation_id ORDER BY rank) AS place,
                COUNT(*) OVER (PARTITION BY conversation_id) AS matches
         FROM hits
       )
       SELECT r.message_id, r.role, c.id AS conversation_id, c.title, r.snippet, r.matches
       FROM ranked r JOIN conversations c ON c.id = r.conversation_id
       WHERE r.place = 1 AND c.deleted_at IS NULL
       ORDER BY r.rank LIMIT ?`,
    ).all(SNIPPET_MATCH_START, SNIPPET_MATCH_END, match, limit) as unknown as {
      message_id: string;
      role: 'user' | 'assistant';
      conversation_id: string;
      title: string;
      snippet: string;
      matches: number;
    }[];
    return rows.map((row) => ({
      conversationId: row.conversation_id,
      conversationTitle: row.title,
      messageId: row.message_id,
      role: row.role,
      snippet: row.snippet,
      matches: row.matches,
    }));
  }

  /** Adds a message under `parentId` (null: a first message) and shows its path. */
  addMessage(
    conversationId: string,
    message: {
      parentId: string | null;
      role: 'user' | 'assistant';
      content: string;
      state?: StoredMessageState;
      modelId?: string | null;
      stats?: GenerationStats | null;
      reasoning?: string | null;
      createdAt?: number;
    },
  ): StoredMessage {
    const conversation = this.row(conversationId);
    if (message.parentId !== null) this.message(conversationId, message.parentId);
    const stored: StoredMessage = {
      id: randomUUID(),
      conversationId,
      parentId: message.parentId,
      role: message.role,
      content: message.content,
      state: message.state ?? 'done',
      modelId: message.modelId ?? null,
      stats: message.stats ?? null,
      reasoning: message.reasoning ?? null,
      createdAt: message.createdAt ?? this.now(),
    };
    const title = conversation.title === '' && message.role === 'user' ? titleFrom(message.content) : conversation.title;
    transaction(this.db, () => {
      this.sql(
        `INSERT INTO messages (id, conversation_id, parent_id, role, content, state, model_id, stats, reasoning, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        stored.id,
        conversationId,
        stored.parentId,
        stored.role,
        stored.content,
        stored.state,
        stored.modelId,
        stored.stats === null ? null : JSON.stringify(stored.stats),
        stored.reasoning,
        stored.createdAt,
      );
      this.sql('UPDATE conversations SET leaf_id = ?, updated_at = ?, title = ?, message_count = message_count + 1 WHERE id = ?').run(stored.id, stored.createdAt, title, conversationId);
    });
    return stored;
  }

  /**
   * Adds an imported conversation, or the messages it gained since it was last imported (a message
   * already there is left as it is). One transaction: an import stopped midway leaves whole
   * conversations. Deleted conversations (until the next start) count as there.
   */
  importConversation(conversation: ImportedConversation): { created: boolean; messagesAdded: number } {
    return transaction(this.db, () => {
      const existing = this.sql('SELECT id FROM conversations WHERE id = ?').get(conversation.id) as { id: string } | undefined;
      if (existing === undefined) {
        const title = conversation.title === '' ? titleFrom(conversation.messages.find((m) => m.role === 'user')?.content ?? '') : conversation.title;
        this.sql(
          `INSERT INTO conversations (id, title, source, created_at, updated_at, model_id, system_prompt, sampling)
           VALUES (?, ?, ?, ?, ?, NULL, ?, '{}')`,
        ).run(conversation.id, title.slice(0, LIMITS_CONVERSATIONS.maxTitleChars), conversation.source, conversation.createdAt, conversation.createdAt, conversation.systemPrompt);
      }
      const insert = this.sql(
        `INSERT INTO messages (id, conversation_id, parent_id, role, content, state, model_id, stats, reasoning, created_at)
         VALUES (?, ?, ?, ?, ?, 'done', ?, NULL, ?, ?) ON CONFLICT(id) DO NOTHING`,
      );
      let messagesAdded = 0;
      for (const message of conversation.messages) {
        messagesAdded += Number(insert.run(message.id, conversation.id, message.parentId, message.role, message.content, message.modelId, message.reasoning, message.createdAt).changes);
      }
      if (existing === undefined || messagesAdded > 0) {
        this.sql(
          `UPDATE conversations SET leaf_id = ?,
             updated_at = max(created_at, coalesce((SELECT max(created_at) FROM messages WHERE conversation_id = ?), 0)),
             message_count = (SELECT count(*) FROM messages WHERE conversation_id = ?)
           WHERE id = ?`,
        ).run(conversation.leafId, conversation.id, conversation.id, conversation.id);
      }
      return { created: existing === undefined, messagesAdded };
    });
  }

  /** Saves the text (and reasoning) of an answer so far (it streams), or its final text, state and statistics. */
  updateAnswer(messageId: string, update: { content: string; reasoning?: string; state?: StoredMessageState; stats?: GenerationStats | null; sources?: AnswerSource[] }): void {
    if (update.sources !== undefined) {
      this.sql('UPDATE messages SET sources = ? WHERE id = ?').run(update.sources.length === 0 ? null : JSON.stringify(update.sources), messageId);
    }
    if (update.reasoning !== undefined) {
      this.sql('UPDATE messages SET reasoning = ? WHERE id = ?').run(update.reasoning === '' ? null : update.reasoning, messageId);
    }
    if (update.state === undefined) {
      this.sql('UPDATE messages SET content = ? WHERE id = ?').run(update.content, messageId);
      return;
    }
    this.sql('UPDATE messages SET content = ?, state = ?, stats = ? WHERE id = ?').run(
      update.content,
      update.state,
      update.stats === undefined || update.stats === null ? null : JSON.stringify(update.stats),
      messageId,
    );
  }

  /** Shows the branch through `messageId`, down to its newest descendant. */
  selectBranch(conversationId: string, messageId: string): Conversation {
    this.message(conversationId, messageId);
    this.sql('UPDATE conversations SET leaf_id = ? WHERE id = ?').run(this.newestLeafUnder(messageId), conversationId);
    return this.get(conversationId);
  }

  /** Deletes a message with everything that follows it; the path moves to a remaining alternative. */
  deleteMessage(conversationId: string, messageId: string): Conversation {
    const message = this.message(conversationId, messageId);
    transaction(this.db, () => {
      this.sql('DELETE FROM messages WHERE id = ?').run(messageId);
      const sibling = this.sql(`SELECT id FROM messages WHERE conversation_id = ? AND parent_id IS ? ORDER BY created_at DESC, rowid DESC LIMIT 1`).get(conversationId, message.parent_id) as
        { id: string } | undefined;
      const leaf = sibling !== undefined ? this.newestLeafUnder(sibling.id) : message.parent_id;
      this.sql('UPDATE conversations SET leaf_id = ?, message_count = (SELECT count(*) FROM messages WHERE conversation_id = ?) WHERE id = ?').run(leaf, conversationId, conversationId);
    });
    return this.get(conversationId);
  }

  /** The messages a model sees to continue the path ending at `leafId`: system prompt, then the turns. */
  history(conversationId: string, leafId: string | null): ChatMessage[] {
    const row = this.row(conversationId);
    const history: ChatMessage[] = row.system_prompt.trim() === '' ? [] : [{ role: 'system', content: row.system_prompt }];
    if (leafId === null) return history;
    for (const message of this.path(conversationId, leafId)) {
      // Empty answers (failed before any text) are left out; the engine needs no placeholder turns.
      if (message.content !== '') history.push({ role: message.role, content: message.content });
    }
    return history;
  }

  presets(): SavedPreset[] {
    const rows = this.sql('SELECT name, sampling FROM sampling_presets ORDER BY name COLLATE NOCASE').all() as unknown as { name: string; sampling: string }[];
    return rows.map((row) => ({ name: row.name, sampling: parseJson(row.sampling) as Sampling }));
  }

  /** Saves a preset under `name`, replacing one of the same name. */
  savePreset(preset: SavedPreset): SavedPreset[] {
    this.sql('INSERT INTO sampling_presets (name, sampling, created_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET sampling = excluded.sampling').run(
      preset.name.trim(),
      JSON.stringify(preset.sampling),
      this.now(),
    );
    return this.presets();
  }

  deletePreset(name: string): SavedPreset[] {
    this.sql('DELETE FROM sampling_presets WHERE name = ?').run(name);
    return this.presets();
  }

  /** Every message of the conversation, all branches, oldest first. */
  allMessages(conversationId: string): StoredMessage[] {
    this.row(conversationId);
    const rows = this.sql('SELECT * FROM messages WHERE conversation_id = ? ORDER BY created_at, rowid').all(conversationId) as unknown as MessageRow[];
    return rows.map(toMessage);
  }

  message(conversationId: string, messageId: string): MessageRow {
    const row = this.sql('SELECT * FROM messages WHERE id = ? AND conversation_id = ?').get(messageId, conversationId) as MessageRow | undefined;
    if (row === undefined) throw new EnclaveError('NOT_FOUND', `no message ${messageId} in conversation ${conversationId}`, { messageId });
    return row;
  }

  settingsOf(conversationId: string): ConversationSettings & { sampling: Sampling } {
    return settingsOf(this.row(conversationId));
  }

  private path(conversationId: string, leafId: string): PathMessage[] {
    const rows = this.sql(
      `WITH RECURSIVE path(id, depth) AS (
         SELECT id, 0 FROM messages WHERE id = ? AND conversation_id = ?
         UNION ALL
         SELECT m.parent_id, p.depth + 1 FROM path p JOIN messages m ON m.id = p.id WHERE m.parent_id IS NOT NULL
       )
       SELECT m.* FROM path JOIN messages m ON m.id = path.id ORDER BY path.depth DESC`,
    ).all(leafId, conversationId) as unknown as MessageRow[];
    const children = new Map<string | null, string[]>();
    const all = this.sql('SELECT id, parent_id FROM messages WHERE conversation_id = ? ORDER BY created_at, rowid').all(conversationId) as unknown as {
      id: string;
      parent_id: string | null;
    }[];
    for (const { id, parent_id } of all) {
      const list = children.get(parent_id);
      if (list === undefined) children.set(parent_id, [id]);
      else list.push(id);
    }
    return rows.map((row) => ({ ...toMessage(row), siblingIds: children.get(row.parent_id) ?? [row.id] }));
  }

  private newestLeafUnder(messageId: string): string {
    const child = this.sql('SELECT id FROM messages WHERE parent_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1');
    let leaf = messageId;
    for (;;) {
      const next = child.get(leaf) as { id: string } | undefined;
      if (next === undefined) return leaf;
      leaf = next.id;
    }
  }

  private row(id: string): ConversationRow {
    const row = this.sql('SELECT * FROM conversations WHERE id = ? AND deleted_at IS NULL').get(id) as ConversationRow | undefined;
    if (row === undefined) throw notFound(id);
    return row;
  }
}

function notFound(id: string): EnclaveError {
  return new EnclaveError('NOT_FOUND', `no conversation ${id}`, { conversationId: id });
}

function toSummary(row: ConversationRow): ConversationSummary {
  return {
    id: row.id,
    title: row.title,
    pinned: row.pinned === 1,
    source: row.source === 'chatgpt' ? 'chatgpt' : 'local',
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    messageCount: row.message_count,
  };
}

function settingsOf(row: ConversationRow): ConversationSettings {
  return { modelId: row.model_id, systemPrompt: row.system_prompt, sampling: parseJson(row.sampling) as Sampling };
}

function toMessage(row: MessageRow): StoredMessage {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    parentId: row.parent_id,
    role: row.role === 'user' ? 'user' : 'assistant',
    content: row.content,
    state: row.state as StoredMessageState,
    modelId: row.model_id,
    stats: row.stats === null ? null : (parseJson(row.stats) as GenerationStats),
    reasoning: row.reasoning,
    createdAt: row.created_at,
    ...(row.sources !== null && { sources: parseSources(row.sources) }),
  };
}

function parseSources(text: string): AnswerSource[] {
  const value = parseJson(text);
  return Array.isArray(value) ? (value as AnswerSource[]) : [];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

/** The user's words as FTS5 prefix terms ("bonj" finds "Bonjour"); operators and quotes are neutralised. */
export function toMatchExpression(query: string): string | null {
  const words = query.slice(0, LIMITS_CONVERSATIONS.maxSearchChars).match(/[\p{L}\p{N}_]+/gu) ?? [];
  if (words.length === 0) return null;
  return words.map((word) => `"${word}"*`).join(' ');
}
