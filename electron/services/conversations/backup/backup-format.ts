/** The files of an Enclave backup zip (`conversations.backup`), restored by `conversations.import`. */
export const BACKUP_FORMAT = 'enclave.backup';
export const BACKUP_VERSION = 1;

export const BACKUP_ENTRIES = {
  manifest: 'enclave-backup.json',
  database: 'conversations.db',
  settings: 'settings.json',
} as const;

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  version: number;
  createdAt: string;
  /** The database's schema version (`PRAGMA user_version`); an older one is migrated when restored. */
  schemaVersion: number;
}

/**
 * Tables a backup leaves out, emptied in its copy of the database (children first): document
 * collections are the user's files, added again from them on the other computer, so a backup never
 * carries a document's text. Answers keep the passages they quoted, as part of their conversation.
 */
export const TABLES_LEFT_OUT: readonly string[] = ['conversation_documents', 'doc_vectors', 'doc_vector_changes', 'doc_chunks', 'doc_folders', 'doc_files', 'doc_collections'];

/**
 * The database's tables in the order a restore merges them (parents first), each with the rows
 * a backup carries: conversations hidden by a delete not yet final stay behind, with their messages.
 */
export const BACKUP_TABLES: readonly { table: string; rows: string }[] = [
  { table: 'conversations', rows: 'SELECT * FROM backup.conversations WHERE deleted_at IS NULL' },
  { table: 'messages', rows: 'SELECT m.* FROM backup.messages m JOIN backup.conversations c ON c.id = m.conversation_id AND c.deleted_at IS NULL' },
  { table: 'sampling_presets', rows: 'SELECT * FROM backup.sampling_presets' },
  { table: 'compare_runs', rows: 'SELECT * FROM backup.compare_runs' },
  { table: 'compare_columns', rows: 'SELECT * FROM backup.compare_columns' },
  { table: 'compare_turns', rows: 'SELECT * FROM backup.compare_turns' },
  { table: 'compare_answers', rows: 'SELECT * FROM backup.compare_answers' },
  { table: 'compare_votes', rows: 'SELECT * FROM backup.compare_votes' },
  { table: 'prompt_sets', rows: 'SELECT * FROM backup.prompt_sets' },
];
