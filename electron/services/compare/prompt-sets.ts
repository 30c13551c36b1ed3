/**
 * Prompt sets: the ones shipped in seeds/prompt-sets (read-only) and the user's, in and out as
 * JSON (the set itself) or CSV (columns category, prompt, grading_notes; RFC 4180 quoting).
 */
import businessEn from '../../../seeds/prompt-sets/business-en.json' with { type: 'json' };
import businessFr from '../../../seeds/prompt-sets/business-fr.json' with { type: 'json' };
import { promptSetSchema, type PromptSet, type PromptSetContent, type SetPrompt } from '#shared/compare.ts';
import { EnclaveError } from '#shared/errors.ts';

export const BUILTIN_SETS: readonly PromptSet[] = [
  { id: 'builtin:business-fr', builtin: true, ...promptSetSchema.parse(businessFr) },
  { id: 'builtin:business-en', builtin: true, ...promptSetSchema.parse(businessEn) },
];

const CSV_HEADER = ['category', 'prompt', 'grading_notes'] as const;

export function parseSet(content: string, format: 'json' | 'csv', name: string | undefined): PromptSetContent {
  const candidate = format === 'json' ? parseJson(content) : { name: name ?? 'Imported set', language: 'mixed', prompts: parseCsvPrompts(content) };
  if (format === 'json' && name !== undefined && name !== '' && typeof candidate === 'object' && candidate !== null) Object.assign(candidate, { name });
  const parsed = promptSetSchema.safeParse(candidate);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
    throw new EnclaveError('PROMPT_SET_INVALID', 'not a valid prompt set', { issues });
  }
  return parsed.data;
}

export function exportSet(set: PromptSet, format: 'json' | 'csv'): { fileName: string; mimeType: string; content: string } {
  const base =
    set.name
      .replace(/[^\p{L}\p{N}]+/gu, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 80) || 'prompt-set';
  if (format === 'json') {
    const content: PromptSetContent = { name: set.name, language: set.language, prompts: set.prompts };
    return { fileName: `${base}.json`, mimeType: 'application/json', content: JSON.stringify(content, null, 2) };
  }
  const rows = [CSV_HEADER, ...set.prompts.map((prompt) => [prompt.category, prompt.prompt, prompt.gradingNotes ?? ''])];
  return { fileName: `${base}.csv`, mimeType: 'text/csv', content: toCsv(rows) };
}

function parseJson(content: string): unknown {
  try {
    return JSON.parse(content) as unknown;
  } catch (error) {
    throw new EnclaveError('PROMPT_SET_INVALID', `not JSON: ${(error as Error).message}`);
  }
}

function parseCsvPrompts(content: string): SetPrompt[] {
  const [header, ...rows] = parseCsv(content).filter((row) => row.some((cell) => cell.trim() !== ''));
  const names = (header ?? []).map((cell) => cell.trim().toLowerCase());
  const at = (name: string): number => names.indexOf(name);
  if (at('prompt') < 0 || at('category') < 0) throw new EnclaveError('PROMPT_SET_INVALID', 'the CSV needs a header with the columns category and prompt (grading_notes optional)');
  return rows.map((row) => {
    const notes = at('grading_notes') < 0 ? '' : (row[at('grading_notes')] ?? '');
    return { category: (row[at('category')] ?? '').trim(), prompt: row[at('prompt')] ?? '', ...(notes !== '' && { gradingNotes: notes }) };
  });
}

/** RFC 4180: fields separated by commas (or `separator`), quoted with "" when they hold the separator, a quote or a line break. */
export function parseCsv(content: string, separator = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const text = content.replace(/^\uFEFF/, '');
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === separator) {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += char;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

export function toCsv(rows: readonly (readonly (string | number | null)[])[], separator = ','): string {
  const cell = (value: string | number | null): string => {
    const text = value === null ? '' : String(value);
    return text.includes(separator) || /["\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return rows.map((row) => row.map(cell).join(separator)).join('\r\n') + '\r\n';
}
