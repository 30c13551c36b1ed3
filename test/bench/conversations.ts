/**
 * Conversations benchmark:
 *  - the time to save a message (as the host saves a question) in a conversation of 10 and of
 *    10,000 messages, on a real database file: p50/p95/p99 and the p95 ratio;
 *  - `PRAGMA quick_check` (run at every start) on a 10,000-message database;
 *  - in Chromium (Debian's, with playwright.config.ts's flags) against the built web host: the
 *    time from the click to the last message of a 5,000-message conversation on screen, and the
 *    renderer's frame times (requestAnimationFrame deltas, collected in the page) while the
 *    endless fixture model streams an answer into it.
 * Needs `npm run build` (out/main/web.js). Alone: `node test/bench/conversations.ts`; run.ts calls
 * runConversationBench(). About 30 s on 2 cores.
 */
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { chromium, type Page } from '@playwright/test';
import playwrightConfig, { CHROMIUM_PATH } from '../../playwright.config.ts';
import { CONVERSATIONS_DB_FILE_NAME } from '../../electron/services/conversations/open-conversations.ts';
import { ConversationService } from '../../electron/services/conversations/conversation-service.ts';
import { openDatabase } from '../../electron/services/platform/db/database.ts';
import { LIMITS, type Sampling } from '#shared/chat.ts';
import { ensureFixtureModels } from '../fixtures/gguf/index.ts';
import { startBuiltWebHost } from '../support/built-web-host.ts';
import { percentile, summarize, type Summary } from './stats.ts';

export interface ConversationBenchOptions {
  /** Saves measured at each history length (default 500). */
  saves?: number;
  /** Messages in the conversation opened in Chromium (default 5,000). */
  openMessages?: number;
  /** Times it is opened (default 3). */
  openRuns?: number;
  /** How long frame times are collected while the answer streams (default 5 s). */
  streamMs?: number;
  log?: (line: string) => void;
}

export interface SaveTimes {
  history: number;
  p50Us: number;
  p95Us: number;
  p99Us: number;
}

export interface FrameTimes {
  frames: number;
  medianMs: number;
  p95Ms: number;
  longestMs: number;
  /** Characters of the answer that arrived while the frames were collected: streaming was under way. */
  streamedChars: number;
}

export interface ConversationBenchResult {
  save: { at10: SaveTimes; at10000: SaveTimes; saves: number; p95Ratio: number };
  quickCheck: { messages: number; fileBytes: number; ms: Summary };
  open: { messages: number; ms: Summary };
  streaming: FrameTimes;
}

const ENDLESS = 'enclave-endless.gguf';
/** The answer being streamed (MessageList marks it so). */
const STREAMING_ANSWER = '[data-testid="message-assistant"][data-state="streaming"]';

/** A conversation of `count` messages (alternating question and answer), one path. */
function seedConversation(service: ConversationService, title: string, count: number, text: (i: number) => string, sampling: Sampling = {}): string {
  const c = service.create({ title, settings: { sampling } });
  let parentId: string | null = null;
  for (let i = 0; i < count; i++) parentId = service.addMessage(c.id, { parentId, role: i % 2 === 0 ? 'user' : 'assistant', content: text(i) }).id;
  return c.id;
}

export function measureSaves(history: number, saves: number): SaveTimes {
  return withDatabase((service) => {
    const id = seedConversation(service, 'bench', history, (i) => `History message ${i} `.repeat(8));
    let parentId = service.get(id).leafId;
    const times: number[] = [];
    for (let i = 0; i < saves; i++) {
      const started = performance.now();
      parentId = service.addMessage(id, { parentId, role: 'user', content: `A new question, number ${i}, of ordinary length. `.repeat(4) }).id;
      times.push((performance.now() - started) * 1000);
    }
    times.sort((a, b) => a - b);
    return { history, p50Us: Math.round(percentile(times, 0.5)), p95Us: Math.round(percentile(times, 0.95)), p99Us: Math.round(percentile(times, 0.99)) };
  });
}

/** quick_check on a database of `messages` messages of about 400 characters, from a fresh connection each time. */
export function measureQuickCheck(messages: number, runs = 5): { messages: number; fileBytes: number; ms: Summary } {
  return withDatabase((service, file, db) => {
    for (let c = 0; c < 10; c++) seedConversation(service, `c${c}`, messages / 10, (i) => `Message ${i} about lighthouses, keepers and the sea at night. `.repeat(7));
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    const times: number[] = [];
    for (let run = 0; run < runs; run++) {
      const reader = new DatabaseSync(file, { readOnly: true });
      const started = performance.now();
      const row = reader.prepare('PRAGMA quick_check').get() as { quick_check: string };
      times.push(performance.now() - started);
      reader.close();
      if (row.quick_check !== 'ok') throw new Error(`quick_check: ${row.quick_check}`);
    }
    return { messages, fileBytes: statSync(file).size, ms: summarize(times) };
  });
}

function withDatabase<T>(work: (service: ConversationService, file: string, db: DatabaseSync) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'enclave-bench-db-'));
  const file = join(dir, 'conversations.db');
  const { db } = openDatabase(file);
  try {
    return work(new ConversationService(db), file, db);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The little of the browser that the page code below uses (this file is type-checked without the DOM library). */
interface PageGlobals {
  document: {
    querySelector(selector: string): PageElement | null;
    querySelectorAll(selector: string): Iterable<PageElement>;
  };
  requestAnimationFrame(callback: (now: number) => void): number;
}

interface PageElement {
  textContent: string | null;
  click(): void;
}

/** Clicks the conversation in the sidebar; ms until its last message is on screen (one frame after it is in the DOM). */
async function timeOpen(page: Page, conversationId: string, lastText: string): Promise<number> {
  return page.evaluate(
    async ({ id, text }) => {
      const win = globalThis as unknown as PageGlobals;
      const button = win.document.querySelector(`[data-conversation-id="${id}"] .conversation-open`);
      if (button === null) throw new Error(`no conversation ${id} in the sidebar`);
      const started = performance.now();
      button.click();
      await new Promise<void>((resolve) => {
        const check = () => {
          const shown = [...win.document.querySelectorAll('[data-message-id]')].some((element) => element.textContent?.includes(text) === true);
          if (shown) win.requestAnimationFrame(() => resolve());
          else win.requestAnimationFrame(check);
        };
        check();
      });
      return performance.now() - started;
    },
    { id: conversationId, text: lastText },
  );
}

/** requestAnimationFrame deltas for `ms`, collected in the page, with how much the answer grew meanwhile. */
async function frameTimes(page: Page, ms: number): Promise<FrameTimes> {
  const { deltas, streamedChars, stillStreaming } = await page.evaluate(
    async ({ duration, selector }) => {
      const win = globalThis as unknown as PageGlobals;
      const answerLength = () => win.document.querySelector(selector)?.textContent?.length ?? 0;
      const before = answerLength();
      const collected: number[] = [];
      await new Promise<void>((resolve) => {
        win.requestAnimationFrame((first) => {
          let last = first;
          const tick = (now: number) => {
            collected.push(now - last);
            last = now;
            if (now - first < duration) win.requestAnimationFrame(tick);
            else resolve();
          };
          win.requestAnimationFrame(tick);
        });
      });
      return { deltas: collected, streamedChars: answerLength() - before, stillStreaming: win.document.querySelector(selector) !== null };
    },
    { duration: ms, selector: STREAMING_ANSWER },
  );
  if (!stillStreaming) throw new Error('the answer ended before the frame times were collected: raise its max tokens or shorten streamMs');
  const sorted = [...deltas].sort((a, b) => a - b);
  return { frames: deltas.length, medianMs: summarize(deltas).median, p95Ms: percentile(sorted, 0.95), longestMs: sorted.at(-1) ?? 0, streamedChars };
}

async function measureInChromium(
  options: Required<Pick<ConversationBenchOptions, 'openMessages' | 'openRuns' | 'streamMs'>>,
): Promise<{ open: ConversationBenchResult['open']; streaming: FrameTimes }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'enclave-bench-chat-'));
  const modelsDir = join(dataDir, 'models');
  await mkdir(modelsDir, { recursive: true });
  const { endless } = await ensureFixtureModels();
  await copyFile(endless, join(modelsDir, basename(endless)));
  const { db } = openDatabase(join(dataDir, CONVERSATIONS_DB_FILE_NAME));
  const service = new ConversationService(db);
  const small = seedConversation(service, 'A short one', 2, (i) => `Short message ${i}`);
  // The longest answers allowed, so the endless model streams for the whole measurement.
  const long = seedConversation(service, 'Very long history', options.openMessages, (i) => `Message number ${i}: a few words of an ordinary length, about lighthouses.`, {
    maxTokens: LIMITS.maxTokens,
  });
  db.close();

  const host = await startBuiltWebHost(dataDir, modelsDir, { ENCLAVE_THREADS: '1' });
  const browser = await chromium.launch({ ...playwrightConfig.use?.launchOptions, executablePath: CHROMIUM_PATH });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  try {
    await page.goto(host.url);
    await page.locator(`[data-conversation-id="${long}"]`).waitFor();
    const lastText = `Message number ${options.openMessages - 1}:`;
    const opens: number[] = [];
    for (let run = 0; run < options.openRuns; run++) {
      opens.push(await timeOpen(page, long, lastText));
      // Away and back, so the next open loads the conversation again.
      await timeOpen(page, small, 'Short message 1');
    }
    await timeOpen(page, long, lastText);

    await page.getByTestId('model-menu').click();
    await page.locator(`[data-testid="model-option"][data-model-id="${ENDLESS}"]`).click();
    await page.getByTestId('composer').fill('Count for as long as you can');
    await page.getByTestId('composer').press('Enter');
    await page.waitForFunction((selector) => ((globalThis as unknown as PageGlobals).document.querySelector(selector)?.textContent?.length ?? 0) > 20, STREAMING_ANSWER, {
      timeout: 60_000,
    });
    const streaming = await frameTimes(page, options.streamMs);
    await page.getByTestId('stop').click();
    await page.getByTestId('send').waitFor();
    return { open: { messages: options.openMessages, ms: summarize(opens) }, streaming };
  } catch (error) {
    const shot = join(tmpdir(), 'enclave-bench-conversations-failure.png');
    await page.screenshot({ path: shot }).catch(() => undefined);
    throw new Error(`the Chromium part failed (the page is in ${shot})`, { cause: error });
  } finally {
    await browser.close();
    await host.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function runConversationBench(options: ConversationBenchOptions = {}): Promise<ConversationBenchResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const saves = options.saves ?? 500;
  const at10 = measureSaves(10, saves);
  const at10000 = measureSaves(10_000, saves);
  const save = { at10, at10000, saves, p95Ratio: at10000.p95Us / Math.max(1, at10.p95Us) };
  log(`save a message: p95 ${at10.p95Us} µs with 10 messages, ${at10000.p95Us} µs with 10,000 (ratio ${save.p95Ratio.toFixed(2)}; p99 ${at10.p99Us} / ${at10000.p99Us} µs; ${saves} saves each)`);
  const quickCheck = measureQuickCheck(10_000);
  log(
    `quick_check at start-up, 10,000 messages (${(quickCheck.fileBytes / 1e6).toFixed(1)} MB): ${quickCheck.ms.median.toFixed(1)} ms (${quickCheck.ms.min.toFixed(1)}–${quickCheck.ms.max.toFixed(1)})`,
  );
  const { open, streaming } = await measureInChromium({ openMessages: options.openMessages ?? 5_000, openRuns: options.openRuns ?? 3, streamMs: options.streamMs ?? 5_000 });
  log(`open a ${open.messages}-message conversation in Chromium: ${open.ms.median.toFixed(0)} ms (${open.ms.min.toFixed(0)}–${open.ms.max.toFixed(0)}, ${open.ms.runs} opens)`);
  log(
    `frame time while streaming into it: median ${streaming.medianMs.toFixed(1)} ms, p95 ${streaming.p95Ms.toFixed(1)} ms, longest ${streaming.longestMs.toFixed(1)} ms ` +
      `(${streaming.frames} frames, ${streaming.streamedChars} characters streamed meanwhile)`,
  );
  return { save, quickCheck, open, streaming };
}

if (import.meta.main) {
  const result = await runConversationBench({ saves: Number(process.env.BENCH_SAVES ?? 500) });
  console.log(JSON.stringify(result));
}
