/**
 * Ingestion of the 300-page, about 100 MB PDF (`test/fixtures/documents/large-pdf.ts`: text and a
 * large image stream per page) by the documents service in a process of its own
 * (`test/support/ingest-child.ts`), so its peak memory is that of the process doing the
 * extraction, not the benchmark's (which writes the PDF). A 1-page PDF read the same way gives the
 * process's footprint without a large file.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LARGE_PDF, largePdf } from '../fixtures/documents/large-pdf.ts';

const CHILD = join(import.meta.dirname, '..', 'support', 'ingest-child.ts');

export interface LargePdfBenchResult {
  pages: number;
  bytes: number;
  seconds: number;
  pagesPerSecond: number;
  megabytesPerSecond: number;
  /** Peak resident memory of the process reading the large PDF, in MB. */
  peakRssMb: number;
  /** The same for a 1-page PDF: the process's footprint without a large file. */
  baselineRssMb: number;
}

interface ChildResult {
  ms: number;
  maxRssKb: number;
}

async function ingestInChild(pdf: string): Promise<ChildResult> {
  const data = await mkdtemp(join(tmpdir(), 'enclave-bench-documents-'));
  try {
    const child = spawn(process.execPath, [CHILD, data, pdf], { stdio: ['ignore', 'pipe', 'inherit'] });
    let last = '';
    let rest = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      if (lines.length > 0) last = lines.at(-1) ?? last;
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`the ingestion process ended with ${String(code)}`);
    const done = JSON.parse(last) as { done?: boolean; ms: number; maxRssKb: number; collectionId: string };
    if (done.done !== true) throw new Error(`unexpected last line ${last}`);
    return done;
  } finally {
    await rm(data, { recursive: true, force: true });
  }
}

export async function runLargePdfBench(): Promise<LargePdfBenchResult> {
  const pdf = await largePdf(LARGE_PDF);
  const bytes = (await stat(pdf)).size;
  const baseline = await ingestInChild(await largePdf({ pages: 1, imageBytes: LARGE_PDF.imageBytes }));
  const large = await ingestInChild(pdf);
  const seconds = large.ms / 1000;
  return {
    pages: LARGE_PDF.pages,
    bytes,
    seconds,
    pagesPerSecond: LARGE_PDF.pages / seconds,
    megabytesPerSecond: bytes / 1e6 / seconds,
    peakRssMb: large.maxRssKb / 1024,
    baselineRssMb: baseline.maxRssKb / 1024,
  };
}

export function largePdfMarkdown(result: LargePdfBenchResult): string {
  return [
    '| figure | value |',
    '| --- | --- |',
    `| file | ${result.pages} pages, ${(result.bytes / 1e6).toFixed(1)} MB |`,
    `| ingestion time | ${result.seconds.toFixed(1)} s |`,
    `| pages/s | ${result.pagesPerSecond.toFixed(1)} |`,
    `| MB/s | ${result.megabytesPerSecond.toFixed(1)} |`,
    `| peak RSS of the ingesting process | ${result.peakRssMb.toFixed(0)} MB |`,
    `| the same for a 1-page PDF | ${result.baselineRssMb.toFixed(0)} MB |`,
  ].join('\n');
}
