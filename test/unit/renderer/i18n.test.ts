import { describe, expect, it } from 'vitest';
import type { StopReason } from '#shared/chat.ts';
import { ERROR_CODES } from '#shared/errors.ts';
import type { EngineState, GpuBackend } from '#shared/models.ts';
import en from '../../../renderer/src/i18n/en.json';
import fr from '../../../renderer/src/i18n/fr.json';
import { formatBytes, formatCompact, formatDuration, formatInteger, formatRate } from '../../../renderer/src/i18n/format.ts';
import { LANGUAGES, pickLanguage } from '../../../renderer/src/i18n/language.ts';
import { createI18n } from '../../../renderer/src/i18n/resources.ts';

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
}

const locales = { en: flatten(en), fr: flatten(fr) };
const NBSP = '\u00a0';
const NNBSP = '\u202f';

// Records keep these lists in step with the shared types: a new value fails to compile here.
const STOP_REASONS = Object.keys({
  eogToken: 0,
  maxTokens: 0,
  abort: 0,
  stopGenerationTrigger: 0,
  customStopTrigger: 0,
  functionCalls: 0,
} satisfies Record<StopReason, 0>);
const ENGINE_STATES = Object.keys({
  starting: 0,
  idle: 0,
  loading: 0,
  ready: 0,
  generating: 0,
  crashed: 0,
} satisfies Record<EngineState, 0>);
const BACKENDS = Object.keys({ cuda: 0, vulkan: 0, metal: 0, cpu: 0 } satisfies Record<GpuBackend, 0>);

describe('locale files', () => {
  it('en and fr have exactly the same keys', () => {
    expect([...locales.fr.keys()].sort()).toEqual([...locales.en.keys()].sort());
  });

  it('have no empty string', () => {
    for (const [language, strings] of Object.entries(locales)) {
      for (const [key, value] of strings) expect(value.trim(), `${language}: ${key}`).not.toBe('');
    }
  });

  it('use the same interpolation variables in both languages', () => {
    const vars = (s: string) => [...s.matchAll(/\{\{\s*(\w+)/g)].map((m) => m[1]).sort();
    for (const [key, value] of locales.en) expect(vars(locales.fr.get(key) ?? ''), key).toEqual(vars(value));
  });

  it.each(LANGUAGES)('%s translates every error code, stop reason, engine state and backend', (language) => {
    const strings = locales[language];
    const needed = [
      ...ERROR_CODES.map((code) => `errors.${code}`),
      ...STOP_REASONS.map((reason) => `stats.stopReason.${reason}`),
      ...ENGINE_STATES.map((state) => `engine.state.${state}`),
      ...BACKENDS.map((backend) => `engine.backend.${backend}`),
    ];
    for (const key of needed) expect(strings.has(key), key).toBe(true);
    // errors.* holds the codes and nothing else.
    const errorKeys = [...strings.keys()].filter((k) => k.startsWith('errors.')).map((k) => k.slice(7));
    expect(errorKeys.sort()).toEqual([...ERROR_CODES].sort());
  });

  it('French puts a no-break space before : ; ? ! and never a plain one', () => {
    for (const [key, value] of locales.fr) {
      expect(value, key).not.toMatch(/ [:;?!»]|« /);
      expect(value, key).not.toMatch(/\S[;?!]/u);
      expect(value, key).not.toMatch(/[^\s\d]:/u);
    }
    expect(locales.fr.get('engine.loaded')).toBe(`Chargé${NBSP}: {{name}}`);
    expect(locales.fr.get('errors.ENGINE_CRASHED')).toContain(`relancé${NBSP}:`);
    expect(locales.fr.get('errors.UNKNOWN_COMMAND')).toContain('L’application');
    expect(NNBSP).toHaveLength(1);
  });
});

describe('i18next output', () => {
  it('formats answer speed in the active language', () => {
    const t = (language: 'en' | 'fr') => createI18n(language).t;
    expect(t('fr')('stats.speed', { value: formatRate('fr', 12.5) })).toBe(`12,5${NBSP}jetons/s`);
    expect(t('en')('stats.speed', { value: formatRate('en', 12.5) })).toBe(`12.5${NBSP}tokens/s`);
    expect(t('fr')('errors.MODEL_NOT_FOUND')).toMatch(/^Ce modèle/);
    expect(t('en')('stats.tokens', { count: 1 })).toBe('1 token');
    expect(t('en')('stats.tokens', { count: 2 })).toBe('2 tokens');
    expect(t('fr')('stats.tokens', { count: 0 })).toBe(`0${NBSP}jeton`);
    expect(t('fr')('stats.tokens', { count: 1_000_000 })).toBe(`1${NNBSP}000${NNBSP}000${NBSP}jetons`);
  });

  it('counts with the language’s plural rules and digit grouping, from the count alone', () => {
    const t = (language: 'en' | 'fr') => createI18n(language).t;
    expect(t('fr')('compare.runSet', { count: 1 })).toBe(`Lancer le jeu (1${NBSP}réponse)`);
    expect(t('fr')('workshop.throughput', { count: 1, rate: formatRate('fr', 0) })).toBe(`dernière minute${NBSP}: 1${NBSP}réponse, 0,0${NBSP}jetons/s`);
    expect(t('en')('workshop.throughput', { count: 3, rate: formatRate('en', 12.5) })).toBe('last minute: 3 answers, 12.5 tokens/s');
    expect(t('fr')('modelFit.progress', { done: 12, total: 4096 })).toContain(`12 sur 4${NNBSP}096`);
    expect(t('en')('privacy.summaryAttempts', { count: 1234, allowed: 1, blocked: 1233 })).toBe('1,234 connection attempts (allowed: 1 · refused: 1,233)');
    // Interpolated values are not HTML-escaped: React escapes what it renders.
    expect(t('en')('engine.loaded', { name: 'a<b>&c' })).toBe('Loaded: a<b>&c');
  });
});

describe('formatting', () => {
  it('numbers follow the language', () => {
    expect(formatRate('fr', 12.5)).toBe('12,5');
    expect(formatRate('en', 143.26)).toBe('143');
    expect(formatInteger('fr', 32768)).toBe(`32${NNBSP}768`);
    expect(formatInteger('en', 32768)).toBe('32,768');
    expect(formatCompact('en', 7_600_000_000)).toBe('7.6B');
  });

  it('durations pick a sensible unit', () => {
    expect(formatDuration('en', 349.6)).toBe('350 ms');
    expect(formatDuration('fr', 1_450)).toMatch(/^1,5\s?s$/u);
    expect(formatDuration('en', 12_345)).toBe('12 sec');
    expect(formatDuration('en', 125_000)).toMatch(/^2 min 5 sec$/);
  });

  it('sizes use decimal units', () => {
    expect(formatBytes('en', 4_700_000_000)).toBe('4.7 GB');
    expect(formatBytes('fr', 4_700_000_000)).toMatch(/^4,7\s?Go$/u);
    expect(formatBytes('en', 640_000_000)).toBe('640 MB');
    expect(formatBytes('fr', 2_400)).toMatch(/^2\s?ko$/u);
    expect(formatBytes('fr', 512)).toBe('512\u00a0octets');
    expect(formatBytes('en', 1)).toBe('1 byte');
  });
});

describe('pickLanguage', () => {
  it('prefers the stored choice, then a French system, then English', () => {
    expect(pickLanguage('en', 'fr-FR')).toBe('en');
    expect(pickLanguage(null, 'fr-CA')).toBe('fr');
    expect(pickLanguage(null, 'FR')).toBe('fr');
    expect(pickLanguage('de', 'de-DE')).toBe('en');
    expect(pickLanguage(null, undefined)).toBe('en');
  });
});
