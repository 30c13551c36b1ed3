/**
 * Spreadsheets as text tables: each sheet under its name as a heading, each row after the first as
 * one paragraph that names its columns (`Produit : Café en grains ; Prix HT : 18.5`), so a question
 * about a row finds it with the columns' names. XLSX and ODS are read by officeparser (it keeps the
 * sheets, rows and cells), CSV by csv-parse.
 */
import type { OfficeContentNode } from 'officeparser';
import { type Block, parseOfficeFile, unreadable } from './extract-common.ts';

/** A CSV record longer than this is refused (a file without line ends would be one record). */
const MAX_CSV_RECORD_CHARS = 1024 * 1024;

export async function readWorkbook(format: 'xlsx' | 'ods', bytes: Buffer, fileName: string): Promise<Block[]> {
  const content = await parseOfficeFile(format, bytes, fileName);
  const blocks: Block[] = [];
  for (const sheet of content.filter((node) => node.type === 'sheet')) {
    const name = (sheet.metadata as { sheetName?: unknown } | undefined)?.sheetName;
    const rows = (sheet.children ?? []).filter((node) => node.type === 'row').map(cellsOf);
    blocks.push(...tableBlocks(typeof name === 'string' ? name : null, rows));
  }
  return blocks;
}

/** A row's cells by column (officeparser leaves empty cells out and gives each cell its column). */
function cellsOf(row: OfficeContentNode): string[] {
  const cells: string[] = [];
  for (const [index, cell] of (row.children ?? []).filter((node) => node.type === 'cell').entries()) {
    const column = Number((cell.metadata as { col?: unknown } | undefined)?.col);
    cells[Number.isInteger(column) && column >= 0 && column < 16_384 ? column : index] = (cell.text ?? '').trim();
  }
  return Array.from(cells, (cell) => cell ?? '');
}

export async function readCsv(text: string, fileName: string): Promise<Block[]> {
  const { parse } = await import('csv-parse/sync');
  let rows: string[][];
  try {
    rows = parse(text, { delimiter: delimiterOf(text), bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, max_record_size: MAX_CSV_RECORD_CHARS });
  } catch (error) {
    throw unreadable('document-damaged', `${fileName}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return tableBlocks(null, rows);
}

/** French spreadsheets export with `;` (the comma is the decimal mark): the first line's most frequent separator wins. */
function delimiterOf(text: string): string {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const count = (separator: string): number => firstLine.split(separator).length - 1;
  return [';', '\t', ','].reduce((best, separator) => (count(separator) > count(best) ? separator : best), ',');
}

/** The first non-empty row names the columns; every other row becomes a paragraph under the sheet's name. */
function tableBlocks(name: string | null, rows: readonly string[][]): Block[] {
  const filled = rows.filter((row) => row.some((cell) => cell.trim() !== ''));
  const [header = [], ...body] = filled;
  const blocks: Block[] = [];
  if (name !== null && name.trim() !== '') blocks.push({ page: null, level: 1, text: name.trim() });
  if (body.length === 0) {
    if (header.length > 0) blocks.push({ page: null, level: 0, text: header.filter((cell) => cell.trim() !== '').join(' ; ') });
    return blocks;
  }
  for (const row of body) {
    const parts = row.flatMap((cell, column) => {
      const value = cell.trim();
      if (value === '') return [];
      const label = header[column]?.trim() ?? '';
      return [label === '' ? value : `${label} : ${value}`];
    });
    if (parts.length > 0) blocks.push({ page: null, level: 0, text: parts.join(' ; ') });
  }
  return blocks;
}
