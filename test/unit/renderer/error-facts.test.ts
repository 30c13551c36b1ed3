import { describe, expect, it } from 'vitest';
import { errorFacts } from '../../../renderer/src/components/error-facts.ts';

describe('error facts', () => {
  it('shows a folder, sizes and a wait in the interface language, in a fixed order', () => {
    const details = { retryAfterMs: 12_000, freeBytes: 1_200_000_000, neededBytes: 4_700_000_000, folder: '/media/clé' };
    expect(errorFacts(details, 'fr').map((fact) => `${fact.label}=${fact.value}`)).toEqual(['folder=/media/clé', 'needed=4,7\u202fGo', 'free=1,2\u202fGo', 'retryAfter=12\u202fs']);
    expect(errorFacts(details, 'en').find((fact) => fact.label === 'needed')?.value).toBe('4.7 GB');
  });

  it('leaves out what is for developers, and values of the wrong type', () => {
    expect(errorFacts({ reason: 'json', issues: [{ path: ['x'] }], jobId: 'j1', folder: 42, neededBytes: 'a lot' }, 'fr')).toEqual([]);
    expect(errorFacts(undefined, 'fr')).toEqual([]);
  });
});
