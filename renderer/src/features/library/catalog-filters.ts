import type { CatalogEntry } from '#shared/catalog.ts';
import { fitsBySize, isHostUnreachable, type CatalogFit, type HardwareInfo } from '#shared/hardware.ts';

export const SIZE_CLASSES = ['any', 'small', 'medium', 'large'] as const;
export type SizeClass = (typeof SIZE_CLASSES)[number];

export interface CatalogFilters {
  search: string;
  /** '' for every family. */
  family: string;
  size: SizeClass;
  /** '' for every language; otherwise an ISO 639-1 code. */
  language: string;
  reasoning: 'any' | 'yes' | 'no';
  /** Only models with a quant that fits this machine: by the check, or by file size where no model host could be reached. */
  fits: boolean;
}

export const NO_FILTERS: CatalogFilters = { search: '', family: '', size: 'any', language: '', reasoning: 'any', fits: false };

/** Under 2B parameters, 2 to 5B, over 5B. */
export function sizeClass(parametersB: number): Exclude<SizeClass, 'any'> {
  if (parametersB < 2) return 'small';
  if (parametersB <= 5) return 'medium';
  return 'large';
}

export function filterCatalog(models: readonly CatalogEntry[], filters: CatalogFilters, fits: Readonly<Record<string, CatalogFit>> = {}, hardware: HardwareInfo | null = null): CatalogEntry[] {
  const words = filters.search
    .toLowerCase()
    .split(/\s+/)
    .filter((word) => word !== '');
  return models.filter((model) => {
    const haystack = `${model.name} ${model.family} ${model.publisher} ${model.repo}`.toLowerCase();
    if (!words.every((word) => haystack.includes(word))) return false;
    if (filters.family !== '' && model.family !== filters.family) return false;
    if (filters.size !== 'any' && sizeClass(model.parametersB) !== filters.size) return false;
    if (filters.language !== '' && !model.languages.includes(filters.language)) return false;
    if (filters.reasoning !== 'any' && model.reasoning !== (filters.reasoning === 'yes')) return false;
    if (filters.fits && !fitsMachine(model, fits[model.id], hardware)) return false;
    return true;
  });
}

function fitsMachine(model: CatalogEntry, fit: CatalogFit | undefined, hardware: HardwareInfo | null): boolean {
  if (fit === undefined) return false;
  if (isHostUnreachable(fit)) return hardware !== null && model.files.some((file) => fitsBySize(file.sizeBytes, hardware));
  return fit.quants.some((quant) => quant.badge !== 'too-large');
}
