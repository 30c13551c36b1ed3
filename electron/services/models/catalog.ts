/** The curated catalog shipped in seeds/catalog.json, validated once at load. */
import catalogJson from '../../../seeds/catalog.json' with { type: 'json' };
import { catalogSchema, type CatalogEntry } from '#shared/catalog.ts';
import { EnclaveError } from '#shared/errors.ts';

export const CATALOG: readonly CatalogEntry[] = catalogSchema.parse(catalogJson).models;

/** Where a catalog model's quant lives on Hugging Face, or NOT_FOUND. */
export function catalogFile(catalogId: string, quant: string): { repo: string; file: string } {
  const entry = CATALOG.find((model) => model.id === catalogId);
  const file = entry?.files.find((candidate) => candidate.quant === quant);
  if (entry === undefined || file === undefined) throw new EnclaveError('NOT_FOUND', `no catalog model ${catalogId} with quant ${quant}`, { catalogId, quant });
  return { repo: entry.repo, file: file.file };
}
