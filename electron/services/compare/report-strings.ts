/**
 * The words of the HTML report, in each interface language. The report is written by the host
 * (it is saved as a file), so its strings live here rather than in the renderer's locale files.
 */
import { isShippedCategory, type CompareAnswerState, type CompareRunKind, type ReportLocale, type ShippedCategory } from '#shared/compare.ts';

export interface ReportStrings {
  title: string;
  generated(date: string, runs: string): string;
  perModel: string;
  perCategory: string;
  everyPrompt: string;
  model: string;
  category: string;
  answers: string;
  tokensPerSecond: string;
  firstTokenMs: string;
  rating: string;
  chartSpeed: string;
  chartFirstToken: string;
  chartRating: string;
  chartSpeedIn(category: string): string;
  chartRatingIn(category: string): string;
  prompt(position: string): string;
  gradingNotes: string;
  /** "label: text", with the locale's punctuation. */
  labelled(label: string, text: string): string;
  vote: string;
  voteWinner(label: string): string;
  voteTie: string;
  voteBad: string;
  reference: string;
  hidden(label: string, run: string): string;
  uncategorised: string;
  /** The shipped sets' categories; the user's own are printed as written. */
  categories: Record<ShippedCategory, string>;
  stat: { state: string; firstToken: string; speed: string; tokens: string; load: string; memory: string; rating: string; ms: string; megabytes: string };
  kind: Record<CompareRunKind, string>;
  state: Record<CompareAnswerState, string>;
}

export const REPORT_STRINGS: Record<ReportLocale, ReportStrings> = {
  en: {
    title: 'Enclave comparison report',
    generated: (date, runs) => `Generated on ${date} on this computer from ${runs} stored run(s). Nothing in this file was sent anywhere.`,
    perModel: 'Per model',
    perCategory: 'Per category',
    everyPrompt: 'Every prompt and answer',
    model: 'Model',
    category: 'Category',
    answers: 'Answers',
    tokensPerSecond: 'Tokens/s',
    firstTokenMs: 'First token (ms)',
    rating: 'Rating',
    chartSpeed: 'Tokens per second (mean)',
    chartFirstToken: 'Time to first token, ms (mean)',
    chartRating: 'Rating, 1 to 5 (mean)',
    chartSpeedIn: (category) => `Tokens per second in “${category}”`,
    chartRatingIn: (category) => `Rating in “${category}”`,
    prompt: (position) => `Prompt ${position}`,
    gradingNotes: 'Grading notes',
    labelled: (label, text) => `${label}: ${text}`,
    vote: 'Vote',
    voteWinner: (label) => `${label} is better`,
    voteTie: 'tie',
    voteBad: 'all bad',
    reference: 'ChatGPT (reference)',
    hidden: (label, run) => `${label} of “${run}” (hidden until the vote)`,
    uncategorised: 'uncategorised',
    categories: { email: 'email', extraction: 'extraction', general: 'general', quote: 'quote', reasoning: 'reasoning', spreadsheet: 'spreadsheet', summary: 'summary', translation: 'translation' },
    stat: { state: 'state', firstToken: 'first token', speed: 'tokens/s', tokens: 'tokens', load: 'load', memory: 'peak memory', rating: 'rating', ms: 'ms', megabytes: 'MB' },
    kind: { compare: 'side by side', batch: 'prompt set', replay: 'ChatGPT replay' },
    state: { pending: 'waiting', generating: 'answering', done: 'done', error: 'failed', interrupted: 'interrupted', stopped: 'stopped' },
  },
  fr: {
    title: 'Rapport de comparaison Enclave',
    generated: (date, runs) => `Généré le ${date} sur cet ordinateur à partir de ${runs} comparaison(s) enregistrée(s). Rien de ce fichier n’a été envoyé où que ce soit.`,
    perModel: 'Par modèle',
    perCategory: 'Par catégorie',
    everyPrompt: 'Tous les prompts et toutes les réponses',
    model: 'Modèle',
    category: 'Catégorie',
    answers: 'Réponses',
    tokensPerSecond: 'Jetons/s',
    firstTokenMs: 'Premier jeton (ms)',
    rating: 'Note',
    chartSpeed: 'Jetons par seconde (moyenne)',
    chartFirstToken: 'Délai du premier jeton, ms (moyenne)',
    chartRating: 'Note de 1 à 5 (moyenne)',
    chartSpeedIn: (category) => `Jetons par seconde en «\u00a0${category}\u00a0»`,
    chartRatingIn: (category) => `Note en «\u00a0${category}\u00a0»`,
    prompt: (position) => `Prompt ${position}`,
    gradingNotes: 'Critères d’évaluation',
    labelled: (label, text) => `${label}\u00a0: ${text}`,
    vote: 'Vote',
    voteWinner: (label) => `${label} est meilleure`,
    voteTie: 'égalité',
    voteBad: 'toutes mauvaises',
    reference: 'ChatGPT (référence)',
    hidden: (label, run) => `${label} de «\u00a0${run}\u00a0» (masqué jusqu’au vote)`,
    uncategorised: 'sans catégorie',
    categories: {
      email: 'e-mail',
      extraction: 'extraction de données',
      general: 'général',
      quote: 'devis',
      reasoning: 'raisonnement',
      spreadsheet: 'tableur',
      summary: 'résumé',
      translation: 'traduction',
    },
    stat: { state: 'état', firstToken: 'premier jeton', speed: 'jetons/s', tokens: 'jetons', load: 'chargement', memory: 'mémoire max.', rating: 'note', ms: 'ms', megabytes: 'Mo' },
    kind: { compare: 'côte à côte', batch: 'jeu de prompts', replay: 'rejeu ChatGPT' },
    state: { pending: 'en attente', generating: 'en cours', done: 'terminé', error: 'échec', interrupted: 'interrompu', stopped: 'arrêté' },
  },
};

/** A prompt category in the report's language (a user's own category as written). */
export function categoryName(strings: ReportStrings, category: string): string {
  return isShippedCategory(category) ? strings.categories[category] : category;
}
