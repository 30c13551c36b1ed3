/** Comparison runs, votes and prompt sets in the conversations database (migration 3; since the documents migration, a run's collections and each prompt's passages). */
import { randomUUID } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import type { AnswerSource, Sampling } from '#shared/chat.ts';
import {
  columnLabel,
  type CompareAnswer,
  type CompareAnswerState,
  type CompareColumn,
  type CompareDocuments,
  type CompareRun,
  type CompareRunKind,
  type CompareRunState,
  type CompareRunSummary,
  type CompareTurn,
  type PromptSet,
  type PromptSetContent,
  type Vote,
} from '#shared/compare.ts';
import { EnclaveError } from '#shared/errors.ts';
import { statementCache, transaction, type Sql } from '../platform/db/sql.ts';
import type { CastVote } from './leaderboard.ts';
import type { WaitingAnswer } from './schedule.ts';

interface RunRow {
  id: string;
  kind: CompareRunKind;
  title: string;
  state: CompareRunState;
  blind: number;
  revealed: number;
  system_prompt: string;
  sampling: string;
  documents: string | null;
  created_at: number;
}

interface AnswerRow {
  turn: number;
  column_position: number;
  content: string;
  reasoning: string | null;
  state: CompareAnswerState;
  ttft_ms: number | null;
  tokens_per_second: number | null;
  tokens: number | null;
  load_ms: number | null;
  peak_memory_bytes: number | null;
  duration_ms: number | null;
  error_code: string | null;
  rating: number | null;
  sources: string | null;
}

export interface NewRun {
  kind: CompareRunKind;
  title: string;
  systemPrompt: string;
  blind: boolean;
  sampling: Sampling;
  documents?: CompareDocuments | undefined;
  /** In display order; null for the reference column. */
  columns: { modelId: string | null; reference: boolean }[];
  /** `columnOrder`: see CompareTurn; absent when the order is the columns' own. */
  turns: { prompt: string; category: string | null; gradingNotes: string | null; references?: string | null; columnOrder?: number[] }[];
}

/** What a finished (or failed) answer stores. */
export type AnswerUpdate = Partial<Omit<CompareAnswer, 'turn' | 'column' | 'rating'>>;

const ANSWER_COLUMNS: Record<keyof AnswerUpdate, string> = {
  content: 'content',
  reasoning: 'reasoning',
  state: 'state',
  timeToFirstTokenMs: 'ttft_ms',
  tokensPerSecond: 'tokens_per_second',
  tokens: 'tokens',
  loadMs: 'load_ms',
  peakMemoryBytes: 'peak_memory_bytes',
  durationMs: 'duration_ms',
  errorCode: 'error_code',
  sources: 'sources',
};

/**
 * What a prompt of a run with documents was given, decided once for every model: its passages, or
 * "not found" (documents only), or nothing relevant (the prompt goes as it is).
 */
export type TurnGrounding = { kind: 'none' } | { kind: 'notFound'; text: string } | { kind: 'grounded'; sources: AnswerSource[] };

export class CompareStore {
  private readonly db: DatabaseSync;
  private readonly now: () => number;
  private readonly sql: Sql;

  constructor(db: DatabaseSync, now: () => number = Date.now) {
    this.db = db;
    this.now = now;
    this.sql = statementCache(db);
  }

  /** Start-up: answers cut off by a crash or a kill go back to the queue of their (still running) run; finished ones stay. */
  recover(): number {
    return Number(
      this.sql(
        `UPDATE compare_answers SET state = 'pending', content = '', reasoning = NULL, sources = NULL WHERE state = 'generating'
         AND run_id IN (SELECT id FROM compare_runs WHERE state = 'running')`,
      ).run().changes,
    );
  }

  create(input: NewRun): string {
    const id = randomUUID();
    transaction(this.db, () => {
      this.sql('INSERT INTO compare_runs (id, kind, title, state, blind, system_prompt, sampling, documents, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
        id,
        input.kind,
        input.title,
        'running',
        input.blind ? 1 : 0,
        input.systemPrompt,
        JSON.stringify(input.sampling),
        input.documents === undefined ? null : JSON.stringify(input.documents),
        this.now(),
      );
      input.columns.forEach((column, position) =>
        this.sql('INSERT INTO compare_columns (run_id, position, model_id, reference) VALUES (?, ?, ?, ?)').run(id, position, column.modelId, column.reference ? 1 : 0),
      );
      input.turns.forEach((turn, position) => this.insertTurn(id, position, turn, input.columns));
    });
    return id;
  }

  addTurn(id: string, prompt: string): void {
    const run = this.get(id);
    const category = run.turnList.at(-1)?.category ?? null;
    transaction(this.db, () => {
      this.insertTurn(
        id,
        run.turnList.length,
        { prompt, category, gradingNotes: null },
        run.columnList.map((column) => ({ modelId: null, reference: column.reference })),
      );
      this.setState(id, 'running');
    });
  }

  list(): CompareRunSummary[] {
    const rows = this.sql('SELECT * FROM compare_runs ORDER BY created_at DESC').all() as unknown as RunRow[];
    return rows.map((row) => this.summary(row));
  }

  /**
   * The run as the renderer sees it. Until a blind run is revealed, the host withholds what would
   * name its models: the model ids, and each answer's load time and peak memory (a 0 ms load says
   * which model was loaded before the run; memory tells model sizes apart).
   */
  get(id: string): CompareRun {
    const row = this.row(id);
    const hidden = isHidden(row);
    const columnList = this.columns(id).map((column) => (hidden && !column.reference ? { ...column, modelId: null } : column));
    const votes = new Map((this.sql('SELECT turn, vote FROM compare_votes WHERE run_id = ?').all(id) as { turn: number; vote: string }[]).map((vote) => [vote.turn, JSON.parse(vote.vote) as Vote]));
    const turnList = (
      this.sql('SELECT position, prompt, category, grading_notes, column_order FROM compare_turns WHERE run_id = ? ORDER BY position').all(id) as {
        position: number;
        prompt: string;
        category: string | null;
        grading_notes: string | null;
        column_order: string | null;
      }[]
    ).map((turn): CompareTurn => ({
      position: turn.position,
      prompt: turn.prompt,
      category: turn.category,
      gradingNotes: turn.grading_notes,
      columnOrder: hidden || turn.column_order === null ? null : (JSON.parse(turn.column_order) as number[]),
      vote: votes.get(turn.position) ?? null,
    }));
    const answers = (this.sql('SELECT * FROM compare_answers WHERE run_id = ? ORDER BY turn, column_position').all(id) as unknown as AnswerRow[]).map((answer) => shown(toAnswer(answer), hidden));
    const documents = row.documents === null ? null : (JSON.parse(row.documents) as CompareDocuments);
    return { ...this.summary(row), systemPrompt: row.system_prompt, documents, revealed: !hidden, columnList, turnList, answers };
  }

  /** One answer as the renderer may see it (see `get`). */
  shownAnswer(id: string, turn: number, column: number): CompareAnswer {
    return shown(this.answer(id, turn, column), isHidden(this.row(id)));
  }

  /** Model ids even while hidden: for the engine and the leaderboard, never for the renderer. */
  columns(id: string): CompareColumn[] {
    const rows = this.sql('SELECT position, model_id, reference FROM compare_columns WHERE run_id = ? ORDER BY position').all(id) as { position: number; model_id: string | null; reference: number }[];
    return rows.map((column) => ({ position: column.position, label: columnLabel(column.position), modelId: column.model_id, reference: column.reference === 1 }));
  }

  sampling(id: string): Sampling {
    return JSON.parse(this.row(id).sampling) as Sampling;
  }

  answer(id: string, turn: number, column: number): CompareAnswer {
    const row = this.sql('SELECT * FROM compare_answers WHERE run_id = ? AND turn = ? AND column_position = ?').get(id, turn, column) as AnswerRow | undefined;
    if (row === undefined) throw new EnclaveError('NOT_FOUND', `no answer ${turn}/${column} in run ${id}`, { id, turn, column });
    return toAnswer(row);
  }

  updateAnswer(id: string, turn: number, column: number, update: AnswerUpdate): void {
    const entries = Object.entries(update) as [keyof AnswerUpdate, unknown][];
    if (entries.length === 0) return;
    const assignments = entries.map(([key]) => `${ANSWER_COLUMNS[key]} = ?`).join(', ');
    const values = entries.map(([key, value]) => (key === 'sources' ? (value === null ? null : JSON.stringify(value)) : (value as string | number | null)));
    this.sql(`UPDATE compare_answers SET ${assignments}, finished_at = ? WHERE run_id = ? AND turn = ? AND column_position = ?`).run(...values, this.now(), id, turn, column);
  }

  /** What this prompt of the run was given, once decided (null before its first answer starts). */
  turnGrounding(id: string, turn: number): TurnGrounding | null {
    const row = this.sql('SELECT grounding FROM compare_turns WHERE run_id = ? AND position = ?').get(id, turn) as { grounding: string | null } | undefined;
    return row === undefined || row.grounding === null ? null : (JSON.parse(row.grounding) as TurnGrounding);
  }

  setTurnGrounding(id: string, turn: number, grounding: TurnGrounding): void {
    this.sql('UPDATE compare_turns SET grounding = ? WHERE run_id = ? AND position = ?').run(JSON.stringify(grounding), id, turn);
  }

  rate(id: string, turn: number, column: number, rating: number | null): void {
    this.answer(id, turn, column);
    this.sql('UPDATE compare_answers SET rating = ? WHERE run_id = ? AND turn = ? AND column_position = ?').run(rating, id, turn, column);
  }

  /** Answers of running runs that still have to be generated, with their model. */
  waiting(): WaitingAnswer[] {
    const rows = this.sql(
      `SELECT a.run_id AS runId, r.kind AS kind, r.created_at AS runCreatedAt, r.blind AS blind, a.turn AS turn, a.column_position AS "column", c.position AS modelColumn, c.model_id AS modelId
       FROM compare_answers a JOIN compare_runs r ON r.id = a.run_id
       JOIN compare_turns t ON t.run_id = a.run_id AND t.position = a.turn
       JOIN compare_columns c ON c.run_id = a.run_id AND c.position = COALESCE(json_extract(t.column_order, '$[' || a.column_position || ']'), a.column_position)
       WHERE a.state = 'pending' AND r.state = 'running' AND c.model_id IS NOT NULL`,
    ).all() as unknown as (Omit<WaitingAnswer, 'blind'> & { blind: number })[];
    return rows.map((row) => ({ ...row, blind: row.blind === 1 }));
  }

  setState(id: string, state: CompareRunState): void {
    this.sql('UPDATE compare_runs SET state = ? WHERE id = ?').run(state, id);
  }

  /** Answers in these states go back to the queue. */
  requeue(id: string, states: readonly CompareAnswerState[]): void {
    const placeholders = states.map(() => '?').join(', ');
    this.sql(`UPDATE compare_answers SET state = 'pending', content = '', reasoning = NULL, error_code = NULL, sources = NULL WHERE run_id = ? AND state IN (${placeholders})`).run(id, ...states);
  }

  stopWaiting(id: string): void {
    this.sql("UPDATE compare_answers SET state = 'stopped' WHERE run_id = ? AND state = 'pending'").run(id);
  }

  delete(id: string): void {
    this.row(id);
    this.sql('DELETE FROM compare_runs WHERE id = ?').run(id);
  }

  /**
   * Records (or replaces) the vote on a turn. A blind run's votes are blind ones, and the run is
   * revealed once every turn has one; after the reveal its votes are locked, since a vote cast
   * knowing the names is not blind. Other runs' votes can change at any time; they never feed the
   * leaderboard (see `blindVotes`).
   */
  vote(id: string, turn: number, vote: Vote): void {
    const run = this.get(id);
    const turnRow = run.turnList[turn];
    if (turnRow === undefined) throw new EnclaveError('NOT_FOUND', `no turn ${turn} in run ${id}`, { id, turn });
    if (run.blind && run.revealed) throw new EnclaveError('VOTES_LOCKED', 'the names of this blind run are revealed: its votes are locked', { id, turn });
    const open = run.answers.filter((answer) => answer.turn === turn && (answer.state === 'pending' || answer.state === 'generating'));
    if (open.length > 0) throw new EnclaveError('BAD_REQUEST', 'vote once every answer of the turn is finished', { id, turn });
    if ('winner' in vote && vote.winner >= run.columnList.length) throw new EnclaveError('BAD_REQUEST', `no column ${vote.winner}`, { id, turn });
    const models = this.columns(id);
    const order = this.columnOrder(id, turn);
    const modelIds = models.map((_, column) => {
      const model = models[order?.[column] ?? column];
      return model === undefined || model.reference ? 'ChatGPT' : (model.modelId ?? '');
    });
    transaction(this.db, () => {
      this.sql('INSERT OR REPLACE INTO compare_votes (run_id, turn, vote, model_ids, category, created_at, blind) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        id,
        turn,
        JSON.stringify(vote),
        JSON.stringify(modelIds),
        turnRow.category,
        this.now(),
        run.blind ? 1 : 0,
      );
      if (!run.blind) return;
      const unvoted = this.sql('SELECT COUNT(*) AS count FROM compare_turns t WHERE t.run_id = ? AND NOT EXISTS (SELECT 1 FROM compare_votes v WHERE v.run_id = t.run_id AND v.turn = t.position)').get(
        id,
      ) as { count: number };
      if (unvoted.count === 0) this.reveal(id);
    });
  }

  /** Shows a blind run's names (and locks its votes). */
  reveal(id: string): void {
    this.row(id);
    this.sql('UPDATE compare_runs SET revealed = 1 WHERE id = ? AND blind = 1').run(id);
  }

  /** The votes the leaderboard counts: those cast blind, in the order they were cast. */
  blindVotes(): CastVote[] {
    const rows = this.sql('SELECT vote, model_ids, category FROM compare_votes WHERE blind = 1 ORDER BY created_at, rowid').all() as { vote: string; model_ids: string; category: string | null }[];
    return rows.map((row) => ({ vote: JSON.parse(row.vote) as Vote, modelIds: JSON.parse(row.model_ids) as string[], category: row.category }));
  }

  userSets(): PromptSet[] {
    const rows = this.sql('SELECT id, content FROM prompt_sets ORDER BY created_at').all() as { id: string; content: string }[];
    return rows.map((row) => ({ id: row.id, builtin: false, ...(JSON.parse(row.content) as PromptSetContent) }));
  }

  saveSet(id: string | null, set: PromptSetContent): PromptSet {
    const setId = id ?? randomUUID();
    this.sql('INSERT INTO prompt_sets (id, content, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET content = excluded.content').run(setId, JSON.stringify(set), this.now());
    return { id: setId, builtin: false, ...set };
  }

  deleteSet(id: string): void {
    if (Number(this.sql('DELETE FROM prompt_sets WHERE id = ?').run(id).changes) === 0) throw new EnclaveError('NOT_FOUND', `no prompt set ${id}`, { id });
  }

  /** Model ids even while hidden, like `columns`. */
  private columnOrder(id: string, turn: number): number[] | null {
    const order = (this.sql('SELECT column_order FROM compare_turns WHERE run_id = ? AND position = ?').get(id, turn) as { column_order: string | null } | undefined)?.column_order ?? null;
    return order === null ? null : (JSON.parse(order) as number[]);
  }

  private insertTurn(id: string, position: number, turn: NewRun['turns'][number], columns: NewRun['columns']): void {
    this.sql('INSERT INTO compare_turns (run_id, position, prompt, category, grading_notes, column_order) VALUES (?, ?, ?, ?, ?, ?)').run(
      id,
      position,
      turn.prompt,
      turn.category,
      turn.gradingNotes,
      turn.columnOrder === undefined ? null : JSON.stringify(turn.columnOrder),
    );
    columns.forEach((column, index) => {
      const reference = column.reference ? (turn.references ?? '') : null;
      this.sql('INSERT INTO compare_answers (run_id, turn, column_position, content, state) VALUES (?, ?, ?, ?, ?)').run(id, position, index, reference ?? '', reference === null ? 'pending' : 'done');
    });
  }

  private summary(row: RunRow): CompareRunSummary {
    const counts = this.sql(
      `SELECT (SELECT COUNT(*) FROM compare_turns WHERE run_id = ?1) AS turns, (SELECT COUNT(*) FROM compare_columns WHERE run_id = ?1) AS columns,
       (SELECT COUNT(*) FROM compare_answers WHERE run_id = ?1) AS total, (SELECT COUNT(*) FROM compare_answers WHERE run_id = ?1 AND state NOT IN ('pending', 'generating')) AS done`,
    ).get(row.id) as { turns: number; columns: number; total: number; done: number };
    return {
      id: row.id,
      kind: row.kind,
      title: row.title,
      state: row.state,
      blind: row.blind === 1,
      createdAt: row.created_at,
      turns: counts.turns,
      columns: counts.columns,
      doneAnswers: counts.done,
      totalAnswers: counts.total,
    };
  }

  private row(id: string): RunRow {
    const row = this.sql('SELECT * FROM compare_runs WHERE id = ?').get(id) as RunRow | undefined;
    if (row === undefined) throw new EnclaveError('NOT_FOUND', `no comparison run ${id}`, { id });
    return row;
  }
}

function isHidden(row: RunRow): boolean {
  return row.blind === 1 && row.revealed === 0;
}

function shown(answer: CompareAnswer, hidden: boolean): CompareAnswer {
  return hidden ? { ...answer, loadMs: null, peakMemoryBytes: null } : answer;
}

function toAnswer(row: AnswerRow): CompareAnswer {
  return {
    turn: row.turn,
    column: row.column_position,
    content: row.content,
    reasoning: row.reasoning,
    state: row.state,
    timeToFirstTokenMs: row.ttft_ms,
    tokensPerSecond: row.tokens_per_second,
    tokens: row.tokens,
    loadMs: row.load_ms,
    peakMemoryBytes: row.peak_memory_bytes,
    durationMs: row.duration_ms,
    errorCode: row.error_code,
    rating: row.rating,
    sources: row.sources === null ? null : (JSON.parse(row.sources) as AnswerSource[]),
  };
}
