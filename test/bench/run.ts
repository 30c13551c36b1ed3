/**
 * `npm run bench`: Enclave's speed on this machine, separate from `npm test`. Every section by
 * default; name some to run only those (`npm run bench -- downloads compare`):
 *  - performance (performance.ts): generation and prompt speed, raw node-llama-cpp
 *    against Enclave's whole path per thread count, the thread count Enclave picks, llama-bench,
 *    batch sizes, UV_THREADPOOL_SIZE;
 *  - conversations (conversations.ts): saving at 10 and 10,000 messages, opening 5,000
 *    messages in Chromium, frame times while streaming into them;
 *  - sidebar (sidebar.ts): the first screen in Chromium, page opened to the sidebar's first
 *    conversation shown, with 3 and with 10,000 conversations;
 *  - downloads (downloads.ts): DownloadService against a plain single-stream read of the
 *    same file, sha256 speed;
 *  - compare (compare.ts): two models compared with the app's scheduling against one
 *    after the other by hand;
 *  - room (room.ts): aggregate tokens/s and time to first token with 1, 4 and 8
 *    workshop participants and local API clients;
 *  - servers (servers.ts): the same model through llama-server directly, through Enclave to
 *    llama-server and on Enclave's own engine, one answer at a time; rooms of 8 and 20 answered
 *    by llama-server with 4 slots against the local engine (needs llama-server built).
 *  - engine-build (engine-build.ts): the engine built here by `npm run engine:build` (OpenMP)
 *    against the prebuilt binaries, raw and through the local API, next to llama-bench; skipped
 *    without a local build;
 *  - speculative (speculative.ts): generation with and without speculative decoding, by input
 *    lookup on answers that copy their prompt and answers that copy nothing, and with a draft
 *    model that is always right or always wrong;
 *  - prediction (prediction.ts): the speed calibration's predicted tokens/s against the engine's
 *    measured speed on synthetic models of real shapes from 0.1B to 1.5B, and the error;
 *  - documents (documents.ts): ingestion speed per format through the extraction worker, text
 *    recognition seconds per page, full-text query latency at 1k, 10k and 100k passages.
 * `--full` (or BENCH_FULL=1) measures more: every bench model, the thread sweep, batch sizes,
 * UV_THREADPOOL_SIZE, the larger rooms (scope.ts); without it the run stays under 15 minutes.
 * Writes test/bench/results/bench.{json,md}. Timings depend on what else the machine runs.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCompareBench, type CompareBenchResult } from './compare.ts';
import { runConversationBench, type ConversationBenchResult } from './conversations.ts';
import { documentsBenchMarkdown, runDocumentsBench } from './documents.ts';
import { runDownloadBench, type DownloadBenchResult } from './downloads.ts';
import { BENCH_MODEL_SPECS, ensureBenchModel, type BenchModelSpec } from './models.ts';
import { engineBuildMarkdown, runEngineBuildBench } from './engine-build.ts';
import { runPerformanceBench } from './performance.ts';
import { predictionMarkdown, runPredictionBench } from './prediction.ts';
import { runSidebarBench, type SidebarBenchResult } from './sidebar.ts';
import { roomBenchMarkdown, runRoomBench } from './room.ts';
import { runServersBench, serversBenchMarkdown } from './servers.ts';
import { runSpeculativeBench, speculativeMarkdown } from './speculative.ts';
import { FULL_BENCH } from './scope.ts';
import { formatSummary } from './stats.ts';
import { directDispatcher } from '../support/loopback.ts';
import { llamaServerMissing } from '../support/llama-server.ts';

const RESULTS_DIR = join(import.meta.dirname, 'results');
const SECTIONS = ['performance', 'engine-build', 'speculative', 'prediction', 'conversations', 'sidebar', 'downloads', 'compare', 'room', 'servers', 'documents'] as const;
type Section = (typeof SECTIONS)[number];

const asked = process.argv.slice(2).filter((argument) => argument !== '--full');
const unknown = asked.filter((name) => !(SECTIONS as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(`unknown section(s) ${unknown.join(', ')}; the sections are ${SECTIONS.join(', ')}`);
  process.exit(2);
}
const chosen: readonly Section[] = asked.length === 0 ? SECTIONS : SECTIONS.filter((name) => asked.includes(name));

function benchSpec(id: string): BenchModelSpec {
  const spec = BENCH_MODEL_SPECS.find((candidate) => candidate.id === id);
  if (spec === undefined) throw new Error(`no bench model ${id}`);
  return spec;
}

function conversationsMarkdown(result: ConversationBenchResult): string {
  const { save, quickCheck, open, streaming } = result;
  return [
    '| figure | value |',
    '| --- | --- |',
    `| save a message, p95, at 10 messages | ${save.at10.p95Us} µs |`,
    `| save a message, p95, at 10,000 messages | ${save.at10000.p95Us} µs |`,
    `| ratio (10,000 / 10) | ${save.p95Ratio.toFixed(2)} |`,
    `| integrity check at start (quick_check), ${quickCheck.messages.toLocaleString('en')} messages | ${formatSummary(quickCheck.ms, 1)} ms |`,
    `| open a ${open.messages.toLocaleString('en')}-message conversation in Chromium | ${formatSummary(open.ms)} ms |`,
    `| frame time while an answer streams into it: median / p95 / longest | ${streaming.medianMs.toFixed(1)} / ${streaming.p95Ms.toFixed(1)} / ${streaming.longestMs.toFixed(1)} ms (${streaming.frames} frames) |`,
  ].join('\n');
}

function sidebarMarkdown(result: SidebarBenchResult): string {
  const row = (screen: SidebarBenchResult['few']) => `| ${screen.conversations.toLocaleString('en')} conversations | ${formatSummary(screen.ms)} ms | ${screen.rowsInDom} |`;
  return [
    `Page opened to the sidebar's first conversation on screen, in Chromium at 1280x800, ${result.few.ms.runs} loads each:`,
    '',
    '| database | first screen, median (min–max) | rows in the DOM |',
    '| --- | --- | --- |',
    row(result.few),
    row(result.many),
    `| ratio (${result.many.conversations.toLocaleString('en')} / ${result.few.conversations.toLocaleString('en')}) | ${result.ratio.toFixed(2)} | |`,
  ].join('\n');
}

function downloadsMarkdown(result: DownloadBenchResult): string {
  return [
    `A ${(result.fileBytes / 2 ** 20).toFixed(0)} MiB file from the fake Hugging Face server on 127.0.0.1, ${result.runs} runs each (MB/s, median (min–max)):`,
    '',
    '| figure | value |',
    '| --- | --- |',
    `| plain single-stream read to disk | ${formatSummary(result.plainMBps)} |`,
    `| DownloadService (node-llama-cpp's downloader), to the last byte | ${formatSummary(result.serviceMBps)} |`,
    `| ratio, run by run | ${formatSummary(result.ratio, 2)} |`,
    `| DownloadService, to verified (sha256 included) | ${formatSummary(result.serviceVerifiedMBps)} |`,
    `| sha256 of the file | ${formatSummary(result.hashMBps)} |`,
    `| bytes sent by the server per download, × the file | ${formatSummary(result.servedPerFile, 2)} |`,
  ].join('\n');
}

function compareMarkdown(result: CompareBenchResult): string {
  return [
    `${result.models.join(' and ')}, ${result.prompts} prompts, at most ${result.maxTokens} tokens each, ENCLAVE_THREADS=${result.threads}, ${result.runs} runs alternating which way goes first:`,
    '',
    '| way | total ms, median (min–max) | model loads |',
    '| --- | --- | --- |',
    `| the app's scheduling (a prompt-set batch) | ${formatSummary(result.app.totalMs)} | ${result.app.modelLoads} |`,
    `| by hand: every prompt to one model, then to the other | ${formatSummary(result.byHand.totalMs)} | ${result.byHand.modelLoads} |`,
    `| by hand / app | ${result.ratio.toFixed(2)} | |`,
  ].join('\n');
}

const started = performance.now();
const results: Partial<Record<Section, unknown>> = {};
const markdown: string[] = [];
for (const section of chosen) {
  const sectionStarted = performance.now();
  console.log(`== ${section}`);
  switch (section) {
    case 'performance': {
      const { report, markdown: table } = await runPerformanceBench();
      results.performance = report;
      markdown.push('## Performance', '', table);
      break;
    }
    case 'engine-build': {
      const result = await runEngineBuildBench();
      results['engine-build'] = result;
      markdown.push('## The engine built here', '', engineBuildMarkdown(result));
      break;
    }
    case 'speculative': {
      const result = await runSpeculativeBench();
      results.speculative = result;
      markdown.push('## Speculative decoding', '', speculativeMarkdown(result));
      break;
    }
    case 'prediction': {
      const result = await runPredictionBench();
      results.prediction = result;
      markdown.push('## Speeds predicted before download', '', predictionMarkdown(result));
      break;
    }
    case 'conversations': {
      const result = await runConversationBench({ log: console.log });
      results.conversations = result;
      markdown.push('## Conversations', '', conversationsMarkdown(result));
      break;
    }
    case 'sidebar': {
      const result = await runSidebarBench({ log: console.log });
      results.sidebar = result;
      markdown.push('## Sidebar', '', sidebarMarkdown(result));
      break;
    }
    case 'downloads': {
      const result = await runDownloadBench({ log: console.log });
      results.downloads = result;
      markdown.push('## Downloads', '', downloadsMarkdown(result));
      break;
    }
    case 'compare': {
      // Two tiny models of different quantizations: each runs fastest on one thread, so on two
      // cores they can answer side by side (a larger model wants every core by itself).
      const [tiny8, tiny4] = await Promise.all(['tiny-q8_0', 'tiny-q4_0'].map((id) => ensureBenchModel(benchSpec(id))));
      const result = await runCompareBench({ modelFiles: [tiny8 ?? '', tiny4 ?? ''], prompts: 8, maxTokens: 400, threads: process.env.ENCLAVE_THREADS });
      results.compare = result;
      markdown.push('## Comparison', '', compareMarkdown(result));
      break;
    }
    case 'room': {
      const result = await runRoomBench();
      results.room = result;
      markdown.push('## Workshop room and local API', '', roomBenchMarkdown(result));
      break;
    }
    case 'servers': {
      const missing = llamaServerMissing();
      if (missing !== null) {
        console.log(`servers: skipped: ${missing}`);
        markdown.push('## Inference servers', '', `Skipped: ${missing}.`);
        break;
      }
      // The room of 20 and 5 runs only in the full run: the room alone takes minutes when other work shares the cores.
      const result = await runServersBench(FULL_BENCH ? {} : { runs: 3, participants: [8] });
      results.servers = result;
      markdown.push('## Inference servers', '', serversBenchMarkdown(result));
      break;
    }
    case 'documents': {
      // 100,000 passages only when the section is asked for by name or in the full run: writing them takes about a minute.
      const sizes = FULL_BENCH || asked.includes('documents') ? {} : { passageCounts: [1_000, 10_000], scanSizes: [1_000, 10_000] };
      const result = await runDocumentsBench({ log: console.log, ...sizes });
      results.documents = result;
      markdown.push('## Documents', '', documentsBenchMarkdown(result));
      break;
    }
    default:
      throw new Error(`unknown section ${String(section satisfies never)}`);
  }
  markdown.push('', `(${((performance.now() - sectionStarted) / 1000).toFixed(0)} s)`, '');
}
await directDispatcher.close();
const minutes = (performance.now() - started) / 60_000;
const argumentsGiven = process.argv.slice(2);
const command = `${process.env.BENCH_FULL === '1' ? 'BENCH_FULL=1 ' : ''}npm run bench${argumentsGiven.length > 0 ? ` -- ${argumentsGiven.join(' ')}` : ''}`;
const text = `${markdown.join('\n')}\nAll sections: ${minutes.toFixed(1)} minutes. Command: \`${command}\`.\n`;
await mkdir(RESULTS_DIR, { recursive: true });
await writeFile(join(RESULTS_DIR, 'bench.json'), `${JSON.stringify({ date: new Date().toISOString(), minutes, full: FULL_BENCH, sections: results }, null, 2)}\n`);
await writeFile(join(RESULTS_DIR, 'bench.md'), text);
console.log(`\n${text}`);
process.exit(0);
