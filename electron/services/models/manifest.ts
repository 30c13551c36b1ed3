/**
 * `<model>.gguf.enclave.json` beside a model file: where it came from, the sha256 it must have,
 * and whether that was verified. A downloaded file is usable only once `verified` is true.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { z } from 'zod';

export const MANIFEST_SUFFIX = '.enclave.json';

export const modelManifestSchema = z.object({
  version: z.literal(1),
  source: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('huggingface'), repo: z.string(), file: z.string(), revision: z.string() }),
    /** `reference`: the models folder holds a link to the original file, not a copy. */
    z.object({ kind: z.literal('import'), originalPath: z.string(), reference: z.boolean().optional() }),
  ]),
  catalogId: z.string().nullable(),
  quant: z.string().nullable(),
  /** One per file: a single entry, or every part of a split model. */
  parts: z.array(
    z.object({
      fileName: z.string(),
      sha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .nullable(),
      sizeBytes: z.number().nullable(),
    }),
  ),
  verified: z.boolean(),
  /** What the download was doing when last written: a restart resumes 'downloading' jobs on its own. */
  download: z.enum(['downloading', 'paused', 'done']),
  addedAt: z.string(),
});
export type ModelManifest = z.infer<typeof modelManifestSchema>;

export function manifestPath(modelPath: string): string {
  return modelPath + MANIFEST_SUFFIX;
}

/** The manifest beside a model file; null when there is none or it cannot be read. */
export async function readManifest(modelPath: string): Promise<ModelManifest | null> {
  let text: string;
  try {
    text = await readFile(manifestPath(modelPath), 'utf8');
  } catch {
    return null;
  }
  try {
    return modelManifestSchema.parse(JSON.parse(text));
  } catch {
    return null;
  }
}

/** Written to a temporary file then renamed, so a crash never leaves half a manifest. */
export async function writeManifest(modelPath: string, manifest: ModelManifest): Promise<void> {
  const target = manifestPath(modelPath);
  const temporary = `${target}.tmp`;
  await writeFile(temporary, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(temporary, target);
}

export async function removeManifest(modelPath: string): Promise<void> {
  await rm(manifestPath(modelPath), { force: true });
}
