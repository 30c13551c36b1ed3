/**
 * The words of the HTML report, in each interface language. The report is written by the host
 * (it is saved as a file), so its strings live here rather than in the renderer's locale files.
 */
import { isShippedCategory, type CompareAnswerState, type CompareRunKind, type ReportLocale, type ShippedCategory } from '#shared/compare.ts';

/** The figures of the verdict, printed in the report's locale; `count` picks the plural form. */
export interface VerdictText {
  clear: boolean;
  leader: string;
  runnerUp: string;
  margin: string;
  count: number;
  votes: string;
  share: string;
  low: string;
  high: string;
}

const plural = (locale: ReportLocale, count: number): Intl.LDMLPluralRule => new Intl.PluralRules(locale).select(count);

export interface ReportStrings {
  title: string;
  /** `count` picks the plural form (Intl.PluralRules), `runs` is it printed. */
  generated(date: string, count: number, runs: string): string;
  summary: string;
  noBlindVotes: string;
  verdict(v: VerdictText): string;
  votes: string;
  share: string;
  shareValue(value: string, low: string, high: string): string;
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
  /** An answer's sources: the heading, a page, and the run's collections. */
  sources: string;
  page(page: number): string;
  noSources: string;
  documents(collections: number, only: boolean): string;
  kind: Record<CompareRunKind, string>;
  state: Record<CompareAnswerState, string>;
}

export const REPORT_STRINGS: Record<ReportLocale, ReportStrings> = {
  en: {
    title: 'Enclave comparison report',
    generated: (date, count, runs) => `Generated on ${date} on this computer from ${runs} stored ${plural('en', count) === 'one' ? 'run' : 'runs'}. Nothing in this file was sent anywhere.`,
    summary: 'Summary',
    noBlindVotes: 'No blind vote in these runs yet: only blind votes say which model answers better (the figures below compare speed and ratings).',
    verdict: (v) => {
      const votes = `${v.votes} blind ${plural('en', v.count) === 'one' ? 'vote' : 'votes'}`;
      return v.clear
        ? `${v.leader} is clearly ahead of ${v.runnerUp}: ${v.margin} Elo points, ${v.share} of the points of its games over ${votes} (95% interval ${v.low} to ${v.high}).`
        : `${v.leader} leads ${v.runnerUp} by ${v.margin} Elo points, but ${votes} ${plural('en', v.count) === 'one' ? 'is' : 'are'} not enough to tell: its share of the points, ${v.share}, could be anywhere from ${v.low} to ${v.high} (95% interval).`;
    },
    votes: 'Votes',
    share: 'Points won (95% interval)',
    shareValue: (value, low, high) => `${value} (${low} to ${high})`,
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
    categories: {
      email: 'email',
      extraction: 'extraction',
      general: 'general',
      quote: 'quote',
      reasoning: 'reasoning',
      spreadsheet: 'spreadsheet',
      summary: 'summary',
      translation: 'translation',
      'chatgpt-replay': 'ChatGPT replay',
    },
    stat: { state: 'state', firstToken: 'first token', speed: 'tokens/s', tokens: 'tokens', load: 'load', memory: 'peak memory', rating: 'rating', ms: 'ms', megabytes: 'MB' },
    sources: 'Sources',
    page: (page) => `page ${page}`,
    noSources: 'Sources: none cited',
    documents: (collections, only) =>
      `Answered from ${collections} ${plural('en', collections) === 'one' ? 'collection' : 'collections'} of documents${only ? ', documents only' : ''}: each prompt's passages were retrieved once and given to every model.`,
    kind: { compare: 'side by side', batch: 'prompt set', replay: 'ChatGPT replay' },
    state: { pending: 'waiting', generating: 'answering', done: 'done', error: 'failed', interrupted: 'interrupted', stopped: 'stopped' },
  },
  fr: {
    title: 'Rapport de comparaison Enclave',
    generated: (date, count, runs) =>
      `Généré le ${date} sur cet ordinateur à partir de ${runs} ${plural('fr', count) === 'one' ? 'comparaison enregistrée' : 'comparaisons enregistrées'}. Rien de ce fichier n’a été envoyé où que ce soit.`,
    summary: 'Résumé',
    noBlindVotes: 'Pas encore de vote à l’aveugle dans ces comparaisons : seuls ces votes disent quel modèle répond le mieux (les chiffres ci-dessous comparent la vitesse et les notes).',
    verdict: (v) => {
      const one = plural('fr', v.count) === 'one';
      const votes = `${v.votes} ${one ? 'vote' : 'votes'} à l’aveugle`;
      return v.clear
        ? `${v.leader} devance nettement ${v.runnerUp}\u00a0: ${v.margin} points Elo d’écart, ${v.share} des points de ses duels sur ${votes} (intervalle à 95\u00a0%\u00a0: de ${v.low} à ${v.high}).`
        : `${v.leader} devance ${v.runnerUp} de ${v.margin} points Elo, mais ${votes} ${one ? 'ne suffit' : 'ne suffisent'} pas pour conclure\u00a0: sa part des points, ${v.share}, peut se situer n’importe où entre ${v.low} et ${v.high} (intervalle à 95\u00a0%).`;
    },
    votes: 'Votes',
    share: 'Points gagnés (intervalle à 95\u00a0%)',
    shareValue: (value, low, high) => `${value} (de ${low} à ${high})`,
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
      'chatgpt-replay': 'conversation ChatGPT rejouée',
    },
    stat: { state: 'état', firstToken: 'premier jeton', speed: 'jetons/s', tokens: 'jetons', load: 'chargement', memory: 'mémoire max.', rating: 'note', ms: 'ms', megabytes: 'Mo' },
    sources: 'Sources',
    page: (page) => `page ${page}`,
    noSources: 'Sources\u00a0: aucune citée',
    documents: (collections, only) =>
      `Réponses à partir de ${collections} ${plural('fr', collections) === 'one' ? 'collection' : 'collections'} de documents${only ? ', documents seulement' : ''}\u00a0: les passages de chaque prompt ont été cherchés une fois et donnés à chaque modèle.`,
    kind: { compare: 'côte à côte', batch: 'jeu de prompts', replay: 'rejeu ChatGPT' },
    state: { pending: 'en attente', generating: 'en cours', done: 'terminé', error: 'échec', interrupted: 'interrompu', stopped: 'arrêté' },
  },
};

/** A prompt category in the report's language (a user's own category as written). */
export function categoryName(strings: ReportStrings, category: string): string {
  return isShippedCategory(category) ? strings.categories[category] : category;
}
