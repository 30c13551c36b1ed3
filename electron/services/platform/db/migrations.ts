/**
 * The conversations database schema, as ordered migrations: MIGRATIONS[i] takes a database from
 * version i to i + 1 (`PRAGMA user_version`). Never edit a shipped migration; append a new one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: conversations, messages as a tree (parent_id), full-text search kept in sync by triggers.
  `
  CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    pinned INTEGER NOT NULL DEFAULT 0,
    source TEXT NOT NULL DEFAULT 'local',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER,
    leaf_id TEXT,
    model_id TEXT,
    system_prompt TEXT NOT NULL DEFAULT '',
    sampling TEXT NOT NULL DEFAULT '{}',
    message_count INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX conversations_updated ON conversations(deleted_at, updated_at);
  CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    parent_id TEXT REFERENCES messages(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content TEXT NOT NULL,
    state TEXT NOT NULL,
    model_id TEXT,
    stats TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX messages_conversation ON messages(conversation_id, created_at);
  CREATE INDEX messages_parent ON messages(parent_id, created_at);
  CREATE INDEX messages_generating ON messages(state) WHERE state = 'generating';
  CREATE VIRTUAL TABLE messages_fts USING fts5(
    content, content='messages', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
  );
  CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts(rowid, content) VALUES (new.rowid, new.content);
  END;
  CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.rowid, old.content);
  END;
  CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.rowid, old.content);
    INSERT INTO messages_fts(rowid, content) VALUES (new.rowid, new.content);
  END;
  `,
  // 2: sampling presets the user saved.
  `
  CREATE TABLE sampling_presets (
    name TEXT PRIMARY KEY,
    sampling TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  `,
  // 3: comparison workbench: runs as a grid of turns by columns, one row per answer;
  // blind votes (model ids copied in, so the leaderboard survives a deleted run); user prompt sets.
  `
  CREATE TABLE compare_runs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('compare', 'batch', 'replay')),
    title TEXT NOT NULL,
    state TEXT NOT NULL,
    blind INTEGER NOT NULL DEFAULT 0,
    revealed INTEGER NOT NULL DEFAULT 0,
    system_prompt TEXT NOT NULL DEFAULT '',
    sampling TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL
  );
  CREATE TABLE compare_columns (
    run_id TEXT NOT NULL REFERENCES compare_runs(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    model_id TEXT,
    reference INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, position)
  );
  CREATE TABLE compare_turns (
    run_id TEXT NOT NULL REFERENCES compare_runs(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    prompt TEXT NOT NULL,
    category TEXT,
    grading_notes TEXT,
    PRIMARY KEY (run_id, position)
  );
  CREATE TABLE compare_answers (
    run_id TEXT NOT NULL REFERENCES compare_runs(id) ON DELETE CASCADE,
    turn INTEGER NOT NULL,
    column_position INTEGER NOT NULL,
    content TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    ttft_ms REAL,
    tokens_per_second REAL,
    tokens INTEGER,
    load_ms REAL,
    peak_memory_bytes INTEGER,
    duration_ms REAL,
    error_code TEXT,
    rating INTEGER,
    finished_at INTEGER,
    PRIMARY KEY (run_id, turn, column_position)
  );
  CREATE INDEX compare_answers_state ON compare_answers(state);
  CREATE TABLE compare_votes (
    run_id TEXT NOT NULL,
    turn INTEGER NOT NULL,
    vote TEXT NOT NULL,
    model_ids TEXT NOT NULL,
    category TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (run_id, turn)
  );
  CREATE TABLE prompt_sets (
    id TEXT PRIMARY KEY,
    content TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  `,
  // 4: comparison votes say whether they were cast blind (only those feed the leaderboard). Until
  // now the first vote of a blind run revealed it, so that vote alone was blind.
  `
  ALTER TABLE compare_votes ADD COLUMN blind INTEGER NOT NULL DEFAULT 0;
  UPDATE compare_votes SET blind = 1 WHERE rowid IN (
    SELECT (SELECT v.rowid FROM compare_votes v WHERE v.run_id = r.id ORDER BY v.created_at, v.rowid LIMIT 1)
    FROM compare_runs r WHERE r.blind = 1
  );
  `,
  // 5: the reasoning a model wrote before its answer (DeepSeek-R1, Qwen3 thinking), kept apart
  // from the answer: it is shown collapsed and is not sent back to the model on later turns.
  `
  ALTER TABLE messages ADD COLUMN reasoning TEXT;
  ALTER TABLE compare_answers ADD COLUMN reasoning TEXT;
  `,
  // 6: a blind prompt set shows its models in a different order for each prompt: column_order
  // lists, per column of the turn, the position of its model in compare_columns (NULL: the same).
  `
  ALTER TABLE compare_turns ADD COLUMN column_order TEXT;
  `,
  // 7: documents: collections of files, their text as passages (chunks) that keep their page and
  // headings (and the file's name as words, its title), indexed for full-text search (accents and case folded); the collections a
  // conversation answers from; the numbered sources an answer cites.
  `
  CREATE TABLE doc_collections (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE doc_files (
    id TEXT PRIMARY KEY,
    collection_id TEXT NOT NULL REFERENCES doc_collections(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    format TEXT,
    size INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    pages INTEGER,
    chunks INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    added_at INTEGER NOT NULL
  );
  CREATE INDEX doc_files_collection ON doc_files(collection_id, added_at);
  CREATE TABLE doc_chunks (
    id INTEGER PRIMARY KEY,
    file_id TEXT NOT NULL REFERENCES doc_files(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    page INTEGER,
    title TEXT NOT NULL DEFAULT '',
    heading TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL
  );
  CREATE INDEX doc_chunks_file ON doc_chunks(file_id, position);
  CREATE VIRTUAL TABLE doc_chunks_fts USING fts5(
    title, heading, text, content='doc_chunks', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
  );
  CREATE TRIGGER doc_chunks_fts_insert AFTER INSERT ON doc_chunks BEGIN
    INSERT INTO doc_chunks_fts(rowid, title, heading, text) VALUES (new.id, new.title, new.heading, new.text);
  END;
  CREATE TRIGGER doc_chunks_fts_delete AFTER DELETE ON doc_chunks BEGIN
    INSERT INTO doc_chunks_fts(doc_chunks_fts, rowid, title, heading, text) VALUES ('delete', old.id, old.title, old.heading, old.text);
  END;
  CREATE TABLE conversation_documents (
    conversation_id TEXT PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
    collection_ids TEXT NOT NULL,
    only INTEGER NOT NULL DEFAULT 0
  );
  ALTER TABLE messages ADD COLUMN sources TEXT;
  `,
  // 8: ingestion that survives a stop and follows the disk: the job a file was added by, where it
  // is read from (its path on disk with the size and modification time read, or an uploaded
  // file kept in the data folder until read), its page count, and the folders added whole.
  `
  ALTER TABLE doc_files ADD COLUMN job_id TEXT;
  ALTER TABLE doc_files ADD COLUMN path TEXT;
  ALTER TABLE doc_files ADD COLUMN mtime INTEGER;
  ALTER TABLE doc_files ADD COLUMN pending_upload TEXT;
  ALTER TABLE doc_files ADD COLUMN page_count INTEGER;
  CREATE INDEX doc_files_state ON doc_files(state, added_at);
  CREATE TABLE doc_folders (
    collection_id TEXT NOT NULL REFERENCES doc_collections(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    PRIMARY KEY (collection_id, path)
  );
  `,
  // 9: dense vectors of the documents' passages from the chosen embedding model (Float32, normalised):
  // one per passage, removed with it.
  `
  CREATE TABLE doc_vectors (
    chunk_id INTEGER PRIMARY KEY REFERENCES doc_chunks(id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    vector BLOB NOT NULL
  );
  CREATE INDEX doc_vectors_model ON doc_vectors(model);
  `,
  // 10: documents in the comparison workbench: the collections a run answers from; the passages
  // retrieved once for each prompt and given to every model (or "not found"); the passages each
  // answer cites.
  `
  ALTER TABLE compare_runs ADD COLUMN documents TEXT;
  ALTER TABLE compare_turns ADD COLUMN grounding TEXT;
  ALTER TABLE compare_answers ADD COLUMN sources TEXT;
  `,
  // 11: every insert or delete of a vector (a cascade from its passage included) logged in order,
  // so the in-memory vector index catches up with exactly what changed (vector-index.ts).
  `
  CREATE TABLE doc_vector_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    chunk_id INTEGER NOT NULL
  );
  CREATE TRIGGER doc_vectors_log_insert AFTER INSERT ON doc_vectors BEGIN
    INSERT INTO doc_vector_changes (chunk_id) VALUES (new.chunk_id);
  END;
  CREATE TRIGGER doc_vectors_log_update AFTER UPDATE ON doc_vectors BEGIN
    INSERT INTO doc_vector_changes (chunk_id) VALUES (old.chunk_id);
    INSERT INTO doc_vector_changes (chunk_id) VALUES (new.chunk_id);
  END;
  CREATE TRIGGER doc_vectors_log_delete AFTER DELETE ON doc_vectors BEGIN
    INSERT INTO doc_vector_changes (chunk_id) VALUES (old.chunk_id);
  END;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
