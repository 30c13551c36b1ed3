/**
 * Reports computed from stored runs: a self-contained HTML page in the interface's language
 * (tables and inline SVG bar charts of speed and ratings per model and per category, then every
 * prompt with every answer; answers rendered from markdown, every other text escaped, no script, no external resource) and a CSV with
 * one row per answer. Every figure of the page is a <data> element whose value is the number
 * computed from the store, printed in the locale's format.
 */
import type { AnswerSource } from '#shared/chat.ts';
import { answerColumn, type CompareAnswer, type CompareColumn, type CompareRun, type ReportLocale, type Vote } from '#shared/compare.ts';
import { answerHtml } from './answer-html.ts';
import { toCsv } from './prompt-sets.ts';
import { leaderboard, type CastVote } from './leaderboard.ts';
import { categoryName, REPORT_STRINGS, type ReportStrings } from './report-strings.ts';

/** What the report calls a model: its name in the library (the file's id when it is no longer there). */
export type ModelNames = (modelId: string) => string;

const BY_ID: ModelNames = (modelId) => modelId;

export const CSV_COLUMNS = [
  'run_id',
  'run_title',
  'kind',
  'turn',
  'category',
  'prompt',
  'column',
  'model',
  'model_file',
  'state',
  'time_to_first_token_ms',
  'tokens_per_second',
  'tokens',
  'load_ms',
  'peak_memory_bytes',
  'duration_ms',
  'rating',
  'answer',
  'sources',
] as const;

interface Cell {
  run: CompareRun;
  column: CompareColumn;
  answer: CompareAnswer;
  category: string;
}

/** Who wrote a column's answers, as the report names it. */
export function modelName(run: CompareRun, column: CompareColumn, strings: ReportStrings = REPORT_STRINGS.en, names: ModelNames = BY_ID): string {
  if (column.reference) return strings.reference;
  return column.modelId === null ? strings.hidden(column.label, run.title) : names(column.modelId);
}

/**
 * The CSV as a spreadsheet of the locale opens it: a byte order mark (so Excel reads UTF-8), and
 * in French semicolons between fields and decimal commas, as French Excel expects. Milliseconds
 * and sizes are whole numbers, speeds have one decimal.
 */
const CSV_FORMAT: Record<ReportLocale, { separator: string; decimal: string }> = { en: { separator: ',', decimal: '.' }, fr: { separator: ';', decimal: ',' } };

function csvNumber(value: number | null, digits: number, locale: ReportLocale): string | null {
  return value === null ? null : value.toFixed(digits).replace('.', CSV_FORMAT[locale].decimal);
}

function cellsOf(runs: readonly CompareRun[], strings: ReportStrings): Cell[] {
  return runs.flatMap((run) =>
    run.answers.flatMap((answer) => {
      const column = answerColumn(run, answer.turn, answer.column);
      return column === undefined ? [] : [{ run, column, answer, category: run.turnList[answer.turn]?.category ?? strings.uncategorised }];
    }),
  );
}

export function reportCsv(runs: readonly CompareRun[], locale: ReportLocale = 'en', names: ModelNames = BY_ID): string {
  const number = (value: number | null, digits = 0): string | null => csvNumber(value, digits, locale);
  const rows = cellsOf(runs, REPORT_STRINGS.en).map(({ run, column, answer, category }) => [
    run.id,
    run.title,
    run.kind,
    answer.turn + 1,
    category,
    run.turnList[answer.turn]?.prompt ?? '',
    column.label,
    modelName(run, column, REPORT_STRINGS.en, names),
    column.reference ? null : column.modelId,
    answer.state,
    number(answer.timeToFirstTokenMs),
    number(answer.tokensPerSecond, 1),
    number(answer.tokens),
    number(answer.loadMs),
    number(answer.peakMemoryBytes),
    number(answer.durationMs),
    number(answer.rating),
    answer.content,
    answer.sources === null ? null : answer.sources.map((source) => sourceLine(source, REPORT_STRINGS[locale])).join('\n'),
  ]);
  return `\uFEFF${toCsv([CSV_COLUMNS, ...rows], CSV_FORMAT[locale].separator)}`;
}

export interface Figures {
  answers: number;
  /** Means over the finished answers of local models (ChatGPT's reference answers have no speed). */
  meanTokensPerSecond: number | null;
  meanTimeToFirstTokenMs: number | null;
  /** Mean over the rated answers. */
  meanRating: number | null;
}

export interface ModelFigures extends Figures {
  model: string;
  byCategory: Map<string, Figures>;
}

/** Per model, overall and per category: means over its finished answers. */
export function figuresByModel(runs: readonly CompareRun[], strings: ReportStrings = REPORT_STRINGS.en, names: ModelNames = BY_ID): ModelFigures[] {
  const cells = cellsOf(runs, strings).filter((cell) => cell.answer.state === 'done');
  const nameOf = (cell: Cell): string => modelName(cell.run, cell.column, strings, names);
  const models = [...new Set(cells.map(nameOf))].sort();
  const categories = categoriesOf(cells);
  return models.map((model) => {
    const own = cells.filter((cell) => nameOf(cell) === model);
    return { model, ...figuresOf(own), byCategory: new Map(categories.map((category) => [category, figuresOf(own.filter((cell) => cell.category === category))])) };
  });
}

function categoriesOf(cells: readonly Cell[]): string[] {
  return [...new Set(cells.map((cell) => cell.category))].sort();
}

function figuresOf(cells: readonly Cell[]): Figures {
  const local = cells.filter((cell) => !cell.column.reference);
  return {
    answers: cells.length,
    meanTokensPerSecond: mean(local.map((cell) => cell.answer.tokensPerSecond)),
    meanTimeToFirstTokenMs: mean(local.map((cell) => cell.answer.timeToFirstTokenMs)),
    meanRating: mean(cells.map((cell) => cell.answer.rating)),
  };
}

function mean(values: readonly (number | null)[]): number | null {
  const present = values.filter((value): value is number => value !== null);
  return present.length === 0 ? null : present.reduce((sum, value) => sum + value, 0) / present.length;
}

/** Numbers as the report prints them in one locale. */
class Numbers {
  private readonly decimal: Intl.NumberFormat;
  private readonly integer: Intl.NumberFormat;

  private readonly megabytes: Intl.NumberFormat;
  private readonly percentage: Intl.NumberFormat;

  constructor(locale: ReportLocale) {
    this.decimal = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    this.integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
    this.megabytes = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    this.percentage = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
  }

  percent(share: number): string {
    return this.percentage.format(share);
  }

  integerText(value: number): string {
    return this.integer.format(value);
  }

  /** Text only (inside SVG): two decimals, or an em dash when there is none. */
  text(value: number | null): string {
    return value === null ? '—' : this.decimal.format(value);
  }

  /** HTML: the printed figure (bytes printed as megabytes) in a <data> element holding the exact value. */
  data(value: number | null, as: 'decimal' | 'integer' | 'megabytes' = 'decimal'): string {
    if (value === null) return '—';
    const printed = as === 'megabytes' ? this.megabytes.format(value / 1_000_000) : (as === 'decimal' ? this.decimal : this.integer).format(value);
    return `<data value="${value}">${printed}</data>`;
  }
}

export function reportHtml(runs: readonly CompareRun[], generatedAt: Date, locale: ReportLocale = 'en', names: ModelNames = BY_ID): string {
  const s = REPORT_STRINGS[locale];
  const n = new Numbers(locale);
  const figures = figuresByModel(runs, s, names);
  const categories = [...new Set(figures.flatMap((figure) => [...figure.byCategory.keys()]))].sort();
  const models = figures.map((figure) => figure.model);
  const perModel = table(
    [s.model, s.answers, s.tokensPerSecond, s.firstTokenMs, s.rating],
    figures.map((figure) => [escapeHtml(figure.model), n.data(figure.answers, 'integer'), n.data(figure.meanTokensPerSecond), n.data(figure.meanTimeToFirstTokenMs), n.data(figure.meanRating)]),
    'per-model',
  );
  const perCategory = table(
    [s.category, s.model, s.answers, s.tokensPerSecond, s.firstTokenMs, s.rating],
    categories.flatMap((category) =>
      figures.flatMap((figure) => {
        const own = figure.byCategory.get(category);
        if (own === undefined || own.answers === 0) return [];
        return [
          [
            escapeHtml(categoryName(s, category)),
            escapeHtml(figure.model),
            n.data(own.answers, 'integer'),
            n.data(own.meanTokensPerSecond),
            n.data(own.meanTimeToFirstTokenMs),
            n.data(own.meanRating),
          ],
        ];
      }),
    ),
    'per-category',
  );
  const overallCharts = [
    barChart(
      s.chartSpeed,
      figures.map((figure) => ({ label: figure.model, value: figure.meanTokensPerSecond })),
      n,
    ),
    barChart(
      s.chartFirstToken,
      figures.map((figure) => ({ label: figure.model, value: figure.meanTimeToFirstTokenMs })),
      n,
    ),
    barChart(
      s.chartRating,
      figures.map((figure) => ({ label: figure.model, value: figure.meanRating })),
      n,
    ),
  ];
  const categoryCharts = categories.flatMap((category) => {
    const value = (pick: (own: Figures) => number | null) => figures.map((figure) => ({ label: figure.model, value: pick(figure.byCategory.get(category) ?? EMPTY) }));
    return [
      barChart(
        s.chartSpeedIn(categoryName(s, category)),
        value((own) => own.meanTokensPerSecond),
        n,
      ),
      barChart(
        s.chartRatingIn(categoryName(s, category)),
        value((own) => own.meanRating),
        n,
      ),
    ];
  });
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short' }).format(generatedAt);
  return `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(s.title)}</title>
<style>${STYLE}</style>
</head><body>
<h1>${escapeHtml(s.title)}</h1>
<p>${escapeHtml(s.generated(date, runs.length, n.integerText(runs.length)))}</p>
<h2>${escapeHtml(s.summary)}</h2>${summary(runs, s, n, names)}
<p class="legend">${models.map((model, index) => `<span><i style="background:${colour(index)}"></i>${escapeHtml(model)}</span>`).join('')}</p>
<h2>${escapeHtml(s.perModel)}</h2>${perModel}
<div class="charts">${overallCharts.join('')}</div>
<h2>${escapeHtml(s.perCategory)}</h2>${perCategory}
<div class="charts">${categoryCharts.join('')}</div>
<h2>${escapeHtml(s.everyPrompt)}</h2>${runs.map((run) => runSection(run, s, n, names)).join('')}
</body></html>
`;
}

/** The blind votes of these runs (their names revealed): who leads, by how much, how sure that is. */
function summary(runs: readonly CompareRun[], s: ReportStrings, n: Numbers, names: ModelNames): string {
  const board = leaderboard(blindVotesOf(runs));
  const { verdict } = board;
  if (verdict === null) return `<p class="verdict">${escapeHtml(s.noBlindVotes)}</p>`;
  const text = s.verdict({
    clear: verdict.clear,
    leader: names(verdict.leader),
    runnerUp: names(verdict.runnerUp),
    margin: n.integerText(verdict.margin),
    count: verdict.votes,
    votes: n.integerText(verdict.votes),
    share: n.percent(verdict.share.value),
    low: n.percent(verdict.share.low),
    high: n.percent(verdict.share.high),
  });
  const rows = table(
    [s.model, s.rating, s.votes, s.share],
    board.overall.map((row) => [
      escapeHtml(names(row.modelId)),
      n.data(row.rating, 'integer'),
      n.data(row.votes, 'integer'),
      escapeHtml(s.shareValue(n.percent(row.share.value), n.percent(row.share.low), n.percent(row.share.high))),
    ]),
    'summary',
  );
  return `<p class="verdict" data-clear="${verdict.clear}">${escapeHtml(text)}</p>${rows}`;
}

function blindVotesOf(runs: readonly CompareRun[]): CastVote[] {
  return runs.flatMap((run) =>
    !run.blind || !run.revealed
      ? []
      : run.turnList.flatMap((turn) => {
          if (turn.vote === null) return [];
          const modelIds = run.columnList.map((_, column) => answerColumn(run, turn.position, column)?.modelId ?? '');
          return [{ vote: turn.vote, modelIds, category: turn.category }];
        }),
  );
}

const EMPTY: Figures = { answers: 0, meanTokensPerSecond: null, meanTimeToFirstTokenMs: null, meanRating: null };

const STYLE = [
  'body{font:15px/1.5 system-ui,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;color:#1d2433;background:#fff}',
  'h1,h2,h3,h4{line-height:1.2}h2{margin-top:2rem;border-bottom:1px solid #d0d5dd;padding-bottom:.3rem}',
  'table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #d0d5dd;padding:.3rem .6rem;text-align:left;vertical-align:top}td data{font-variant-numeric:tabular-nums}',
  '.charts{display:flex;flex-wrap:wrap;gap:1rem 2rem}figure{margin:0}',
  '.legend span{display:inline-flex;align-items:center;gap:.35rem;margin-right:1rem}.legend i{display:inline-block;width:.8rem;height:.8rem;border-radius:2px}',
  '.answers{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:.75rem}.answer{border:1px solid #d0d5dd;border-radius:8px;padding:.6rem}',
  '.answer h4{margin:0 0 .3rem}.stats{color:#5b6475;font-size:.85em}',
  '.markdown>:first-child{margin-top:0}.markdown>:last-child{margin-bottom:0}.markdown pre{white-space:pre-wrap;background:#f3f5f8;padding:.5rem;border-radius:6px}.markdown code{font:.9em/1.4 ui-monospace,monospace}',
  '.verdict{padding:.6rem .8rem;border-left:4px solid #c8c5bd;background:#f3f5f8}.verdict[data-clear="true"]{border-left-color:#2f9e6e}',
  '.prompt{white-space:pre-wrap;background:#f3f5f8;padding:.5rem;border-radius:6px}',
  '.sources ol{margin:.2rem 0 0;padding-left:0;list-style:none;font-size:.85em}.sources blockquote{margin:.2rem 0 .4rem;padding-left:.5rem;border-left:3px solid #d0d5dd;white-space:pre-wrap}',
].join('');

function table(headers: readonly string[], rows: readonly (readonly string[])[], name: string): string {
  const head = headers.map((header) => `<th scope="col">${escapeHtml(header)}</th>`).join('');
  const body = rows.map((row) => `<tr>${row.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('');
  return `<table class="${name}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function runSection(run: CompareRun, s: ReportStrings, n: Numbers, names: ModelNames): string {
  const turns = run.turnList
    .map((turn) => {
      const answers = run.answers
        .filter((answer) => answer.turn === turn.position)
        .map((answer) => {
          const column = answerColumn(run, answer.turn, answer.column);
          const name = column === undefined ? '?' : modelName(run, column, s, names);
          const stats = [
            `${s.stat.state} ${escapeHtml(s.state[answer.state])}`,
            `${s.stat.firstToken} ${n.data(answer.timeToFirstTokenMs)} ${s.stat.ms}`,
            `${n.data(answer.tokensPerSecond)} ${s.stat.speed}`,
            `${n.data(answer.tokens, 'integer')} ${s.stat.tokens}`,
            `${s.stat.load} ${n.data(answer.loadMs)} ${s.stat.ms}`,
            `${s.stat.memory} ${n.data(answer.peakMemoryBytes, 'megabytes')} ${s.stat.megabytes}`,
            `${s.stat.rating} ${n.data(answer.rating, 'integer')}`,
          ].join(' · ');
          return `<div class="answer"><h4>${escapeHtml(column?.label ?? '?')} · ${escapeHtml(name)}</h4><p class="stats">${stats}</p><div class="markdown">${answerHtml(answer.content)}</div>${sourcesHtml(answer, s)}</div>`;
        })
        .join('');
      const notes = turn.gradingNotes === null ? '' : `<p class="stats">${escapeHtml(s.labelled(s.gradingNotes, turn.gradingNotes))}</p>`;
      const vote = turn.vote === null ? '' : `<p class="stats">${escapeHtml(s.labelled(s.vote, voteText(turn.vote, run, s)))}</p>`;
      return `<h4>${escapeHtml(s.prompt(String(turn.position + 1)))}${turn.category === null ? '' : ` · ${escapeHtml(categoryName(s, turn.category))}`}</h4><div class="prompt">${escapeHtml(turn.prompt)}</div>${notes}<div class="answers">${answers}</div>${vote}`;
    })
    .join('');
  const documents = run.documents === null ? '' : `<p class="stats">${escapeHtml(s.documents(run.documents.collectionIds.length, run.documents.only))}</p>`;
  return `<section><h3>${escapeHtml(run.title)} (${escapeHtml(s.kind[run.kind])})</h3>${documents}${turns}</section>`;
}

/** "[1] file, page 2, headings": a source as the report names it. */
function sourceLine(source: AnswerSource, s: ReportStrings): string {
  return [`[${source.n}] ${source.fileName}`, source.page === null ? null : s.page(source.page), source.heading === '' ? null : source.heading].filter((part) => part !== null).join(', ');
}

/** The passages an answer cites, each with its quoted text (escaped: a document is data). */
function sourcesHtml(answer: CompareAnswer, s: ReportStrings): string {
  if (answer.sources === null) return '';
  if (answer.sources.length === 0) return `<p class="stats">${escapeHtml(s.noSources)}</p>`;
  const items = answer.sources.map((source) => `<li>${escapeHtml(sourceLine(source, s))}<blockquote>${escapeHtml(source.passage)}</blockquote></li>`).join('');
  return `<div class="sources"><p class="stats">${escapeHtml(s.sources)}</p><ol>${items}</ol></div>`;
}

function voteText(vote: Vote, run: CompareRun, s: ReportStrings): string {
  if ('winner' in vote) {
    const column = run.columnList[vote.winner];
    return s.voteWinner(column === undefined ? '?' : column.reference ? 'ChatGPT' : column.label);
  }
  return vote.outcome === 'tie' ? s.voteTie : s.voteBad;
}

const PALETTE = ['#3565d6', '#d9822b', '#2f9e6e', '#b4458a', '#7a5af5', '#5b6475'];

function colour(index: number): string {
  return PALETTE[index % PALETTE.length] ?? '#3565d6';
}

const BAR_HEIGHT = 20;
const BAR_GAP = 6;
const CHART_WIDTH = 500;
const LABEL_WIDTH = 190;

/** One horizontal bar per model, in the legend's colours. */
function barChart(title: string, bars: readonly { label: string; value: number | null }[], n: Numbers): string {
  const max = Math.max(0, ...bars.map((bar) => bar.value ?? 0)) || 1;
  const height = bars.length * (BAR_HEIGHT + BAR_GAP) + 30;
  const rows = bars
    .map((bar, index) => {
      const y = 26 + index * (BAR_HEIGHT + BAR_GAP);
      const width = ((bar.value ?? 0) / max) * (CHART_WIDTH - LABEL_WIDTH - 70);
      const label = bar.label.length > 30 ? `${bar.label.slice(0, 29)}…` : bar.label;
      return `<text x="0" y="${y + 14}" font-size="12">${escapeHtml(label)}</text><rect x="${LABEL_WIDTH}" y="${y}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" fill="${colour(index)}"/><text x="${(LABEL_WIDTH + width + 6).toFixed(1)}" y="${y + 14}" font-size="12">${n.text(bar.value)}</text>`;
    })
    .join('');
  return `<figure><svg xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="${height}" role="img" aria-label="${escapeHtml(title)}"><text x="0" y="14" font-size="13" font-weight="bold">${escapeHtml(title)}</text>${rows}</svg></figure>`;
}

export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}
