/**
 * A file's text, as blocks (headings and paragraphs) that keep their page, read with a library made
 * for each format: unpdf (PDF.js) page by page, mammoth for DOCX, officeparser for ODT,
 * html-to-text for HTML, micromark for Markdown (rendered to HTML first). A PDF is read from the
 * file by ranges, a window of pages at a time, so its size does not bound what can be read; the
 * other formats are parsed whole in memory. The large readers are
 * loaded when a file needs them, so a worker reading text files starts fast. A file is hostile input:
 * its content must match its extension, and whatever a library throws becomes a
 * DOCUMENT_UNREADABLE error whose reason the user can act on.
 */
import { open, readFile, stat, type FileHandle } from 'node:fs/promises';
import { extname } from 'node:path';
import { convert, type FormatCallback } from 'html-to-text';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import type { OfficeContentNode } from 'officeparser';
import { DOCUMENT_EXTENSIONS, type DocumentFormat } from '#shared/documents.ts';
import { EnclaveError, type ErrorReason } from '#shared/errors.ts';

export interface Block {
  /** 1-based page; null for formats without pages. */
  page: number | null;
  /** 0: a paragraph; 1 to 6: a heading of that level. */
  level: number;
  text: string;
}

/** Files other than PDFs larger than this are refused before reading (they are parsed whole in memory). */
export const MAX_DOCUMENT_BYTES = 200 * 1024 * 1024;

/**
 * Pages read from one opening of a PDF: PDF.js keeps every byte range it has read until the
 * document is closed, so a large PDF is closed and opened again every so many pages (its memory
 * stays bounded by a window's images and fonts, not the file's size).
 */
export const PDF_WINDOW_PAGES = 50;

/** Zip-based formats are refused beyond this uncompressed size (a zip bomb stops here). */
const MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024;

export function formatOf(fileName: string): DocumentFormat | null {
  return DOCUMENT_EXTENSIONS[extname(fileName).slice(1).toLowerCase()] ?? null;
}

export function unreadable(reason: ErrorReason, message: string): EnclaveError {
  return new EnclaveError('DOCUMENT_UNREADABLE', message, { reason });
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
      // A password-protected Office or OpenDocument file is an encrypted OLE container, not a zip.
      if (ole) throw unreadable('document-encrypted', `${fileName}: an encrypted (OLE) container`);
      if (!bytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) throw unreadable('document-mismatch', `${fileName}: not a zip package`);
      return;
    case 'html':
    case 'markdown':
    case 'text':
      if (bytes.some(isBinaryByte)) throw unreadable('document-mismatch', `${fileName}: binary content in a text file`);
      return;
    default: {
      const unreachable: never = format;
      throw new Error(`unknown format ${String(unreachable)}`);
    }
  }
}

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

/** UTF-8, or Windows-1252 (older French text files) when it is not valid UTF-8. */
function decodeText(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
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
  const { parseOffice } = await import('officeparser');
  let content: OfficeContentNode[];
  try {
    ({ content } = await parseOffice(bytes, {
      fileType: 'odt',
      ocr: false,
      ignoreComments: true,
      extractAttachments: false,
      decompressionLimits: { maxUncompressedBytes: MAX_UNCOMPRESSED_BYTES },
    }));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw unreadable(/encrypt|password/i.test(message) ? 'document-encrypted' : 'document-damaged', `${fileName}: ${message}`);
  }
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

/** A private-use character: no document's text holds it at the start of a line by chance. */
const HEADING_MARK = '\uE000';

/** Headings keep their level (marked at the start of their line); links, images and scripts are dropped as text. */
const headingFormatter: FormatCallback = (elem, walk, builder, formatOptions) => {
  builder.openBlock({ leadingLineBreaks: 2 });
  builder.addLiteral(`${HEADING_MARK}${String(formatOptions.level)} `);
  walk(elem.children, builder);
  builder.closeBlock({ trailingLineBreaks: 2 });
};

export function htmlBlocks(html: string): Block[] {
  const text = convert(html, {
    wordwrap: false,
    formatters: { heading: headingFormatter },
    selectors: [
      ...[1, 2, 3, 4, 5, 6].map((level) => ({ selector: `h${level}`, format: 'heading', options: { level } })),
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
      { selector: 'script', format: 'skip' },
      { selector: 'style', format: 'skip' },
    ],
  });
  return textBlocks(text, null, true);
}

/** Paragraphs are separated by blank lines; with `marked`, a paragraph marked by `htmlBlocks` is a heading. */
export function textBlocks(text: string, page: number | null, marked = false): Block[] {
  const blocks: Block[] = [];
  for (const part of text.replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/)) {
    const trimmed = part.trim();
    if (trimmed === '') continue;
    const heading = marked ? /^\uE000([1-6]) ([^]*)$/.exec(trimmed) : null;
    if (heading !== null) blocks.push({ page, level: Number(heading[1]), text: (heading[2] ?? '').replace(/\s+/g, ' ').trim() });
    else blocks.push({ page, level: 0, text: trimmed.replace(/[ \t]+/g, ' ') });
  }
  return blocks;
}
