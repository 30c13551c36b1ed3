/** Conventions of GGUF files shared by the library, downloads, packs, deletion and the hardware fit. */

/** Tokenizer arrays: megabytes of header that neither the library nor the memory estimate needs. */
export const HEADER_IGNORED_KEYS = ['tokenizer.ggml.tokens', 'tokenizer.ggml.scores', 'tokenizer.ggml.token_type', 'tokenizer.ggml.merges'];

const SPLIT_NAME = /^(.*)-(\d+)-of-(\d+)\.gguf$/i;

/** "m-00001-of-00003.gguf" → its three part names; any other name stands alone. Works on paths too. */
export function splitPartNames(fileName: string): string[] {
  const match = SPLIT_NAME.exec(fileName);
  if (match === null) return [fileName];
  const [, prefix = '', , total = ''] = match;
  return Array.from({ length: Number(total) }, (_, index) => `${prefix}-${String(index + 1).padStart(total.length, '0')}-of-${total}.gguf`);
}

/** The second and later parts of a split model: they are loaded through the first. */
export function isLaterSplitPart(fileName: string): boolean {
  const part = SPLIT_NAME.exec(fileName)?.[2];
  return part !== undefined && Number(part) > 1;
}
