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
    { id: 'small', parametersB: 0.6 },
    { id: 'medium', parametersB: 3 },
    { id: 'big', parametersB: 8 },
  ];
  test('on the CPU: the largest model that stays quick enough to chat with', () => {
    expect(recommendModel(catalog, { small: fits('cpu'), medium: fits('cpu'), big: fits('cpu') })?.catalogId).toBe('medium');
  });
  test('a model wholly on the GPU beats a larger one partly on it', () => {
    expect(recommendModel(catalog, { small: fits('gpu'), medium: fits('gpu'), big: fits('partial-gpu') })?.catalogId).toBe('medium');
    expect(recommendModel(catalog, { small: fits('gpu'), medium: fits('gpu'), big: fits('gpu') })?.catalogId).toBe('big');
  });
  test('nothing when no fit is known or nothing fits', () => {
    expect(recommendModel(catalog, {})).toBeNull();
    expect(recommendModel(catalog, { big: { ...fits('too-large'), quants: [] } })).toBeNull();
  });
});
