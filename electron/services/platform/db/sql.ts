/**
 * The two habits every store on the conversations database shares: prepared statements cached by
 * their text (preparing costs more than running), and BEGIN IMMEDIATE transactions (the write lock
 * is taken at the start, so a concurrent writer waits on busy_timeout instead of failing mid-way).
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';

export type Sql = (text: string) => StatementSync;

/** A `sql(text)` that prepares each statement once per database connection. */
export function statementCache(db: DatabaseSync): Sql {
  const statements = new Map<string, StatementSync>();
  return (text) => {
    let statement = statements.get(text);
    if (statement === undefined) {
      statement = db.prepare(text);
      statements.set(text, statement);
    }
    return statement;
  };
}

/** Runs `body` in one transaction: committed if it returns, rolled back if it throws. */
export function transaction<T>(db: DatabaseSync, body: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = body();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}
