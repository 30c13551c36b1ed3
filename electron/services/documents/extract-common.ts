/**
 * What every reader of extract*.ts shares: the blocks they produce, the error they throw, text split
 * into paragraphs, HTML turned into headings and paragraphs, text decoded, and officeparser's call.
 */
import { convert, type FormatCallback } from 'html-to-text';
import type { OfficeContentNode } from 'officeparser';
import { EnclaveError, type ErrorReason } from '#shared/errors.ts';

export interface Block {
  /** 1-based page; null for formats without pages. */
  page: number | null;
  /** 0: a paragraph; 1 to 6: a heading of that level. */
  level: number;
  text: string;
}

/** Zip-based formats are refused beyond this uncompressed size (a zip bomb stops here). */
const MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024;

export function unreadable(reason: ErrorReason, message: string): EnclaveError {
  return new EnclaveError('DOCUMENT_UNREADABLE', message, { reason });
}

/** UTF-8, or Windows-1252 (older French text files) when it is not valid UTF-8. */
export function decodeText(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/** A document parsed by officeparser, without OCR, comments or attachments, decompression limited. */
export async function parseOfficeFile(fileType: 'odt' | 'xlsx' | 'ods', bytes: Buffer, fileName: string): Promise<OfficeContentNode[]> {
  const { parseOffice } = await import('officeparser');
  try {
    return (
      await parseOffice(bytes, {
        fileType,
        ocr: false,
        ignoreComments: true,
        extractAttachments: false,
        decompressionLimits: { maxUncompressedBytes: MAX_UNCOMPRESSED_BYTES },
      })
    ).content;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw unreadable(/encrypt|password/i.test(message) ? 'document-encrypted' : 'document-damaged', `${fileName}: ${message}`);
  }
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
