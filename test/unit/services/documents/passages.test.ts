/** Passages, queries and citations: the pure rules of the documents feature. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { AnswerSource } from '#shared/chat.ts';
import { CHUNK_MAX_CHARS, chunkBlocks } from '../../../../electron/services/documents/chunk.ts';
import { htmlBlocks } from '../../../../electron/services/documents/extract.ts';
import { citedSources, isFollowUp } from '../../../../electron/services/documents/grounding.ts';
import { isRelevant, matchExpression, matchLevels, queryTerms } from '../../../../electron/services/documents/query.ts';
import { DocumentStore, titleOf } from '../../../../electron/services/documents/store.ts';
import { openDatabase } from '../../../../electron/services/platform/db/database.ts';

const source = (n: number): AnswerSource => ({ n, fileId: 'f', fileName: 'a.pdf', page: n, heading: '', passage: `passage ${n}` });

describe('citations', () => {
  test('only the numbers that point to a given passage are kept, each once, in order', () => {
    const sources = [source(1), source(2), source(3)];
    expect(citedSources('Oui [2]. Et [1, 3] ; voir [2][9] et [0].', sources).map((s) => s.n)).toEqual([1, 2, 3]);
    expect(citedSources('Sans citation.', sources)).toEqual([]);
    expect(citedSources('Voir [12].', sources)).toEqual([]);
  });
});

describe('follow-ups', () => {
  test('a question that starts as a continuation or names too little leans on the previous one; a new subject stands alone', () => {
    const followUp = (question: string) => isFollowUp(question, queryTerms(question));
    expect(followUp('Et par quel moyen doit-on le faire ?')).toBe(true);
    expect(followUp('Et pour le contrat de nettoyage des locaux ?')).toBe(true);
    expect(followUp('Combien ça coûte ?')).toBe(true);
    expect(followUp('Quelle est la couleur du logo de la marque ?')).toBe(false);
  });
});

describe('queries', () => {
  test('words folded, meaningless words dropped, each term a quoted prefix: no FTS operator survives', () => {
    expect(queryTerms('Quel est le PRÉAVIS de résiliation ?')).toEqual(['preavis', 'resiliation']);
    expect(matchExpression(queryTerms('factures NEAR("x") OR *'))).toBe('"factur"* OR "near"*');
    expect(matchExpression(queryTerms('le la les ?'))).toBeNull();
  });

  test('levels from all the terms down to half of them, then any, while the alternatives stay few', () => {
    expect(matchLevels(queryTerms('préavis'))).toEqual(['"preav"*']);
    expect(matchLevels(queryTerms('préavis contrat'))).toEqual(['"preav"* AND "contr"*', '"preav"* OR "contr"*']);
    expect(matchLevels(['aa', 'bb', 'cc'])).toEqual(['"aa"* AND "bb"* AND "cc"*', '("aa"* AND "bb"*) OR ("aa"* AND "cc"*) OR ("bb"* AND "cc"*)', '"aa"* OR "bb"* OR "cc"*']);
    // Eight terms: all of them, then the 8 ways to leave one out; the 28 ways to leave two out are too many.
    const eight = matchLevels(['aa', 'bb', 'cc', 'dd', 'ee', 'ff', 'gg', 'hh']);
    expect(eight.map((level) => level.split(' OR ').length)).toEqual([1, 8, 8]);
    expect(matchLevels([])).toEqual([]);
  });

  test('the store ranks passages holding more of the terms first, bm25 within, and fills from looser levels', () => {
    const dir = mkdtempSync(join(tmpdir(), 'enclave-search-'));
    const { db } = openDatabase(join(dir, 'conversations.db'));
    try {
      const store = new DocumentStore(db);
      const collection = store.create('Levels').id;
      const { file } = store.addFile(collection, { name: 'notes.txt', format: 'text', size: 0, jobId: 'job', path: null, mtime: null, pendingUpload: null });
      const texts = [
        'préavis préavis préavis préavis du contrat', // two terms, the best bm25 of them
        'préavis de résiliation du contrat de maintenance', // all three terms
        'résiliation', // one term
        'rien à voir',
      ];
      store.saveChunks(
        file.id,
        texts.map((text) => ({ page: null, heading: '', text })),
        null,
      );
      const found = (limit: number) => store.search([collection], queryTerms('préavis résiliation contrat'), limit).map((passage) => passage.text);
      expect(found(1)).toEqual([texts[1]]);
      expect(found(5)).toEqual([texts[1], texts[0], texts[2]]);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a passage is relevant when it holds at least half of the terms', () => {
    const terms = queryTerms('préavis résiliation contrat maintenance');
    expect(isRelevant(terms, 'La résiliation du contrat exige un préavis.')).toBe(true);
    expect(isRelevant(terms, 'Le contrat de nettoyage.')).toBe(false);
    expect(isRelevant([], 'anything')).toBe(false);
  });

  test("a file's name counts as words", () => {
    expect(titleOf('contrat-maintenance_2026.v2.pdf')).toBe('contrat maintenance 2026 v2');
  });
});

describe('passages', () => {
  test('follow headings and pages; a heading stays with the passages under it', () => {
    const chunks = chunkBlocks([
      { page: 1, level: 1, text: 'Contrat' },
      { page: 1, level: 2, text: 'Durée' },
      { page: 1, level: 0, text: 'Deux ans.' },
      { page: 2, level: 0, text: 'Suite sur la page deux.' },
      { page: 2, level: 2, text: 'Prix' },
      { page: 2, level: 0, text: '480 euros.' },
    ]);
    expect(chunks).toEqual([
      { page: 1, heading: 'Contrat › Durée', text: 'Deux ans.' },
      { page: 2, heading: 'Contrat › Durée', text: 'Suite sur la page deux.' },
      { page: 2, heading: 'Contrat › Prix', text: '480 euros.' },
    ]);
  });

  test('a long paragraph, or a run without spaces, is cut below the limit', () => {
    const long = 'Une phrase assez longue pour remplir. '.repeat(200);
    const run = 'x'.repeat(10_000);
    for (const chunk of chunkBlocks([
      { page: null, level: 0, text: long },
      { page: null, level: 0, text: run },
    ])) {
      expect(chunk.text.length).toBeLessThanOrEqual(CHUNK_MAX_CHARS);
    }
  });

  test('HTML: headings kept with their level; scripts, styles, images and link targets are not text', () => {
    const blocks = htmlBlocks('<h2>Titre</h2><p>Texte <a href="https://evil.example">lien</a><img src="x.png" alt="img"></p><script>alert(1)</script><style>p{}</style>');
    expect(blocks).toEqual([
      { page: null, level: 2, text: 'Titre' },
      { page: null, level: 0, text: 'Texte lien' },
    ]);
  });
});
