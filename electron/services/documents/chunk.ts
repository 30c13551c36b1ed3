/**
 * Passages (chunks) that follow the document's structure: a heading starts a new passage and is
 * kept with every passage under it; paragraphs gather up to a target size; a page boundary always
 * ends a passage, so each keeps the one page it comes from. A paragraph longer than the limit is
 * cut at sentence ends (at word ends when a sentence alone is too long).
 */
import type { Block } from './extract.ts';

export interface Chunk {
  page: number | null;
  /** The headings above, outermost first, joined by " › ". */
  heading: string;
  text: string;
}

/** About a paragraph or two: small enough to cite precisely, large enough to carry a fact's context. */
export const CHUNK_TARGET_CHARS = 900;
export const CHUNK_MAX_CHARS = 1400;

export function chunkBlocks(blocks: readonly Block[]): Chunk[] {
  const chunks: Chunk[] = [];
  const headings: string[] = [];
  let current: { page: number | null; heading: string; parts: string[]; size: number } | null = null;
  const flush = (): void => {
    if (current !== null && current.parts.length > 0) chunks.push({ page: current.page, heading: current.heading, text: current.parts.join('\n\n') });
    current = null;
  };
  for (const block of blocks) {
    if (block.level > 0) {
      flush();
      headings.length = block.level - 1;
      headings[block.level - 1] = block.text;
      continue;
    }
    const heading = headings.filter((h) => h !== undefined && h !== '').join(' › ');
    for (const piece of splitLong(block.text)) {
      if (current !== null && (current.page !== block.page || current.heading !== heading || current.size + piece.length > CHUNK_TARGET_CHARS)) flush();
      current ??= { page: block.page, heading, parts: [], size: 0 };
      current.parts.push(piece);
      current.size += piece.length + 2;
    }
  }
  flush();
  return chunks;
}

function splitLong(text: string): string[] {
  if (text.length <= CHUNK_MAX_CHARS) return [text];
  const pieces: string[] = [];
  let piece = '';
  for (const sentence of text.match(/[^.!?\n]+(?:[.!?]+|\n|$)\s*/g) ?? [text]) {
    for (const part of sentence.length > CHUNK_MAX_CHARS ? byWords(sentence) : [sentence]) {
      if (piece.length + part.length > CHUNK_TARGET_CHARS && piece !== '') {
        pieces.push(piece.trim());
        piece = '';
      }
      piece += part;
    }
  }
  if (piece.trim() !== '') pieces.push(piece.trim());
  return pieces;
}

function byWords(text: string): string[] {
  const parts: string[] = [];
  let part = '';
  for (const word of text.split(/(?<=\s)/)) {
    if (word.length > CHUNK_MAX_CHARS) {
      // A run without spaces (a hash, a table flattened badly): cut where it must be.
      if (part !== '') parts.push(part);
      for (let at = 0; at < word.length; at += CHUNK_TARGET_CHARS) parts.push(word.slice(at, at + CHUNK_TARGET_CHARS));
      part = '';
      continue;
    }
    if (part.length + word.length > CHUNK_TARGET_CHARS && part !== '') {
      parts.push(part);
      part = '';
    }
    part += word;
  }
  if (part !== '') parts.push(part);
  return parts;
}
