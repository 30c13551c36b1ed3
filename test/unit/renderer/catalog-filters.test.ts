import { describe, expect, it } from 'vitest';
import type { CatalogEntry } from '#shared/catalog.ts';
import type { CatalogFit, HardwareInfo } from '#shared/hardware.ts';
import { CATALOG } from '../../../electron/services/models/catalog.ts';
import { filterCatalog, NO_FILTERS } from '../../../renderer/src/features/library/catalog-filters.ts';

const GB = 1e9;
const hardware: HardwareInfo = {
  backend: 'cpu',
  engineBuild: 'prebuilt',
  gpuNames: [],
  totalRamBytes: 25 * GB,
  freeRamBytes: 2 * GB,
  totalVramBytes: 0,
  freeVramBytes: 0,
  unifiedMemoryBytes: 0,
  cpuCores: 2,
};
const noNetwork = (model: CatalogEntry): CatalogFit => ({
  catalogId: model.id,
  quants: [],
  error: { code: 'NETWORK_UNREACHABLE', message: 'hf.invalid cannot be reached', details: { host: 'hf.invalid' } },
});

describe('the "fits this computer" filter', () => {
  it('with the check unable to read the models, keeps those whose smallest file fits in free memory, by the catalog’s sizes', () => {
    const fits = Object.fromEntries(CATALOG.map((model) => [model.id, noNetwork(model)]));
    const shown = filterCatalog(CATALOG, { ...NO_FILTERS, fits: true }, fits, hardware);
    const expected = CATALOG.filter((model) => Math.min(...model.files.map((file) => file.sizeBytes)) + 512 * 1024 * 1024 <= 2 * GB);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(CATALOG.length);
    expect(shown.map((model) => model.id)).toEqual(expected.map((model) => model.id));
  });

  it('keeps nothing it knows nothing about: no check yet, or no hardware to compare with', () => {
    expect(filterCatalog(CATALOG, { ...NO_FILTERS, fits: true }, {}, hardware)).toEqual([]);
    const fits = Object.fromEntries(CATALOG.map((model) => [model.id, noNetwork(model)]));
    expect(filterCatalog(CATALOG, { ...NO_FILTERS, fits: true }, fits, null)).toEqual([]);
  });
});
