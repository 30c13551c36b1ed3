/**
 * The curated model catalog (seeds/catalog.json): open-weight chat models and their GGUF files on
 * Hugging Face. Sizes are approximate (written without network access); the download reads the
 * real size and sha256 from the server.
 */
import { z } from 'zod';
import { MODEL_KINDS } from './models.ts';

const HF_REPO = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;
const GGUF_FILE = /^[\w-][\w.-]*(\/[\w-][\w.-]*)*\.gguf$/;

export const catalogFileSchema = z.strictObject({
  /** Quantization label as the repository writes it: Q4_K_M, Q8_0... */
  quant: z.string().min(1).max(32),
  /** The file name in the repository; for a split model, its first part (…-00001-of-0000N.gguf). */
  file: z.string().regex(GGUF_FILE),
  /** Approximate size in bytes. */
  sizeBytes: z.number().int().positive(),
});
export type CatalogFile = z.infer<typeof catalogFileSchema>;

export const catalogEntrySchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/),
  name: z.string().min(1),
  family: z.string().min(1),
  /** What the model is for; absent: chat. The chat offers only chat models, the documents' embedding choice only embedding models. */
  kind: z.enum(MODEL_KINDS).optional(),
  /** The publisher's name alone, shown as is in every language: no words to translate around it. */
  publisher: z.string().regex(/^[^()]+$/),
  /** ISO 3166-1 alpha-2 country of the publisher. */
  country: z.string().regex(/^[A-Z]{2}$/),
  /** Parameter count in billions. */
  parametersB: z.number().positive(),
  license: z.strictObject({ name: z.string().min(1), url: z.url() }),
  contextLength: z.number().int().positive(),
  reasoning: z.boolean(),
  /** ISO 639-1 codes of the languages the publisher names. */
  languages: z.array(z.string().regex(/^[a-z]{2}$/)).min(1),
  /** How well it writes French, in a few words, in each language of the UI (it shows its own). */
  frenchNote: z.strictObject({ en: z.string().min(10), fr: z.string().min(10) }),
  /** Hugging Face repository holding the GGUF files. */
  repo: z.string().regex(HF_REPO),
  /** The quant to suggest when nothing else decides. */
  defaultQuant: z.string().min(1),
  files: z.array(catalogFileSchema).min(1),
  /** An embedding model's texts before a question and before a passage, as its model card asks (multilingual-e5: "query: ", "passage: "). */
  embeddingPrefixes: z.strictObject({ query: z.string().max(300), passage: z.string().max(300) }).optional(),
  /**
   * The catalog id of a smaller model of the same family and tokenizer, for speculative decoding:
   * it drafts tokens the model then checks (docs/performance.md#speculative-decoding).
   */
  draft: z.string().optional(),
  /** True where the repository or file names were written from memory and are worth a check (the UI says so). */
  unverified: z.boolean().optional(),
});
export type CatalogEntry = z.infer<typeof catalogEntrySchema>;

export const catalogSchema = z.strictObject({ version: z.literal(1), models: z.array(catalogEntrySchema).min(1) }).superRefine((catalog, context) => {
  const ids = new Set<string>();
  for (const [index, model] of catalog.models.entries()) {
    if (ids.has(model.id)) context.addIssue({ code: 'custom', path: ['models', index, 'id'], message: `duplicate id ${model.id}` });
    ids.add(model.id);
    if (!model.files.some((file) => file.quant === model.defaultQuant)) {
      context.addIssue({ code: 'custom', path: ['models', index, 'defaultQuant'], message: `no file for quant ${model.defaultQuant}` });
    }
    const problem = draftProblem(model, catalog.models);
    if (problem !== null) context.addIssue({ code: 'custom', path: ['models', index, 'draft'], message: problem });
  }
});
export type Catalog = z.infer<typeof catalogSchema>;

/** Why an entry's draft model cannot draft for it, or null when it can (or it names none). */
function draftProblem(model: CatalogEntry, models: readonly CatalogEntry[]): string | null {
  if (model.draft === undefined) return null;
  const draft = models.find((candidate) => candidate.id === model.draft);
  if (draft === undefined) return `draft ${model.draft} is not in the catalog`;
  if (draft.id === model.id) return 'a model cannot be its own draft';
  if (draft.family !== model.family) return `draft ${draft.id} is of another family (${draft.family})`;
  if ((draft.kind ?? 'chat') !== (model.kind ?? 'chat')) return `draft ${draft.id} is of another kind`;
  if (draft.parametersB >= model.parametersB) return `draft ${draft.id} is not smaller (${draft.parametersB}B against ${model.parametersB}B)`;
  return null;
}
