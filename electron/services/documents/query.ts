/**
 * A question as a full-text query: its words, accents and case folded, without the French and
 * English words that carry no meaning for retrieval; each word as a prefix ("factures" finds
 * "facture", "préavis" finds "preavis"); searched by levels, from passages holding all of them to
 * passages holding any (`matchLevels`), ranked by bm25 within a level.
 */

const STOPWORDS = new Set(
  // French
  (
    'a au aux avec ce ces cette cet c ca d dans de des du elle elles en et est etait etre eu il ils j je l la le les leur leurs lui m ma mais me meme mes moi mon n ne ni nos notre nous on ou par pas pour qu que quel quelle quelles quels qui s sa sans se ses si son sont sur ta te tes toi ton tu un une vos votre vous y ' +
    'combien comment quand quoi dont ete avons avez ont fait faut peut doit sera quelle quel lors entre chez apres avant plus moins tres tout tous toute toutes aussi alors donc ' +
    // English
    'the an and or of to in on at for by with from is are was were be been being it its this that these those what which who whom how when where why do does did has have had can could should would will shall may might must not no our your their my we you they he she his her them us there here about into than then'
  ).split(/\s+/),
);

/** Folded like the index folds (unicode61, remove_diacritics 2): lower case, no accents. */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

/** The words of a query that retrieval uses, folded, each once. */
export function queryTerms(query: string): string[] {
  const words = fold(query).match(/[\p{L}\p{N}]+/gu) ?? [];
  const terms = words.filter((word) => word.length > 1 && !STOPWORDS.has(word));
  return [...new Set(terms)];
}

/** A prefix long enough to stay precise, short enough to reach plurals and close forms. */
export function stem(term: string): string {
  if (/^\p{N}+$/u.test(term) || term.length <= 4) return term;
  return term.slice(0, Math.max(4, term.length - 2));
}

/** An FTS5 expression: any of the terms, each as a quoted prefix (no operator from the user survives quoting). */
export function matchExpression(terms: readonly string[]): string | null {
  if (terms.length === 0) return null;
  return [...new Set(terms.map(stem))].map((term) => `"${term}"*`).join(' OR ');
}

/** Conjunctions an expression may hold: past this, a level of `matchLevels` costs more than it saves. */
const MAX_CONJUNCTIONS = 20;

/**
 * FTS5 expressions from strict to loose: passages holding all the terms, then all but one, and so
 * on down to half of them (while the alternatives stay few), then any of them (`matchExpression`).
 * Every term appears equally often in a level, so bm25 orders a level's passages as it orders them
 * in the last one.
 */
export function matchLevels(terms: readonly string[]): string[] {
  const prefixes = [...new Set(terms.map(stem))].map((term) => `"${term}"*`);
  if (prefixes.length === 0) return [];
  const levels: string[] = [];
  for (let required = prefixes.length; required >= Math.max(2, Math.ceil(prefixes.length / 2)); required--) {
    const groups = combinations(prefixes, required);
    if (groups.length > MAX_CONJUNCTIONS) break;
    levels.push(groups.map((group) => (groups.length === 1 ? group.join(' AND ') : `(${group.join(' AND ')})`)).join(' OR '));
  }
  return [...levels, prefixes.join(' OR ')];
}

function combinations<T>(items: readonly T[], size: number): T[][] {
  if (size === 0) return [[]];
  const [first, ...rest] = items;
  if (first === undefined || items.length < size) return [];
  return [...combinations(rest, size - 1).map((group) => [first, ...group]), ...combinations(rest, size)];
}

/** How many of the terms a passage contains (as prefixes of its words). */
export function termsFound(terms: readonly string[], passage: string): number {
  const words = new Set(fold(passage).match(/[\p{L}\p{N}]+/gu) ?? []);
  let found = 0;
  for (const term of terms) {
    const prefix = stem(term);
    for (const word of words) {
      if (word.startsWith(prefix)) {
        found++;
        break;
      }
    }
  }
  return found;
}

/**
 * Relevant enough to answer from: the passage contains at least half of the question's terms
 * (a passage that shares one common word with a long question is not an answer).
 */
export function isRelevant(terms: readonly string[], passage: string): boolean {
  if (terms.length === 0) return false;
  return termsFound(terms, passage) >= Math.max(1, Math.ceil(terms.length / 2));
}
