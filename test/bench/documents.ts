/**
 * Documents benchmark (`npm run bench -- documents`):
 *  - ingestion speed per format through the real ingestion job and the built extraction worker
 *    (`out/main/extract-worker.js`) into a real database: files/s, MB/s, and pages/s for PDFs,
 *    each format's files read as one job (the worker's start, about 0.7 s, is counted once a job);
 *  - text recognition: seconds per page in the engine alone (after its start, timed apart), and a
 *    scanned PDF read through the ingestion job;
 *  - full-text query latency, p50 and p95, at 1,000, 10,000 and 100,000 passages written through
 *    the store into a real database, each query through the app's path (`queryTerms`, then
 *    `DocumentStore.search` for the 5 best passages, as `documents.search` and grounding do).
 * Needs `npm run build` (run.ts builds first). Alone: `node test/bench/documents.ts`; run.ts calls
 * runDocumentsBench(). About 2 minutes on 2 shared cores. The query latency alone:
 * `node test/bench/documents.ts --queries`.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { closeOcr, recognize } from '../../electron/services/documents/extract-ocr.ts';
import { DocumentsService } from '../../electron/services/documents/documents-service.ts';
import { queryTerms } from '../../electron/services/documents/query.ts';
import { openDatabase } from '../../electron/services/platform/db/database.ts';
import { QUESTIONS, SCANNED_PAGE_PNG, docxOf, odtOf, pdfOf, xlsxOf, type Section } from '../fixtures/documents/corpus.ts';
import { documentsEmbeddingMarkdown, runDocumentsEmbeddingBench, type DocumentsEmbeddingBenchResult } from './documents-embedding.ts';
import { largePdfMarkdown, runLargePdfBench, type LargePdfBenchResult } from './documents-large.ts';
import { percentile, summarize, type Summary } from './stats.ts';

const BUILT_WORKER = join(import.meta.dirname, '..', '..', 'out', 'main', 'extract-worker.js');

export interface DocumentsBenchOptions {
  /** Files of each format read in one job (default 8). */
  filesPerFormat?: number;
  /** Pages of each PDF (default 20). */
  pdfPages?: number;
  /** Scanned pages recognised (default 5). */
  ocrPages?: number;
  /** Passage counts queried (default 1,000, 10,000 and 100,000). */
  passageCounts?: readonly number[];
  /** Queries timed at each count (default 100: the corpus’s questions, round after round). */
  queries?: number;
  /** Passage counts of the vector scan (default 1,000, 10,000 and 100,000). */
  scanSizes?: readonly number[];
  log?: (line: string) => void;
}

export interface FormatIngestion {
  format: string;
  files: number;
  bytes: number;
  /** Pages read (PDF and scans); null for formats without pages. */
  pages: number | null;
  passages: number;
  seconds: number;
  filesPerS: number;
  mbPerS: number;
  pagesPerS: number | null;
}

export interface QueryLatency {
  passages: number;
  queries: number;
  p50Ms: number;
  p95Ms: number;
  /** Writing the passages through the store (one transaction per file of 100 passages). */
  writeS: number;
}

export interface DocumentsBenchResult {
  ingestion: FormatIngestion[];
  ocr: { engineStartS: number; secondsPerPage: Summary; imageWidth: number; imageHeight: number };
  queries: QueryLatency[];
  embedding: DocumentsEmbeddingBenchResult;
  largePdf: LargePdfBenchResult;
}

/** French business prose to fill documents and passages with realistic words. */
const SENTENCES = [
  'Le prestataire assure la maintenance du parc informatique et intervient sur site en cas de panne bloquante.',
  'La facture est payable à trente jours fin de mois par virement bancaire, sans escompte pour paiement anticipé.',
  'Chaque salarié dépose ses notes de frais avec les justificatifs dans les trente jours suivant la dépense.',
  'Le contrat est renouvelé tacitement chaque année, sauf résiliation par lettre recommandée avec un préavis de trois mois.',
  'Les congés d’été sont posés avant le 31 mars et validés par le responsable d’équipe sous cinq jours ouvrés.',
  'Le comité de direction a fixé le budget de la formation professionnelle à huit mille euros pour l’exercice.',
  'Les livraisons de fournitures arrivent le jeudi matin ; le bon de livraison est signé par l’accueil.',
  'En cas de litige, les parties recherchent une solution amiable avant de saisir le tribunal de commerce de Marseille.',
  'La sauvegarde des données clients est chiffrée et conservée sur un disque externe rangé dans l’armoire forte.',
  'Le technicien vérifie les extincteurs une fois par an et consigne son passage dans le registre de sécurité.',
];

function prose(seed: number, sentences: number): string {
  return Array.from({ length: sentences }, (_, index) => SENTENCES[(seed * 7 + index * 3) % SENTENCES.length]).join(' ');
}

function sections(seed: number, count: number): Section[] {
  return Array.from({ length: count }, (_, index) => ({ heading: `Article ${index + 1} - Dispositions ${seed}`, paragraphs: [prose(seed + index, 3), prose(seed + index + 1, 2)] }));
}

/** One file of each format: its name and its bytes. */
async function fileOf(format: string, index: number, pdfPages: number): Promise<[string, Uint8Array | string]> {
  switch (format) {
    case 'pdf':
      return [`contrat-${index}.pdf`, await pdfOf(sections(index, pdfPages))];
    case 'docx':
      return [`procedure-${index}.docx`, await docxOf(sections(index, 12))];
    case 'odt':
      return [`reglement-${index}.odt`, await odtOf(sections(index, 12))];
    case 'xlsx':
      return [
        `tarifs-${index}.xlsx`,
        await xlsxOf({
          Tarifs: [
            ['Référence', 'Article', 'Fournisseur', 'Prix HT (€)'],
            ...Array.from({ length: 200 }, (_, row) => [`REF-${index}-${row}`, prose(row, 1).slice(0, 60), `Fournisseur ${row % 17}`, (row * 3.7) % 500]),
          ],
        }),
      ];
    case 'csv':
      return [
        `clients-${index}.csv`,
        ['Client;Ville;Encours (€);Note', ...Array.from({ length: 300 }, (_, row) => `Client ${index}-${row};Ville ${row % 40};${(row * 12.5).toFixed(2).replace('.', ',')};${prose(row, 1)}`)].join(
          '\n',
        ),
      ];
    case 'eml':
      return [
        `courriel-${index}.eml`,
        [
          `From: Client ${index} <client${index}@exemple.fr>`,
          'To: Claire Durand <claire@durand-conseil.fr>',
          `Subject: Demande ${index}`,
          'Date: Tue, 6 Jan 2026 08:12:00 +0100',
          'Content-Type: text/plain; charset=utf-8',
          '',
          prose(index, 40),
        ].join('\r\n'),
      ];
    case 'html':
      return [
        `facture-${index}.html`,
        `<!doctype html><html lang="fr"><body>${sections(index, 12)
          .map((section) => `<h2>${section.heading}</h2>${section.paragraphs.map((text) => `<p>${text}</p>`).join('')}`)
          .join('')}</body></html>`,
      ];
    case 'markdown':
      return [
        `compte-rendu-${index}.md`,
        sections(index, 12)
          .map((section) => [`## ${section.heading}`, ...section.paragraphs].join('\n\n'))
          .join('\n\n'),
      ];
    case 'text':
      return [
        `notes-${index}.txt`,
        sections(index, 12)
          .map((section) => [section.heading, ...section.paragraphs].join('\n\n'))
          .join('\n\n'),
      ];
    case 'image':
      return [`scan-${index}.png`, await readFile(SCANNED_PAGE_PNG)];
    default:
      throw new Error(`no generator for ${format}`);
  }
}

/** A PDF of scanned pages only: each the fixture's image, no text layer. */
async function scannedPages(pages: number): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const image = await pdf.embedPng(await readFile(SCANNED_PAGE_PNG));
  for (let page = 0; page < pages; page++) pdf.addPage([image.width, image.height]).drawImage(image, { x: 0, y: 0 });
  return pdf.save();
}

const FORMATS = ['pdf', 'docx', 'odt', 'xlsx', 'csv', 'eml', 'html', 'markdown', 'text', 'image'] as const;

async function ingestionBench(dir: string, filesPerFormat: number, pdfPages: number, ocrPages: number, log: (line: string) => void): Promise<FormatIngestion[]> {
  const db = openDatabase(join(dir, 'ingestion.db')).db;
  const documents = new DocumentsService({ db, dataDir: dir, emit: () => undefined, loadedContextSize: () => null, extractWorker: BUILT_WORKER });
  const rows: FormatIngestion[] = [];
  try {
    const cases: { label: string; files: [string, Uint8Array | string][] }[] = [];
    for (const format of FORMATS) {
      const count = format === 'image' ? ocrPages : filesPerFormat;
      cases.push({ label: format === 'image' ? 'image (OCR)' : format, files: await Promise.all(Array.from({ length: count }, (_, index) => fileOf(format, index, pdfPages))) });
    }
    cases.push({ label: 'pdf, scanned (OCR)', files: [[`scan-${ocrPages}-pages.pdf`, await scannedPages(ocrPages)]] });
    for (const [index, { label, files }] of cases.entries()) {
      const folder = join(dir, `format-${index}`);
      await mkdir(folder);
      const paths: string[] = [];
      for (const [name, content] of files) {
        await writeFile(join(folder, name), content);
        paths.push(join(folder, name));
      }
      const bytes = paths.reduce((sum, path) => sum + statSync(path).size, 0);
      const collectionId = documents.store.create(label).id;
      const started = performance.now();
      await documents.ingestion.add(
        `bench-${String(index).padStart(2, '0')}-00000000000000`,
        collectionId,
        paths.map((path) => ({ path })),
      );
      await documents.ingestion.idle();
      const seconds = (performance.now() - started) / 1000;
      const read = documents.store.files(collectionId);
      const failed = read.filter((file) => file.state !== 'ready');
      if (failed.length > 0) throw new Error(`${label}: ${failed.length} files not read: ${JSON.stringify(failed[0]?.error)}`);
      const pages = read.every((file) => file.pages === null) ? null : read.reduce((sum, file) => sum + (file.pages ?? 0), 0);
      const row: FormatIngestion = {
        format: label,
        files: read.length,
        bytes,
        pages,
        passages: read.reduce((sum, file) => sum + file.chunks, 0),
        seconds,
        filesPerS: read.length / seconds,
        mbPerS: bytes / 1e6 / seconds,
        pagesPerS: pages === null ? null : pages / seconds,
      };
      rows.push(row);
      log(`documents: ${label}: ${row.files} files, ${(bytes / 1e6).toFixed(2)} MB${pages === null ? '' : `, ${pages} pages`} in ${seconds.toFixed(2)} s`);
    }
  } finally {
    documents.dispose();
    db.close();
  }
  return rows;
}

async function ocrBench(pages: number, log: (line: string) => void): Promise<DocumentsBenchResult['ocr']> {
  const image = await readFile(SCANNED_PAGE_PNG);
  const width = image.readUInt32BE(16);
  const height = image.readUInt32BE(20);
  try {
    let started = performance.now();
    await recognize(image);
    const first = (performance.now() - started) / 1000;
    const times: number[] = [];
    for (let page = 0; page < pages; page++) {
      started = performance.now();
      await recognize(image);
      times.push((performance.now() - started) / 1000);
    }
    const secondsPerPage = summarize(times);
    // The first call starts the engine and reads a page: the engine's start is the difference.
    const engineStartS = Math.max(0, first - secondsPerPage.median);
    log(`documents: OCR ${secondsPerPage.median.toFixed(2)} s a page (${width}×${height}), engine start ${engineStartS.toFixed(2)} s`);
    return { engineStartS, secondsPerPage, imageWidth: width, imageHeight: height };
  } finally {
    await closeOcr();
  }
}

/** Words for generated passages: the corpus's questions and the prose above, drawn with a Zipf-like skew. */
function vocabulary(): string[] {
  const words = new Set<string>();
  for (const text of [...SENTENCES, ...QUESTIONS.map((question) => question.question)]) for (const word of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) if (word.length > 1) words.add(word);
  // Rarer made-up words (names, references) so the index has a long tail, as real documents do.
  for (let index = 0; index < 3000; index++) words.add(`ref${index.toString(36)}`);
  return [...words];
}

function passageText(words: readonly string[], random: () => number): string {
  const parts: string[] = [];
  let length = 0;
  while (length < 700) {
    const word = words[Math.floor(words.length * random() ** 3)] ?? 'le';
    parts.push(word);
    length += word.length + 1;
  }
  return parts.join(' ');
}

/** A seeded generator (mulberry32), so every run writes the same passages. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function queryBench(dir: string, counts: readonly number[], queries: number, log: (line: string) => void): Promise<QueryLatency[]> {
  const words = vocabulary();
  const rows: QueryLatency[] = [];
  for (const count of counts) {
    const db = openDatabase(join(dir, `passages-${count}.db`)).db;
    const documents = new DocumentsService({ db, dataDir: dir, emit: () => undefined, loadedContextSize: () => null, extractWorker: BUILT_WORKER });
    try {
      const random = seeded(count);
      const collectionId = documents.store.create(`Passages ${count}`).id;
      const started = performance.now();
      const perFile = 100;
      for (let file = 0; file * perFile < count; file++) {
        const { file: row } = documents.store.addFile(collectionId, { name: `document-${file}.pdf`, format: 'pdf', size: 0, jobId: 'bench-passages', path: null, mtime: null, pendingUpload: null });
        const chunks = Array.from({ length: Math.min(perFile, count - file * perFile) }, (_, index) => ({ page: index + 1, heading: `Article ${index + 1}`, text: passageText(words, random) }));
        documents.store.saveChunks(row.id, chunks, chunks.length);
      }
      const writeS = (performance.now() - started) / 1000;
      const times: number[] = [];
      for (let index = 0; index < queries; index++) {
        const question = QUESTIONS[index % QUESTIONS.length]?.question ?? '';
        const queryStarted = performance.now();
        documents.store.search([collectionId], queryTerms(question), 5);
        times.push(performance.now() - queryStarted);
      }
      // The service looked for queued files when it started: let that end before the database closes.
      await documents.ingestion.idle();
      const row = { passages: count, queries, p50Ms: percentile(times, 0.5), p95Ms: percentile(times, 0.95), writeS };
      rows.push(row);
      log(`documents: ${count} passages (written in ${writeS.toFixed(1)} s): query p50 ${row.p50Ms.toFixed(2)} ms, p95 ${row.p95Ms.toFixed(2)} ms`);
    } finally {
      documents.dispose();
      db.close();
    }
  }
  return rows;
}

export async function runDocumentsBench(options: DocumentsBenchOptions = {}): Promise<DocumentsBenchResult> {
  const log = options.log ?? (() => undefined);
  try {
    statSync(BUILT_WORKER);
  } catch {
    throw new Error(`${BUILT_WORKER} is missing: run \`npm run build\` first`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'enclave-bench-documents-'));
  try {
    const ingestion = await ingestionBench(dir, options.filesPerFormat ?? 8, options.pdfPages ?? 20, options.ocrPages ?? 5, log);
    const ocr = await ocrBench(options.ocrPages ?? 5, log);
    const queries = await queryBench(dir, options.passageCounts ?? [1_000, 10_000, 100_000], options.queries ?? 100, log);
    const embedding = await runDocumentsEmbeddingBench(options.scanSizes === undefined ? {} : { scanSizes: options.scanSizes });
    log(`documents: embedding through Enclave / raw node-llama-cpp ${embeddingRatio(embedding).toFixed(2)}`);
    const largePdf = await runLargePdfBench();
    log(`documents: ${largePdf.pages}-page PDF of ${(largePdf.bytes / 1e6).toFixed(0)} MB read in ${largePdf.seconds.toFixed(1)} s, peak RSS ${largePdf.peakRssMb.toFixed(0)} MB`);
    return { ingestion, ocr, queries, embedding, largePdf };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Enclave's embedding throughput over raw node-llama-cpp's, median of the runs' ratios. */
function embeddingRatio(result: DocumentsEmbeddingBenchResult): number {
  return summarize(result.enclave.map((run, i) => run.passagesPerSecond / (result.raw[i]?.passagesPerSecond ?? Number.NaN))).median;
}

export function documentsBenchMarkdown(result: DocumentsBenchResult): string {
  const { ingestion, ocr, queries, embedding, largePdf } = result;
  return [
    'Ingestion through the real job and the built extraction worker into a real database, each format’s files read as one job (its worker’s start, about 0.7 s, counted once):',
    '',
    '| format | files | MB | pages | passages | seconds | files/s | MB/s | pages/s |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...ingestion.map(
      (row) =>
        `| ${row.format} | ${row.files} | ${(row.bytes / 1e6).toFixed(2)} | ${row.pages ?? '–'} | ${row.passages} | ${row.seconds.toFixed(2)} | ${row.filesPerS.toFixed(1)} | ${row.mbPerS.toFixed(2)} | ${row.pagesPerS === null ? '–' : row.pagesPerS.toFixed(1)} |`,
    ),
    '',
    `Text recognition (tesseract.js, French and English, in this process): ${ocr.secondsPerPage.median.toFixed(2)} s a page, median (${ocr.secondsPerPage.min.toFixed(2)}–${ocr.secondsPerPage.max.toFixed(2)}, ${ocr.secondsPerPage.runs} pages of ${ocr.imageWidth}×${ocr.imageHeight} pixels, 8 lines of French); the engine's start ${ocr.engineStartS.toFixed(2)} s once per extraction worker.`,
    '',
    'Full-text query (`queryTerms` then `DocumentStore.search`, 5 best passages) over generated passages of about 700 characters, 100 to a file, the corpus’s 49 questions in turn:',
    '',
    '| passages | queries | p50 | p95 | writing them through the store |',
    '| --- | --- | --- | --- | --- |',
    ...queries.map((row) => `| ${row.passages.toLocaleString('en')} | ${row.queries} | ${row.p50Ms.toFixed(2)} ms | ${row.p95Ms.toFixed(2)} ms | ${row.writeS.toFixed(1)} s |`),
    '',
    documentsEmbeddingMarkdown(embedding),
    '',
    largePdfMarkdown(largePdf),
  ].join('\n');
}

/** The query latency alone (`node test/bench/documents.ts --queries`, about a minute): no ingestion, no text recognition, no build needed. */
export async function runDocumentsQueryBench(options: Pick<DocumentsBenchOptions, 'passageCounts' | 'queries' | 'log'> = {}): Promise<QueryLatency[]> {
  const dir = mkdtempSync(join(tmpdir(), 'enclave-bench-queries-'));
  try {
    return await queryBench(dir, options.passageCounts ?? [1_000, 10_000, 100_000], options.queries ?? 100, options.log ?? (() => undefined));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  if (process.argv.includes('--queries')) await runDocumentsQueryBench({ log: console.log });
  else console.log(documentsBenchMarkdown(await runDocumentsBench({ log: console.log })));
}
