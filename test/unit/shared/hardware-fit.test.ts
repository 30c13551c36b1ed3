import { describe, expect, test } from 'vitest';
import { fitBadge, recommendedQuant, recommendModel, type FitBadge } from '#shared/hardware.ts';

describe('fit badge', () => {
  test.each([
    [{ compatibilityScore: 0, gpuLayers: 0, totalLayers: 29, backend: 'cuda' as const }, 'too-large'],
    [{ compatibilityScore: 0, gpuLayers: 0, totalLayers: 29, backend: 'cpu' as const }, 'too-large'],
    [{ compatibilityScore: 0.4, gpuLayers: 0, totalLayers: 29, backend: 'cpu' as const }, 'cpu'],
    [{ compatibilityScore: 0.4, gpuLayers: 0, totalLayers: 29, backend: 'vulkan' as const }, 'cpu'],
    [{ compatibilityScore: 0.7, gpuLayers: 12, totalLayers: 29, backend: 'vulkan' as const }, 'partial-gpu'],
    [{ compatibilityScore: 1, gpuLayers: 29, totalLayers: 29, backend: 'metal' as const }, 'gpu'],
  ])('%o → %s', (score, badge) => {
    expect(fitBadge(score)).toBe(badge);
  });
});

describe('recommended quant', () => {
  const fit = (quant: string, badge: FitBadge, bytes: number) => ({ quant, badge, ramBytes: bytes, vramBytes: 0 });
  test('the default quant when it gets the best badge', () => {
    expect(recommendedQuant([fit('Q4_K_M', 'cpu', 4), fit('Q8_0', 'cpu', 8)], 'Q4_K_M')).toBe('Q4_K_M');
  });
  test('a smaller quant that fits on the GPU beats the default partly on it', () => {
    expect(recommendedQuant([fit('Q3_K_M', 'gpu', 3), fit('Q4_K_M', 'partial-gpu', 4)], 'Q4_K_M')).toBe('Q3_K_M');
  });
  test('the largest among equals when the default is not one of them', () => {
    expect(recommendedQuant([fit('Q4_K_M', 'too-large', 4), fit('Q5_K_M', 'gpu', 5), fit('Q6_K', 'gpu', 6)], 'Q4_K_M')).toBe('Q6_K');
  });
  test('none when nothing fits', () => {
    expect(recommendedQuant([fit('Q4_K_M', 'too-large', 4)], 'Q4_K_M')).toBeNull();
  });
});

describe('recommended model', () => {
  const fits = (badge: FitBadge) => ({
    catalogId: '',
    error: null,
    quants: [{ catalogId: '', quant: 'Q4_K_M', badge, contextSize: 4096, gpuLayers: 0, totalLayers: 1, ramBytes: 1, vramBytes: 0, recommended: true }],
  });
  const catalog = [
    { id: 'small', parametersB: 0.6, languages: ['en', 'fr'] },
    { id: 'medium', parametersB: 3, languages: ['en', 'fr'] },
    { id: 'big', parametersB: 8, languages: ['en', 'fr'] },
  ];
  test('on the CPU: the largest model that stays quick enough to chat with', () => {
    expect(recommendModel(catalog, { small: fits('cpu'), medium: fits('cpu'), big: fits('cpu') }, 'en')?.catalogId).toBe('medium');
  });
  test('a model wholly on the GPU beats a larger one partly on it', () => {
    expect(recommendModel(catalog, { small: fits('gpu'), medium: fits('gpu'), big: fits('partial-gpu') }, 'en')?.catalogId).toBe('medium');
    expect(recommendModel(catalog, { small: fits('gpu'), medium: fits('gpu'), big: fits('gpu') }, 'en')?.catalogId).toBe('big');
  });
  test('one that speaks the user’s language first, then the largest; a tie goes to the catalog’s order', () => {
    const languages = [
      { id: 'english-4b', parametersB: 4, languages: ['en'] },
      { id: 'french-3b', parametersB: 3, languages: ['fr', 'en'] },
      { id: 'later-french-3b', parametersB: 3, languages: ['fr'] },
    ];
    const cpu = { 'english-4b': fits('cpu'), 'french-3b': fits('cpu'), 'later-french-3b': fits('cpu') };
    expect(recommendModel(languages, cpu, 'fr')?.catalogId).toBe('french-3b');
    expect(recommendModel(languages, cpu, 'fr-CA')?.catalogId).toBe('french-3b');
    expect(recommendModel(languages, cpu, 'en')?.catalogId).toBe('english-4b');
  });
  test('nothing when no fit is known or nothing fits', () => {
    expect(recommendModel(catalog, {}, 'en')).toBeNull();
    expect(recommendModel(catalog, { big: { ...fits('too-large'), quants: [] } }, 'en')).toBeNull();
  });
});
