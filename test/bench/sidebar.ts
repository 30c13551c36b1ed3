/**
 * The first screen of a heavy user: in Chromium (Debian's, with playwright.config.ts's flags)
 * against the built web host, the time from opening the page to the sidebar showing its first
 * conversation, with 3 and with 10,000 conversations in the database, and the rows then in the DOM.
 * Each run is a fresh page, so nothing is cached in the renderer. Needs `npm run build`
 * (out/main/web.js). Alone: `node test/bench/sidebar.ts`; run.ts calls runSidebarBench().
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import playwrightConfig, { CHROMIUM_PATH } from '../../playwright.config.ts';
import { startBuiltWebHost } from '../support/built-web-host.ts';
import { seedConversations } from '../support/seed-conversations.ts';
import { summarize, type Summary } from './stats.ts';

export interface FirstScreen {
  conversations: number;
  /** Opening the page to the first conversation visible in the sidebar. */
  ms: Summary;
  /** Conversation rows in the DOM at that moment. */
  rowsInDom: number;
}

export interface SidebarBenchResult {
  few: FirstScreen;
  many: FirstScreen;
  /** many / few, medians. */
  ratio: number;
}

export interface SidebarBenchOptions {
  few?: number;
  many?: number;
  runs?: number;
  log?: (line: string) => void;
}

async function measureFirstScreen(conversations: number, runs: number): Promise<FirstScreen> {
  const dataDir = await mkdtemp(join(tmpdir(), 'enclave-bench-sidebar-'));
  const modelsDir = join(dataDir, 'models');
  await mkdir(modelsDir, { recursive: true });
  seedConversations(dataDir, conversations);
  const host = await startBuiltWebHost(dataDir, modelsDir);
  const browser = await chromium.launch({ ...playwrightConfig.use?.launchOptions, executablePath: CHROMIUM_PATH });
  try {
    const times: number[] = [];
    let rowsInDom = 0;
    // One page first and not counted: Chromium's own start and the host's first list are not the sidebar's cost.
    for (let run = 0; run <= runs; run++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
      const started = performance.now();
      await page.goto(host.url);
      await page.getByTestId('conversation-item').first().waitFor({ state: 'visible', timeout: 120_000 });
      const ms = performance.now() - started;
      rowsInDom = await page.getByTestId('conversation-item').count();
      if (run > 0) times.push(ms);
      await page.close();
    }
    return { conversations, ms: summarize(times), rowsInDom };
  } finally {
    await browser.close();
    await host.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function runSidebarBench(options: SidebarBenchOptions = {}): Promise<SidebarBenchResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const runs = options.runs ?? 5;
  const results: FirstScreen[] = [];
  for (const count of [options.few ?? 3, options.many ?? 10_000]) {
    const result = await measureFirstScreen(count, runs);
    log(`first screen with ${count} conversations: ${result.ms.median.toFixed(0)} ms (${result.ms.min.toFixed(0)}–${result.ms.max.toFixed(0)}, ${runs} loads), ${result.rowsInDom} rows in the DOM`);
    results.push(result);
  }
  const [few, many] = results as [FirstScreen, FirstScreen];
  return { few, many, ratio: many.ms.median / few.ms.median };
}

if (import.meta.main) {
  const result = await runSidebarBench({ runs: Number(process.env.BENCH_RUNS ?? 5) });
  console.log(JSON.stringify(result));
}
