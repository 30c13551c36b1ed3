/**
 * Opens the conversations database (node:sqlite): WAL, foreign keys, schema migrations with a
 * backup taken first. A file this app cannot use (corrupt, or written by a newer Enclave) is moved
 * aside, never silently wiped, and a fresh one is started.
 */
import { existsSync, renameSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import type { DatabaseQuarantine } from '#shared/conversations.ts';
import { MIGRATIONS } from './migrations.ts';

export interface OpenedDatabase {
  db: DatabaseSync;
  /** Where a file this app could not use was moved, when it was; the user is told. */
  quarantined: DatabaseQuarantine | null;
  /** The copy taken before migrating an older schema, when one was migrated. */
  backupPath: string | null;
}

/** SQLite result codes that mean the file itself is damaged or is not a database. */
const CORRUPT_ERRCODES = new Set([11 /* SQLITE_CORRUPT */, 26 /* SQLITE_NOTADB */]);

/** A database whose schema version is above the migrations this app knows: a newer Enclave wrote it. */
class NewerSchemaError extends Error {
  readonly version: number;

  constructor(file: string, version: number, known: number) {
    super(`the database ${file} has schema version ${version}, newer than this app knows (${known})`);
    this.version = version;
  }
}

export function openDatabase(file: string, migrations: readonly string[] = MIGRATIONS, now: () => number = Date.now): OpenedDatabase {
  try {
    return { ...openAndMigrate(file, migrations, now), quarantined: null };
  } catch (error) {
    const quarantined = quarantineFor(file, error, now());
    if (quarantined === null) throw error;
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(file + suffix)) renameSync(file + suffix, quarantined.path + suffix);
    }
    return { ...openAndMigrate(file, migrations, now), quarantined };
  }
}

function quarantineFor(file: string, error: unknown, at: number): DatabaseQuarantine | null {
  if (error instanceof NewerSchemaError) return { path: `${file}.newer-v${error.version}-${at}`, reason: 'newerSchema' };
  if (isCorruption(error)) return { path: `${file}.corrupt-${at}`, reason: 'corrupt' };
  return null;
}

function openAndMigrate(file: string, migrations: readonly string[], now: () => number): { db: DatabaseSync; backupPath: string | null } {
  const db = new DatabaseSync(file);
  try {
    // First: another process opening or checkpointing the same file holds its locks for a moment.
    db.exec('PRAGMA busy_timeout = 5000');
    // A file that is not a database fails on its first read, here.
    const check = db.prepare('PRAGMA quick_check').get() as { quick_check?: string } | undefined;
    if (check?.quick_check !== 'ok') throw Object.assign(new Error(`quick_check: ${String(check?.quick_check)}`), { errcode: 11 });
    db.exec('PRAGMA journal_mode = WAL');
    // NORMAL in WAL mode: a killed process loses nothing committed; only a power cut may lose the last commits.
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA foreign_keys = ON');
    return { db, backupPath: migrate(db, file, migrations, now) };
  } catch (error) {
    db.close();
    throw error;
  }
}

function migrate(db: DatabaseSync, file: string, migrations: readonly string[], now: () => number): string | null {
  const version = userVersion(db);
  if (version > migrations.length) throw new NewerSchemaError(file, version, migrations.length);
  if (version === migrations.length) return null;
  let backupPath: string | null = null;
  if (version > 0) {
    backupPath = `${file}.backup-v${version}-${now()}`;
    db.prepare('VACUUM INTO ?').run(backupPath);
  }
  for (let next = version; next < migrations.length; next++) {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(migrations[next] ?? '');
      db.exec(`PRAGMA user_version = ${next + 1}`);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }
  return backupPath;
}

export function userVersion(db: DatabaseSync): number {
  const row = db.prepare('PRAGMA user_version').get() as { user_version: number } | undefined;
  return row?.user_version ?? 0;
}

function isCorruption(error: unknown): boolean {
  const errcode = (error as { errcode?: unknown } | null)?.errcode;
  return typeof errcode === 'number' && CORRUPT_ERRCODES.has(errcode & 0xff);
}
