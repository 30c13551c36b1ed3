/** The manifest a download keeps beside its file while it runs (see ../manifest.ts). */
import { writeManifest, type ModelManifest } from '../manifest.ts';
import { classifyFailure } from './retry.ts';

export interface ManifestOrigin {
  repo: string;
  file: string;
  catalogId: string | null;
  quant: string | null;
}

/** A fresh manifest: no digest known yet for any part. */
export function newManifest(origin: ManifestOrigin, parts: readonly string[]): ModelManifest {
  return {
    version: 1,
    source: { kind: 'huggingface', repo: origin.repo, file: origin.file, revision: 'main' },
    catalogId: origin.catalogId,
    quant: origin.quant,
    parts: parts.map((fileName) => ({ fileName, sha256: null, sizeBytes: null })),
    verified: false,
    download: 'downloading',
    addedAt: new Date().toISOString(),
  };
}

/** Writes the manifest; a failure becomes the contract's error (DISK_FULL for a full disk). */
export async function saveManifest(modelPath: string, manifest: ModelManifest): Promise<void> {
  try {
    await writeManifest(modelPath, manifest);
  } catch (error) {
    throw classifyFailure(error);
  }
}
