/**
 * Conversations benchmark: the time to save a message (one question and its answer row, as the
 * host does) in a conversation of 10 and of 10,000 messages, on a real database file.
 *   node test/bench/conversations.ts        (BENCH_SAVES: saves measured per size, default 500)
 * Prints p50/p95/p99 in microseconds and returns them for run.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConversationService } from '../../electron/services/conversations.ts';
import { openDatabase } from '../../electron/services/db/database.ts';

export interface SaveTimes {
  history: number;
  p50Us: number;
  p95Us: number;
  p99Us: number;
}

export function measureSaves(history: number, saves: number): SaveTimes {
  const dir = mkdtempSync(join(tmpdir(), 'enclave-bench-db-'));
  const { db } = openDatabase(join(dir, 'conversations.db'));
  try {
    const service = new ConversationService(db);
    const c = service.create({ title: 'bench' });
    let parentId: string | null = null;
    for (let i = 0; i < history; i++) parentId = service.addMessage(c.id, { parentId, role: i % 2 === 0 ? 'user' : 'assistant', content: `History message ${i} `.repeat(8) }).id;
    const times: number[] = [];
    for (let i = 0; i < saves; i++) {
      const started = performance.now();
      service.addMessage(c.id, { parentId, role: 'user', content: `A new question, number ${i}, of ordinary length. `.repeat(4) });
      times.push((performance.now() - started) * 1000);
    }
    times.sort((a, b) => a - b);
    const at = (share: number) => Math.round(times[Math.min(times.length - 1, Math.floor(share * times.length))] ?? 0);
    return { history, p50Us: at(0.5), p95Us: at(0.95), p99Us: at(0.99) };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const saves = Number(process.env.BENCH_SAVES ?? 500);
  for (const history of [10, 10_000]) {
    const r = measureSaves(history, saves);
    console.log(`save a message with ${history} in the conversation: p50 ${r.p50Us} µs, p95 ${r.p95Us} µs, p99 ${r.p99Us} µs (${saves} saves)`);
  }
}
