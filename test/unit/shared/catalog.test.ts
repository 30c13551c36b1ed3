import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { catalogSchema, type CatalogEntry } from '#shared/catalog.ts';

const raw: unknown = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'seeds', 'catalog.json'), 'utf8'));

describe('seeds/catalog.json', () => {
  test('matches the schema', () => {
    const result = catalogSchema.safeParse(raw);
    expect(result.error?.issues ?? []).toEqual([]);
  });

  test('holds every model the product promises', () => {
    const ids = catalogSchema.parse(raw).models.map((model) => model.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'qwen3-0.6b',
        'qwen3-1.7b',
        'qwen3-4b',
        'qwen3-8b',
        'qwen2.5-0.5b-instruct',
        'qwen2.5-1.5b-instruct',
        'qwen2.5-3b-instruct',
        'qwen2.5-7b-instruct',
        'deepseek-r1-distill-qwen-1.5b',
        'deepseek-r1-distill-qwen-7b',
        'llama-3.2-1b-instruct',
        'llama-3.2-3b-instruct',
        'mistral-7b-instruct-v0.3',
        'gemma-3-1b-it',
        'gemma-3-4b-it',
        'phi-4-mini-instruct',
        'smollm3-3b',
      ]),
    );
  });

  test('offers multilingual embedding models, each with its kind', () => {
    const models = catalogSchema.parse(raw).models;
    const kinds = Object.fromEntries(models.map((model) => [model.id, model.kind ?? 'chat']));
    expect(kinds).toMatchObject({ 'qwen3-embedding-0.6b': 'embedding', 'bge-m3': 'embedding', 'multilingual-e5-large': 'embedding', 'qwen3-4b': 'chat' });
    for (const model of models.filter((candidate) => candidate.kind === 'embedding' || candidate.kind === 'reranking')) expect(model.unverified, model.id).toBe(true);
  });

  test('every model has a French note in English and in French, and a license link', () => {
    for (const model of catalogSchema.parse(raw).models) {
      expect(model.frenchNote.en, model.id).not.toBe(model.frenchNote.fr);
      expect(model.license.url, model.id).toMatch(/^https:\/\//);
    }
  });
});

describe('catalogSchema', () => {
  const model = catalogSchema.parse(raw).models[0];

  test('refuses duplicate ids', () => {
    expect(catalogSchema.safeParse({ version: 1, models: [model, model] }).success).toBe(false);
  });

  test('refuses a default quant without a file', () => {
    expect(catalogSchema.safeParse({ version: 1, models: [{ ...model, defaultQuant: 'Q2_K' }] }).success).toBe(false);
  });

  test('refuses a file that is not GGUF or a path that climbs out', () => {
    for (const file of ['model.bin', '../escape.gguf', '/abs.gguf']) {
      const bad = { ...model, files: [{ quant: model?.defaultQuant, file, sizeBytes: 1 }] };
      expect(catalogSchema.safeParse({ version: 1, models: [bad] }).success, file).toBe(false);
    }
  });
});

describe('draft models (speculative decoding)', () => {
  const models = catalogSchema.parse(raw).models;
  const byId = (id: string): CatalogEntry => {
    const entry = models.find((candidate) => candidate.id === id);
    if (entry === undefined) throw new Error(`no catalog model ${id}`);
    return entry;
  };
  const issues = (entries: readonly CatalogEntry[]): string[] => catalogSchema.safeParse({ version: 1, models: entries }).error?.issues.map((issue) => issue.message) ?? [];

  test('pairs each larger model with the smallest of its family', () => {
    const drafts = Object.fromEntries(models.filter((entry) => entry.draft !== undefined).map((entry) => [entry.id, entry.draft]));
    expect(drafts).toEqual({
      'qwen3-1.7b': 'qwen3-0.6b',
      'qwen3-4b': 'qwen3-0.6b',
      'qwen3-8b': 'qwen3-0.6b',
      'qwen2.5-1.5b-instruct': 'qwen2.5-0.5b-instruct',
      'qwen2.5-3b-instruct': 'qwen2.5-0.5b-instruct',
      'qwen2.5-7b-instruct': 'qwen2.5-0.5b-instruct',
      'llama-3.2-3b-instruct': 'llama-3.2-1b-instruct',
      'gemma-3-4b-it': 'gemma-3-1b-it',
      'deepseek-r1-distill-qwen-7b': 'deepseek-r1-distill-qwen-1.5b',
    });
  });

  test('accepts a smaller model of the same family', () => {
    expect(issues([byId('qwen3-0.6b'), { ...byId('qwen3-8b'), draft: 'qwen3-0.6b' }])).toEqual([]);
  });

  test('refuses a draft that is not in the catalog', () => {
    expect(issues([byId('qwen3-0.6b'), { ...byId('qwen3-8b'), draft: 'qwen3-0.1b' }])).toEqual(['draft qwen3-0.1b is not in the catalog']);
  });

  test('refuses a model as its own draft', () => {
    expect(issues([{ ...byId('qwen3-8b'), draft: 'qwen3-8b' }])).toEqual(['a model cannot be its own draft']);
  });

  test('refuses a draft that is not smaller', () => {
    expect(issues([byId('qwen3-0.6b'), { ...byId('qwen3-4b'), draft: 'qwen3-8b' }, byId('qwen3-8b')])).toEqual(['draft qwen3-8b is not smaller (8B against 4B)']);
    expect(issues([byId('qwen3-0.6b'), { ...byId('qwen3-4b'), id: 'qwen3-4b-twin' }, { ...byId('qwen3-4b'), draft: 'qwen3-4b-twin' }])).toEqual(['draft qwen3-4b-twin is not smaller (4B against 4B)']);
  });

  test('refuses a draft of another family', () => {
    expect(issues([byId('qwen2.5-0.5b-instruct'), { ...byId('qwen3-8b'), draft: 'qwen2.5-0.5b-instruct' }])).toEqual(['draft qwen2.5-0.5b-instruct is of another family (Qwen2.5)']);
  });
});

describe('the French note', () => {
  const model = catalogSchema.parse(raw).models[0];

  test('is refused without its French text, or as a bare string', () => {
    expect(catalogSchema.safeParse({ version: 1, models: [{ ...model, frenchNote: { en: 'Good French for its size.' } }] }).success).toBe(false);
    expect(catalogSchema.safeParse({ version: 1, models: [{ ...model, frenchNote: 'Good French for its size.' }] }).success).toBe(false);
  });
});
