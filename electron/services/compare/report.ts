/**
 * Reports computed from stored runs: a self-contained HTML page (inline SVG bar charts of speed and
 * ratings per model and per category, then every prompt with every answer; every text escaped, no
 * script, no external resource) and a CSV with one row per answer.
 */
import type { CompareAnswer, CompareColumn, CompareRun } from '../../../shared/compare.ts';
import { toCsv } from './prompt-sets.ts';

export const CSV_COLUMNS = [
  'run_id',
  'run_title',
  'kind',
  'turn',
  'category',
  'prompt',
  'column',
  'model',
  'state',
  'time_to_first_token_ms',
  'tokens_per_second',
  'tokens',
  'load_ms',
  'peak_memory_bytes',
  'duration_ms',
  'rating',
  'answer',
] as const;

interface Cell {
  run: CompareRun;
  column: CompareColumn;
  answer: CompareAnswer;
  category: string;
}

export function modelName(column: CompareColumn): string {
  if (column.reference) return 'ChatGPT (reference)';
  return column.modelId ?? `${column.label} (hidden until the vote)`;
}

function cellsOf(runs: readonly CompareRun[]): Cell[] {
  return runs.flatMap((run) =>
    run.answers.flatMap((answer) => {
      const column = run.columnList[answer.column];
      return column === undefined ? [] : [{ run, column, answer, category: run.turnList[answer.turn]?.category ?? 'uncategorised' }];
    }),
  );
}

export function reportCsv(runs: readonly CompareRun[]): string {
  const rows = cellsOf(runs).map(({ run, column, answer, category }) => [
    run.id,
    run.title,
    run.kind,
    answer.turn + 1,
    category,
    run.turnList[answer.turn]?.prompt ?? '',
    column.label,
    modelName(column),
    answer.state,
    answer.timeToFirstTokenMs,
    answer.tokensPerSecond,
    answer.tokens,
    answer.loadMs,
    answer.peakMemoryBytes,
    answer.durationMs,
    answer.rating,
    answer.content,
  ]);
  return toCsv([CSV_COLUMNS, ...rows]);
}

export interface ModelFigures {
  model: string;
  answers: number;
  meanTokensPerSecond: number | null;
  meanTimeToFirstTokenMs: number | null;
  meanRating: number | null;
  ratingsByCategory: Map<string, number | null>;
}

/** Per model: means over its finished answers (speed) and its rated answers (ratings). */
export function figuresByModel(runs: readonly CompareRun[]): ModelFigures[] {
  const cells = cellsOf(runs).filter((cell) => cell.answer.state === 'done');
  const models = [...new Set(cells.map((cell) => modelName(cell.column)))].sort();
  const categories = [...new Set(cells.map((cell) => cell.category))].sort();
  return models.map((model) => {
    const own = cells.filter((cell) => modelName(cell.column) === model);
    const ratingOf = (subset: Cell[]): number | null => mean(subset.map((cell) => cell.answer.rating));
    return {
      model,
      answers: own.length,
      meanTokensPerSecond: mean(own.map((cell) => (cell.column.reference ? null : cell.answer.tokensPerSecond))),
      meanTimeToFirstTokenMs: mean(own.map((cell) => (cell.column.reference ? null : cell.answer.timeToFirstTokenMs))),
      meanRating: ratingOf(own),
      ratingsByCategory: new Map(categories.map((category) => [category, ratingOf(own.filter((cell) => cell.category === category))])),
    };
  });
}

function mean(values: readonly (number | null)[]): number | null {
  const present = values.filter((value): value is number => value !== null);
  return present.length === 0 ? null : present.reduce((sum, value) => sum + value, 0) / present.length;
}

/** How the report prints a figure: two decimals, or an em dash when there is none. */
export function formatFigure(value: number | null): string {
  return value === null ? '—' : value.toFixed(2);
}

export function reportHtml(runs: readonly CompareRun[], generatedAt: Date): string {
  const figures = figuresByModel(runs);
  const categories = [...new Set(figures.flatMap((figure) => [...figure.ratingsByCategory.keys()]))];
  const charts = [
    chart('Tokens per second (mean)', figures.map((figure) => ({ label: figure.model, value: figure.meanTokensPerSecond }))),
    chart('Time to first token, ms (mean)', figures.map((figure) => ({ label: figure.model, value: figure.meanTimeToFirstTokenMs }))),
    chart('Rating, 1 to 5 (mean)', figures.map((figure) => ({ label: figure.model, value: figure.meanRating }))),
    ...categories.map((category) => chart(`Rating in “${category}”`, figures.map((figure) => ({ label: figure.model, value: figure.ratingsByCategory.get(category) ?? null })))),
  ];
  const table = `<table><thead><tr><th>Model</th><th>Answers</th><th>Tokens/s</th><th>First token (ms)</th><th>Rating</th></tr></thead><tbody>${figures
    .map((figure) => `<tr><td>${escapeHtml(figure.model)}</td><td>${figure.answers}</td><td>${formatFigure(figure.meanTokensPerSecond)}</td><td>${formatFigure(figure.meanTimeToFirstTokenMs)}</td><td>${formatFigure(figure.meanRating)}</td></tr>`)
    .join('')}</tbody></table>`;
  const details = runs.map(runSection).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Enclave comparison report</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;color:#1d2433}h1,h2,h3{line-height:1.2}table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #d0d5dd;padding:.3rem .6rem;text-align:left;vertical-align:top}.charts{display:flex;flex-wrap:wrap;gap:1.5rem}.answers{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:.75rem}.answer{border:1px solid #d0d5dd;border-radius:8px;padding:.6rem}.answer pre{white-space:pre-wrap;font:inherit;margin:.4rem 0}.stats{color:#5b6475;font-size:.85em}.prompt{white-space:pre-wrap;background:#f3f5f8;padding:.5rem;border-radius:6px}</style>
</head><body>
<h1>Enclave comparison report</h1>
<p>Generated ${escapeHtml(generatedAt.toISOString())} on this computer from ${runs.length} stored run(s). Nothing in this file was sent anywhere.</p>
<h2>Per model</h2>${table}
<div class="charts">${charts.join('')}</div>
<h2>Every prompt and answer</h2>${details}
</body></html>
`;
}

function runSection(run: CompareRun): string {
  const turns = run.turnList
    .map((turn) => {
      const answers = run.answers
        .filter((answer) => answer.turn === turn.position)
        .map((answer) => {
          const column = run.columnList[answer.column];
          const name = column === undefined ? '?' : modelName(column);
          const stats = `state ${escapeHtml(answer.state)} · first token ${formatFigure(answer.timeToFirstTokenMs)} ms · ${formatFigure(answer.tokensPerSecond)} tokens/s · ${answer.tokens ?? '—'} tokens · load ${formatFigure(answer.loadMs)} ms · peak memory ${answer.peakMemoryBytes ?? '—'} bytes · rating ${answer.rating ?? '—'}`;
          return `<div class="answer"><h4>${escapeHtml(column?.label ?? '?')} · ${escapeHtml(name)}</h4><p class="stats">${stats}</p><pre>${escapeHtml(answer.content)}</pre></div>`;
        })
        .join('');
      const notes = turn.gradingNotes === null ? '' : `<p class="stats">Grading notes: ${escapeHtml(turn.gradingNotes)}</p>`;
      return `<h4>Prompt ${turn.position + 1}${turn.category === null ? '' : ` · ${escapeHtml(turn.category)}`}</h4><div class="prompt">${escapeHtml(turn.prompt)}</div>${notes}<div class="answers">${answers}</div>`;
    })
    .join('');
  return `<section><h3>${escapeHtml(run.title)} (${escapeHtml(run.kind)})</h3>${turns}</section>`;
}

const CHART_BAR_HEIGHT = 22;
const CHART_WIDTH = 460;
const CHART_LABEL_WIDTH = 170;

function chart(title: string, bars: readonly { label: string; value: number | null }[]): string {
  const max = Math.max(0, ...bars.map((bar) => bar.value ?? 0)) || 1;
  const height = bars.length * (CHART_BAR_HEIGHT + 6) + 30;
  const rows = bars
    .map((bar, index) => {
      const y = 26 + index * (CHART_BAR_HEIGHT + 6);
      const width = ((bar.value ?? 0) / max) * (CHART_WIDTH - CHART_LABEL_WIDTH - 60);
      return `<text x="0" y="${y + 15}" font-size="12">${escapeHtml(bar.label.slice(0, 28))}</text><rect x="${CHART_LABEL_WIDTH}" y="${y}" width="${width.toFixed(1)}" height="${CHART_BAR_HEIGHT}" fill="#3565d6"/><text x="${(CHART_LABEL_WIDTH + width + 6).toFixed(1)}" y="${y + 15}" font-size="12">${formatFigure(bar.value)}</text>`;
    })
    .join('');
  return `<figure><svg xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="${height}" role="img" aria-label="${escapeHtml(title)}"><text x="0" y="14" font-size="13" font-weight="bold">${escapeHtml(title)}</text>${rows}</svg></figure>`;
}

export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}
