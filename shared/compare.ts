/**
 * Comparison workbench: runs that send the same prompts to 2 to 4 models, blind votes
 * and their leaderboard, prompt sets run as batches, ChatGPT replay, reports.
 *
 * A run is a grid: turns (prompts) by columns (models, plus ChatGPT's original answers as a
 * reference column in a replay). Each cell is one answer with its statistics.
 */
import { z } from 'zod';
import { idSchema, LIMITS, samplingSchema, type AnswerSource } from './chat.ts';

export const LIMITS_COMPARE = {
  minModels: 2,
  maxModels: 4,
  /** Also for a replay, where one local model against ChatGPT's answers is enough. */
  minReplayModels: 1,
  maxPromptsPerSet: 500,
  maxSetNameChars: 200,
  maxCategoryChars: 60,
  maxNotesChars: 4_000,
  maxImportChars: 5_000_000,
  maxReplayConversations: 50,
} as const;

/** The languages a report is written in (the interface's). */
export const REPORT_LOCALES = ['en', 'fr'] as const;
export type ReportLocale = (typeof REPORT_LOCALES)[number];

/** The categories of the shipped prompt sets (the same keys in every language, so the leaderboard groups them); the interface and the reports translate them, other categories are the user's own words. */
export const SHIPPED_CATEGORIES = ['email', 'extraction', 'general', 'quote', 'reasoning', 'spreadsheet', 'summary', 'translation', 'chatgpt-replay'] as const;
export type ShippedCategory = (typeof SHIPPED_CATEGORIES)[number];

export function isShippedCategory(category: string): category is ShippedCategory {
  return (SHIPPED_CATEGORIES as readonly string[]).includes(category);
}

/** compare: one prompt then follow-ups (each column continues its own thread); batch: a prompt set, each prompt on its own; replay: a ChatGPT conversation's user turns (one run per conversation). */
export type CompareRunKind = 'compare' | 'batch' | 'replay';
export type CompareRunState = 'running' | 'done' | 'stopped';
export type CompareAnswerState = 'pending' | 'generating' | 'done' | 'error' | 'interrupted' | 'stopped';

/** How the user judged a turn: the winner's column label, a tie, or all bad. */
export const VOTE_OUTCOMES = ['tie', 'bad'] as const;
export const voteSchema = z.union([z.strictObject({ winner: z.number().int().min(0).max(LIMITS_COMPARE.maxModels) }), z.strictObject({ outcome: z.enum(VOTE_OUTCOMES) })]);
export type Vote = z.infer<typeof voteSchema>;

export interface CompareAnswer {
  turn: number;
  column: number;
  content: string;
  /** What a reasoning model wrote before its answer (kept apart, as in the chat); null for other models. */
  reasoning: string | null;
  state: CompareAnswerState;
  timeToFirstTokenMs: number | null;
  tokensPerSecond: number | null;
  tokens: number | null;
  /** 0 when the model was already loaded. Null while a blind run is not revealed (a 0 tells which model was loaded before). */
  loadMs: number | null;
  /** The engine process's peak resident memory during this answer (Linux: VmHWM after resetting it). Null while a blind run is not revealed. */
  peakMemoryBytes: number | null;
  durationMs: number | null;
  errorCode: string | null;
  /** 1 to 5, given by the user. */
  rating: number | null;
  /** A run with documents: the passages this answer cites (of those its prompt was given, the same for every model); null without documents or until the answer is done. */
  sources: AnswerSource[] | null;
}

export interface CompareColumn {
  position: number;
  /** "A", "B", ... */
  label: string;
  /** null while a blind run is not revealed (the host withholds it), and for the reference column. */
  modelId: string | null;
  reference: boolean;
}

export interface CompareTurn {
  position: number;
  prompt: string;
  category: string | null;
  gradingNotes: string | null;
  /**
   * A blind prompt set shows its models in a different order for each prompt: the position in
   * `columnList` of the model of each column of this turn. Null when the order is the columns'
   * own, and while a blind run is not revealed (the host withholds it).
   */
  columnOrder: number[] | null;
  /** In a blind run, only votes cast before the reveal exist (votes are locked once it is revealed); only those feed the leaderboard. */
  vote: Vote | null;
}

export interface CompareRunSummary {
  id: string;
  kind: CompareRunKind;
  title: string;
  state: CompareRunState;
  blind: boolean;
  createdAt: number;
  turns: number;
  columns: number;
  doneAnswers: number;
  totalAnswers: number;
}

/**
 * The collections a run answers from: each prompt's passages are retrieved once and given to every
 * model; `only`: "not found" (in `locale`) instead of asking the models when none is relevant.
 */
export const compareDocumentsSchema = z.strictObject({
  collectionIds: z.array(idSchema).min(1).max(20),
  only: z.boolean(),
  locale: z.enum(REPORT_LOCALES),
});
export type CompareDocuments = z.infer<typeof compareDocumentsSchema>;

export interface CompareRun extends CompareRunSummary {
  systemPrompt: string;
  /** The collections this run's prompts are answered from, as started (a collection deleted since finds nothing); null without documents. */
  documents: CompareDocuments | null;
  /** Blind runs: the names are revealed once every turn has a vote, or when the user asks; votes are locked from then on. Always true for other runs. */
  revealed: boolean;
  columnList: CompareColumn[];
  turnList: CompareTurn[];
  answers: CompareAnswer[];
}

export interface CompareProgress {
  runId: string;
  done: number;
  total: number;
  /** From the average time of this run's finished answers; null before the first. */
  etaMs: number | null;
  /** The answers of this run being worked on now (several when the engine runs models side by side). */
  active: ActiveAnswer[];
}

export interface ActiveAnswer {
  turn: number;
  column: number;
  phase: 'waiting' | 'loading' | 'generating';
}

export interface LeaderboardRow {
  modelId: string;
  rating: number;
  /** The votes this model took part in. */
  votes: number;
  /** Games against each other column of a vote: a win over each, or a draw with each for a tie or "all bad". */
  wins: number;
  losses: number;
  ties: number;
  /** Its share of the games' points (a draw counts half), and that share's 95 % interval (Wilson): few votes, wide interval. */
  share: ShareInterval;
}

export interface ShareInterval {
  value: number;
  low: number;
  high: number;
}

/** Who leads and how sure that is: `clear` when even the low end of the leader's interval is more than half the points. */
export interface LeaderboardVerdict {
  leader: string;
  runnerUp: string;
  /** Elo points between the two. */
  margin: number;
  /** The blind votes behind the ratings. */
  votes: number;
  share: ShareInterval;
  clear: boolean;
}

export interface Leaderboard {
  overall: LeaderboardRow[];
  /** Null with fewer than two models. */
  verdict: LeaderboardVerdict | null;
  byCategory: { category: string; rows: LeaderboardRow[] }[];
}

export const promptSchema = z.strictObject({
  prompt: z.string().min(1).max(LIMITS.maxMessageChars),
  category: z.string().min(1).max(LIMITS_COMPARE.maxCategoryChars),
  gradingNotes: z.string().max(LIMITS_COMPARE.maxNotesChars).optional(),
});
export type SetPrompt = z.infer<typeof promptSchema>;

export const promptSetSchema = z.strictObject({
  name: z.string().min(1).max(LIMITS_COMPARE.maxSetNameChars),
  language: z.enum(['fr', 'en', 'mixed']),
  prompts: z.array(promptSchema).min(1).max(LIMITS_COMPARE.maxPromptsPerSet),
});
export type PromptSetContent = z.infer<typeof promptSetSchema>;

export interface PromptSet extends PromptSetContent {
  id: string;
  /** Shipped in seeds/prompt-sets (read-only: save a copy to edit). */
  builtin: boolean;
}

export interface ReportFile {
  fileName: string;
  mimeType: string;
  content: string;
  /** Where the host wrote it (the web host's reports folder, or the path chosen in the desktop save dialog); null when the dialog was cancelled. */
  savedTo: string | null;
}

export const compareCommandSchemas = {
  'compare.list': z.strictObject({}),
  'compare.get': z.strictObject({ id: idSchema }),
  'compare.start': z.strictObject({
    modelIds: z.array(idSchema).min(LIMITS_COMPARE.minModels).max(LIMITS_COMPARE.maxModels),
    prompt: z.string().min(1).max(LIMITS.maxMessageChars),
    systemPrompt: z.string().max(LIMITS.maxMessageChars).optional(),
    blind: z.boolean().optional(),
    category: z.string().max(LIMITS_COMPARE.maxCategoryChars).optional(),
    sampling: samplingSchema.optional(),
    documents: compareDocumentsSchema.optional(),
  }),
  /** A follow-up turn in every column. */
  'compare.followUp': z.strictObject({ id: idSchema, prompt: z.string().min(1).max(LIMITS.maxMessageChars) }),
  'compare.stop': z.strictObject({ id: idSchema }),
  'compare.resume': z.strictObject({ id: idSchema }),
  'compare.delete': z.strictObject({ id: idSchema }),
  /** Records the user's judgement of a turn; a blind run is revealed once every turn has one. */
  'compare.vote': z.strictObject({ id: idSchema, turn: z.number().int().min(0), vote: voteSchema }),
  /** Reveals a blind run's names now; turns without a vote stay without one (votes are locked). */
  'compare.reveal': z.strictObject({ id: idSchema }),
  'compare.rate': z.strictObject({ id: idSchema, turn: z.number().int().min(0), column: z.number().int().min(0), rating: z.number().int().min(1).max(5).nullable() }),
  'compare.leaderboard': z.strictObject({}),
  'compare.sets': z.strictObject({}),
  'compare.saveSet': z.strictObject({ id: idSchema.nullable(), set: promptSetSchema }),
  'compare.deleteSet': z.strictObject({ id: idSchema }),
  'compare.importSet': z.strictObject({ content: z.string().max(LIMITS_COMPARE.maxImportChars), format: z.enum(['json', 'csv']), name: z.string().max(LIMITS_COMPARE.maxSetNameChars).optional() }),
  'compare.exportSet': z.strictObject({ id: idSchema, format: z.enum(['json', 'csv']) }),
  'compare.startBatch': z.strictObject({
    setId: idSchema,
    modelIds: z.array(idSchema).min(LIMITS_COMPARE.minModels).max(LIMITS_COMPARE.maxModels),
    blind: z.boolean().optional(),
    sampling: samplingSchema.optional(),
    documents: compareDocumentsSchema.optional(),
  }),
  /** Replays the user turns of imported ChatGPT conversations against local models: one run per conversation, in the order given. */
  'compare.replay': z.strictObject({
    conversationIds: z.array(idSchema).min(1).max(LIMITS_COMPARE.maxReplayConversations),
    modelIds: z
      .array(idSchema)
      .min(LIMITS_COMPARE.minReplayModels)
      .max(LIMITS_COMPARE.maxModels - 1),
    sampling: samplingSchema.optional(),
  }),
  /** Every run when runIds is absent; the HTML report is written in `locale` (English by default). */
  'compare.report': z.strictObject({ runIds: z.array(idSchema).max(10_000).optional(), format: z.enum(['html', 'csv']), locale: z.enum(REPORT_LOCALES).optional() }),
} as const;

export interface CompareCommandResults {
  'compare.list': CompareRunSummary[];
  'compare.get': CompareRun;
  'compare.start': CompareRun;
  'compare.followUp': CompareRun;
  'compare.stop': CompareRun;
  'compare.resume': CompareRun;
  'compare.delete': { deleted: true };
  'compare.vote': CompareRun;
  'compare.reveal': CompareRun;
  'compare.rate': CompareRun;
  'compare.leaderboard': Leaderboard;
  'compare.sets': PromptSet[];
  'compare.saveSet': PromptSet;
  'compare.deleteSet': { deleted: true };
  'compare.importSet': PromptSet;
  'compare.exportSet': { fileName: string; mimeType: string; content: string };
  'compare.startBatch': CompareRun;
  'compare.replay': CompareRun[];
  'compare.report': ReportFile;
}

export interface CompareEventPayloads {
  /** Streamed text of one cell, batched like chat.delta. */
  'compare.delta': { runId: string; turn: number; column: number; text: string };
  /** A cell changed state (started, finished, failed) with its statistics. */
  'compare.answer': { runId: string; answer: CompareAnswer };
  'compare.progress': CompareProgress;
}

export function columnLabel(position: number): string {
  return String.fromCharCode(65 + position);
}

/** Who wrote the answer shown in `column` of `turn`, labelled where the user saw it (see `CompareTurn.columnOrder`). */
export function answerColumn(run: Pick<CompareRun, 'columnList' | 'turnList'>, turn: number, column: number): CompareColumn | undefined {
  const model = run.columnList[run.turnList[turn]?.columnOrder?.[column] ?? column];
  return model === undefined ? undefined : { ...model, position: column, label: columnLabel(column) };
}
