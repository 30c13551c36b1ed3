import { describe, expect, test } from 'vitest';
import { countryName, frenchNote, languageName } from '../../../renderer/src/features/library/catalog-text.ts';

describe('catalog entries in the UI language', () => {
  test('language and country codes become names in that language', () => {
    expect(languageName('en', 'fr')).toBe('French');
    expect(languageName('fr', 'fr')).toBe('français');
    expect(languageName('fr', 'zh')).toBe('chinois');
    expect(countryName('en', 'CN')).toBe('China');
    expect(countryName('fr', 'US')).toBe('États-Unis');
  });

  test('a code Intl does not know stays as it is', () => {
    expect(languageName('en', 'qq')).toBe('qq');
  });

  test('the French note follows the UI language', () => {
    const entry = { frenchNote: { en: 'Good French for its size.', fr: 'Bon français pour sa taille.' } };
    expect(frenchNote(entry, 'fr')).toBe('Bon français pour sa taille.');
    expect(frenchNote(entry, 'fr-CA')).toBe('Bon français pour sa taille.');
    expect(frenchNote(entry, 'en-US')).toBe('Good French for its size.');
  });
});
