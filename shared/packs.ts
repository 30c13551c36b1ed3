/** Model packs (model library): models carried on a folder or a USB stick into a room without internet. */
import { z } from 'zod';
import { catalogEntrySchema } from './catalog.ts';
import type { ErrorPayload } from './errors.ts';
import type { ModelInfo } from './models.ts';

export const PACK_MANIFEST_NAME = 'enclave-pack.json';

/** A plain file name in the pack folder: no folder part, no way out of it. */
const packFileName = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\w.-]+\.gguf$/i)
  .refine((name) => !name.startsWith('.'), 'a plain file name');

export const packManifestSchema = z.strictObject({
  format: z.literal('enclave.model-pack'),
  version: z.literal(1),
  createdAt: z.string(),
  models: z
    .array(
      z.strictObject({
        /** The catalog entry when the model came from the catalog, so the pack describes itself. */
        catalogEntry: catalogEntrySchema.nullable(),
        quant: z.string().max(32).nullable(),
        files: z
          .array(z.strictObject({ fileName: packFileName, sha256: z.string().regex(/^[0-9a-f]{64}$/), sizeBytes: z.number().int().nonnegative() }))
          .min(1)
          .max(64),
      }),
    )
    .min(1)
    .max(200),
});
export type PackManifest = z.infer<typeof packManifestSchema>;

export interface PackJob {
  id: string;
  kind: 'export' | 'import';
  state: 'running' | 'done' | 'failed';
  folder: string;
  /** The file being copied and hashed. */
  file: string | null;
  doneBytes: number;
  totalBytes: number;
  /** Import: the models now listed; export: the models written. */
  models: ModelInfo[];
  /** Import: files whose sha256 did not match (deleted) or whose header was refused. */
  refused: { fileName: string; code: string; message: string }[];
  /** Import: models left out because a file of that name is already in the models folder. */
  skipped: string[];
  error: ErrorPayload | null;
}
