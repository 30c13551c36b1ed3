/**
 * A file's text, as blocks (headings and paragraphs) that keep their page, read with a library made
 * for each format: unpdf (PDF.js) page by page, with text recognition (tesseract.js, see
 * extract-ocr.ts) for a page without text and for images, mammoth for DOCX, officeparser for ODT,
 * XLSX and ODS, csv-parse for CSV, postal-mime for EML, html-to-text for HTML, micromark for
 * Markdown (rendered to HTML first). A PDF is read from the file by ranges, a window of pages at
 * a time, so its size does not bound what can be read; the other formats are parsed whole in
 * memory. The large readers are loaded when a file needs them, so a worker reading text files
 * starts fast. A file is hostile input: its content must match its extension, and whatever a
 * library throws becomes a DOCUMENT_UNREADABLE error whose reason the user can act on.
 */
import { open, readFile, stat, type FileHandle } from 'node:fs/promises';
import { extname } from 'node:path';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import type { OfficeContentNode } from 'officeparser';
import type { getDocumentProxy } from 'unpdf';
import { DOCUMENT_EXTENSIONS, type DocumentFormat } from '#shared/documents.ts';
import type { EnclaveError } from '#shared/errors.ts';
import { type Block, decodeText, htmlBlocks, parseOfficeFile, textBlocks, unreadable } from './extract-common.ts';

export { type Block, htmlBlocks, textBlocks, unreadable } from './extract-common.ts';

/** Files other than PDFs larger than this are refused before reading (they are parsed whole in memory). */
export const MAX_DOCUMENT_BYTES = 200 * 1024 * 1024;

/**
 * Pages read from one opening of a PDF: PDF.js keeps every byte range it has read until the
 * document is closed, so a large PDF is closed and opened again every so many pages (its memory
 * stays bounded by a window's images and fonts, not the file's size).
 */
export const PDF_WINDOW_PAGES = 50;

export function formatOf(fileName: string): DocumentFormat | null {
  return DOCUMENT_EXTENSIONS[extname(fileName).slice(1).toLowerCase()] ?? null;
}

export interface ExtractOptions {
  /** Told after each page of a PDF: pages read, the file's page count, and that page's blocks. */
  onPage?: (read: number, total: number, blocks: Block[]) => void;
  /** A PDF's pages go to `onPage` only, not into the result: memory stays bounded by a page. */
  streamPages?: boolean;
  /** The first page of a PDF to read (the pages before were read and saved earlier). */
  fromPage?: number;
}

/** The text of the file at `path`, named `fileName` (its extension says the format). */
export async function extractBlocks(path: string, fileName: string, options: ExtractOptions = {}): Promise<{ format: DocumentFormat; pages: number | null; blocks: Block[] }> {
  const format = formatOf(fileName);
  if (format === null) throw unreadable('document-format', `${fileName}: not a supported format`);
  if (format === 'pdf') {
    const handle = await open(path, 'r');
    try {
      const head = Buffer.alloc(1024);
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      checkSignature(format, head.subarray(0, bytesRead), fileName);
      const { pages, blocks } = await readPdf(handle, (await handle.stat()).size, fileName, options);
      if (options.streamPages !== true && !blocks.some((block) => block.text.trim() !== '')) throw unreadable('document-no-text', `${fileName}: no text found`);
      return { format, pages, blocks };
    } finally {
      await handle.close();
    }
  }
  const size = (await stat(path)).size;
  if (size > MAX_DOCUMENT_BYTES) throw unreadable('document-too-large', `${fileName}: ${size} bytes, more than ${MAX_DOCUMENT_BYTES}`);
  const bytes = await readFile(path);
  checkSignature(format, bytes, fileName);
  const { pages, blocks } = await read(format, bytes, fileName);
  if (!blocks.some((block) => block.text.trim() !== '')) throw unreadable('document-no-text', `${fileName}: no text found`);
  return { format, pages, blocks };
}

/** The first bytes must be those of the format the extension names. */
function checkSignature(format: DocumentFormat, bytes: Buffer, fileName: string): void {
  const ole = bytes.subarray(0, 4).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0]));
  switch (format) {
    case 'pdf':
      // PDF.js accepts a header up to 1 KB in; anything without one is not a PDF.
      if (!bytes.subarray(0, 1024).includes('%PDF-')) throw unreadable('document-mismatch', `${fileName}: no PDF header`);
      return;
    case 'docx':
    case 'odt':
    case 'xlsx':
    case 'ods':
      // A password-protected Office or OpenDocument file is an encrypted OLE container, not a zip.
      if (ole) throw unreadable('document-encrypted', `${fileName}: an encrypted (OLE) container`);
      if (!bytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) throw unreadable('document-mismatch', `${fileName}: not a zip package`);
      return;
    case 'image':
      if (!IMAGE_SIGNATURES.some((signature) => signature(bytes))) throw unreadable('document-mismatch', `${fileName}: not a PNG, JPEG or WebP image`);
      return;
    case 'eml':
      // A message starts with a header field ("Name: value").
      if (!/^[\x21-\x39\x3b-\x7e]+:/.test(bytes.subarray(0, 1000).toString('latin1'))) throw unreadable('document-mismatch', `${fileName}: no message header`);
      if (bytes.some(isBinaryByte)) throw unreadable('document-mismatch', `${fileName}: binary content in a message`);
      return;
    case 'html':
    case 'markdown':
    case 'text':
    case 'csv':
      if (bytes.some(isBinaryByte)) throw unreadable('document-mismatch', `${fileName}: binary content in a text file`);
      return;
    default: {
      const unreachable: never = format;
      throw new Error(`unknown format ${String(unreachable)}`);
    }
  }
}

const IMAGE_SIGNATURES: readonly ((bytes: Buffer) => boolean)[] = [
  (bytes) => bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  (bytes) => bytes.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff])),
  (bytes) => bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP',
];

/** Control bytes no text file holds (tab, line ends, form feed and escape aside). */
function isBinaryByte(byte: number): boolean {
  return byte < 0x09 || (byte > 0x0d && byte < 0x20 && byte !== 0x1b);
}

async function read(format: Exclude<DocumentFormat, 'pdf'>, bytes: Buffer, fileName: string): Promise<{ pages: number | null; blocks: Block[] }> {
  switch (format) {
    case 'docx':
      return { pages: null, blocks: htmlBlocks(await readDocx(bytes, fileName)) };
    case 'odt':
      return { pages: null, blocks: await readOdt(bytes, fileName) };
    case 'xlsx':
    case 'ods':
      return { pages: null, blocks: await (await import('./extract-sheets.ts')).readWorkbook(format, bytes, fileName) };
    case 'csv':
      return { pages: null, blocks: await (await import('./extract-sheets.ts')).readCsv(decodeText(bytes), fileName) };
    case 'eml':
      return { pages: null, blocks: await (await import('./extract-mail.ts')).readEml(bytes, fileName) };
    case 'image':
      // An image is one page.
      return { pages: 1, blocks: textBlocks(await recognizeImage(bytes, fileName), 1) };
    case 'html':
      return { pages: null, blocks: htmlBlocks(decodeText(bytes)) };
    case 'markdown':
      return { pages: null, blocks: htmlBlocks(micromark(decodeText(bytes), { extensions: [gfm()], htmlExtensions: [gfmHtml()] })) };
    case 'text':
      return { pages: null, blocks: textBlocks(decodeText(bytes), null) };
    default: {
      const unreachable: never = format;
      throw new Error(`unknown format ${String(unreachable)}`);
    }
  }
}

async function readPdf(handle: FileHandle, length: number, fileName: string, options: ExtractOptions): Promise<{ pages: number; blocks: Block[] }> {
  const { getDocumentProxy, getResolvedPDFJS } = await import('unpdf');
  const { PDFDataRangeTransport } = await getResolvedPDFJS();
  /** PDF.js asks for the byte ranges it needs; they are read from the file, never the whole of it. */
  class FileRanges extends PDFDataRangeTransport {
    override requestDataRange(begin: number, end: number): void {
      const chunk = new Uint8Array(end - begin);
      // A short or failed read leaves zeros: PDF.js then finds the file damaged, as it is.
      void handle.read(chunk, 0, chunk.length, begin).then(
        () => this.onDataRange(begin, chunk),
        () => this.onDataRange(begin, chunk),
      );
    }
  }
  const openPdf = async (): Promise<Awaited<ReturnType<typeof getDocumentProxy>>> => {
    try {
      return await getDocumentProxy(undefined as unknown as Uint8Array, {
        range: new FileRanges(length, new Uint8Array(0)),
        disableAutoFetch: true,
        disableStream: true,
        stopAtErrors: true,
        verbosity: 0,
      });
    } catch (error) {
      throw pdfError(error, fileName);
    }
  };
  const blocks: Block[] = [];
  let total = Number.POSITIVE_INFINITY;
  for (let first = Math.max(1, options.fromPage ?? 1); first <= total; first += PDF_WINDOW_PAGES) {
    const pdf = await openPdf();
    try {
      total = pdf.numPages;
      for (let page = first; page <= Math.min(total, first + PDF_WINDOW_PAGES - 1); page++) {
        let text = '';
        try {
          const proxy = await pdf.getPage(page);
          const content = await proxy.getTextContent();
          proxy.cleanup();
          for (const item of content.items) {
            if ('str' in item) text += item.str + (item.hasEOL ? '\n' : '');
          }
        } catch (error) {
          throw pdfError(error, fileName);
        }
        // A page without a text layer is a scan: its largest image is read by OCR.
        if (text.trim() === '') text = await scannedPageText(pdf, page, fileName);
        const pageBlocks = textBlocks(text, page);
        if (options.streamPages !== true) blocks.push(...pageBlocks);
        options.onPage?.(page, total, pageBlocks);
      }
    } finally {
      await pdf.loadingTask.destroy();
    }
  }
  return { pages: total === Number.POSITIVE_INFINITY ? 0 : total, blocks };
}

type PDFDocumentProxy = Awaited<ReturnType<typeof getDocumentProxy>>;

/** Larger page images are refused (a 300 dpi A4 scan is about 9 million pixels). */
const MAX_OCR_PIXELS = 60_000_000;

async function scannedPageText(pdf: PDFDocumentProxy, page: number, fileName: string): Promise<string> {
  const { extractImages } = await import('unpdf');
  let images: Awaited<ReturnType<typeof extractImages>>;
  try {
    images = await extractImages(pdf, page);
  } catch (error) {
    throw pdfError(error, fileName);
  }
  const largest = images.reduce<(typeof images)[number] | null>((best, image) => (best === null || image.width * image.height > best.width * best.height ? image : best), null);
  if (largest === null) return '';
  if (largest.width * largest.height > MAX_OCR_PIXELS) throw unreadable('document-too-large', `${fileName}: page ${page}'s image has ${largest.width}×${largest.height} pixels`);
  const { pngOf } = await import('./extract-ocr.ts');
  return recognizeOrFail(pngOf(largest), fileName);
}

/** An image file: its size read from its header first, so a huge one is refused before it is decoded. */
async function recognizeImage(bytes: Buffer, fileName: string): Promise<string> {
  const { imageSize } = await import('image-size');
  let size: { width: number; height: number };
  try {
    size = imageSize(bytes);
  } catch (error) {
    throw unreadable('document-damaged', `${fileName}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (size.width * size.height > MAX_OCR_PIXELS) throw unreadable('document-too-large', `${fileName}: ${size.width}×${size.height} pixels`);
  return recognizeOrFail(bytes, fileName);
}

async function recognizeOrFail(image: Buffer, fileName: string): Promise<string> {
  const { recognize } = await import('./extract-ocr.ts');
  try {
    // The scan's line ends inside a paragraph are not the text's: its lines are joined.
    return (await recognize(image)).replace(/([^\n])\n(?=[^\n])/g, '$1 ');
  } catch (error) {
    throw unreadable('document-damaged', `${fileName}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function pdfError(error: unknown, fileName: string): EnclaveError {
  const name = (error as { name?: unknown } | null)?.name;
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'PasswordException') return unreadable('document-encrypted', `${fileName}: ${message}`);
  return unreadable('document-damaged', `${fileName}: ${message}`);
}

async function readDocx(bytes: Buffer, fileName: string): Promise<string> {
  const { default: mammoth } = await import('mammoth');
  try {
    return (await mammoth.convertToHtml({ buffer: bytes })).value;
  } catch (error) {
    throw unreadable('document-damaged', `${fileName}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function readOdt(bytes: Buffer, fileName: string): Promise<Block[]> {
  const content = await parseOfficeFile('odt', bytes, fileName);
  const blocks: Block[] = [];
  const visit = (nodes: readonly OfficeContentNode[]): void => {
    for (const node of nodes) {
      if (node.type === 'heading' || node.type === 'paragraph') {
        const level = node.type === 'heading' ? Math.min(6, Math.max(1, Number((node.metadata as { level?: unknown } | undefined)?.level) || 1)) : 0;
        blocks.push({ page: null, level, text: (node.text ?? '').trim() });
      } else if (node.children !== undefined) {
        visit(node.children);
      } else if (node.text !== undefined) {
        blocks.push({ page: null, level: 0, text: node.text.trim() });
      }
    }
  };
  visit(content);
  return blocks.filter((block) => block.text !== '');
}
