/**
 * Durability with real processes: writers killed with SIGKILL mid-stream, and writers sharing the
 * database at once. ENCLAVE_KILL_RUNS sets the number of kills (default 200,
 * about 30 s on 2 cores).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, expect, test } from 'vitest';
import { ConversationService } from '../../../../electron/services/conversations/conversation-service.ts';
import { openDatabase } from '../../../../electron/services/platform/db/database.ts';

const WRITER = join(import.meta.dirname, '..', '..', '..', 'support', 'conversation-writer.ts');
const KILL_RUNS = Number(process.env.ENCLAVE_KILL_RUNS ?? '200');
const dir = mkdtempSync(join(tmpdir(), 'enclave-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface WriterRun {
  /** Ids whose last write was committed before the kill. */
  saved: Set<string>;
  /** The answer that was streaming, if the kill landed during one. */
  inFlight: string | null;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs the writer; kills it `killAfterMs` after it is ready (null: lets it finish). */
function runWriter(file: string, conversationId: string, turns: number, killAfterMs: number | null): Promise<WriterRun> {
  const child = spawn(process.execPath, [WRITER, file, conversationId, String(turns)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const run: WriterRun = { saved: new Set(), inFlight: null, code: null, signal: null };
  let buffer = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      const [kind, id] = line.split(' ');
      if (kind === 'ready' && killAfterMs !== null) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      if (kind === 'generating' && id !== undefined) run.inFlight = id;
      if (kind === 'saved' && id !== undefined) {
        run.saved.add(id);
        if (id === run.inFlight) run.inFlight = null;
      }
    }
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (killAfterMs === null && code !== 0) reject(new Error(`writer exited with ${code}: ${stderr}`));
      resolve({ ...run, code, signal });
    });
  });
}

function integrityOf(file: string): string {
  const db = new DatabaseSync(file, { readOnly: true });
  const row = db.prepare('PRAGMA integrity_check').get() as { integrity_check: string };
  db.close();
  return row.integrity_check;
}

interface StoredRow {
  id: string;
  role: string;
  state: string;
  content: string;
}

function rowsOf(file: string): Map<string, StoredRow> {
  const db = new DatabaseSync(file, { readOnly: true });
  const rows = db.prepare('SELECT id, role, state, content FROM messages ORDER BY rowid').all() as unknown as StoredRow[];
  db.close();
  return new Map(rows.map((row) => [row.id, row]));
}

test(`${KILL_RUNS} writers killed mid-stream: no corrupt file, at most the streaming answer lost`, async () => {
  const file = join(dir, 'killed.db');
  const { db } = openDatabase(file);
  const conversationId = new ConversationService(db).create({ title: 'kill test' }).id;
  db.close();

  /** Every write a writer saw committed, as it must stay through every later kill. */
  const committed = new Map<string, StoredRow>();
  const integrityResults = new Map<string, number>();
  let interruptedTotal = 0;
  let killsWhileStreaming = 0;
  let lostCommitted = 0;
  let kills = 0;
  try {
    for (let run = 0; run < KILL_RUNS; run++) {
      // Kill times spread over the first 60 ms of writing, so kills land in every kind of statement.
      const result = await runWriter(file, conversationId, 0, (run * 7) % 60);
      expect(result.signal).toBe('SIGKILL');
      kills++;
      const integrity = integrityOf(file);
      integrityResults.set(integrity, (integrityResults.get(integrity) ?? 0) + 1);
      expect(integrity).toBe('ok');

      // Before the next start: at most one row (the answer that was streaming) was left generating.
      const beforeStart = rowsOf(file);
      const generating = [...beforeStart.values()].filter((row) => row.state === 'generating');
      expect(generating.length).toBeLessThanOrEqual(1);
      if (result.inFlight !== null) {
        killsWhileStreaming++;
        // The kill landed while this answer streamed, or just after its last write and before the writer said so.
        expect(['generating', 'done']).toContain(beforeStart.get(result.inFlight)?.state);
      }
      // An answer left generating is the one the writer said was streaming, or the newest row (inserted
      // just before the kill, before the writer could say so).
      const newest = [...beforeStart.keys()].at(-1);
      for (const row of generating) expect([result.inFlight, newest]).toContain(row.id);

      const reopened = openDatabase(file);
      expect(reopened.quarantined).toBeNull();
      const { interrupted } = new ConversationService(reopened.db).recover();
      reopened.db.close();
      expect(interrupted).toBe(generating.length);
      interruptedTotal += interrupted;

      const afterStart = rowsOf(file);
      expect([...afterStart.values()].filter((row) => row.state === 'generating')).toEqual([]);
      for (const row of generating) {
        // Shown as interrupted, with the text saved so far.
        expect(afterStart.get(row.id)).toEqual({ ...row, state: 'interrupted' });
      }
      // Every write committed by this writer or an earlier one is there, unchanged.
      for (const id of result.saved) {
        const row = afterStart.get(id);
        if (row !== undefined && row.state === 'done') committed.set(id, row);
        else lostCommitted++;
      }
      for (const [id, row] of committed) if (afterStart.get(id)?.content !== row.content || afterStart.get(id)?.state !== row.state) lostCommitted++;
      expect(lostCommitted).toBe(0);
    }
  } finally {
    // Printed even when an expectation fails, so a failing run still shows its figures.
    const integritySummary = [...integrityResults].map(([value, count]) => `${value} x${count}`).join(', ');
    console.log(
      `kill test: ${kills} kills (${killsWhileStreaming} while an answer streamed), integrity_check ${integritySummary}, ` +
        `${interruptedTotal} answers marked interrupted (at most 1 per kill), ${lostCommitted} committed writes lost of ${committed.size} checked after every kill`,
    );
  }
}, 600_000);

test('three writer processes share the database at once without losing a write', async () => {
  const file = join(dir, 'concurrent.db');
  const { db } = openDatabase(file);
  const conversationId = new ConversationService(db).create({ title: 'concurrent' }).id;
  db.close();
  const turns = 40;
  const runs = await Promise.all([1, 2, 3].map(() => runWriter(file, conversationId, turns, null)));
  expect(integrityOf(file)).toBe('ok');
  const reopened = openDatabase(file);
  const count = reopened.db.prepare('SELECT count(*) AS n FROM messages WHERE conversation_id = ?').get(conversationId) as { n: number };
  expect(count.n).toBe(3 * turns * 2);
  for (const run of runs) expect(run.saved.size).toBe(turns * 2);
  expect(new ConversationService(reopened.db).get(conversationId).messageCount).toBe(3 * turns * 2);
  reopened.db.close();
});
