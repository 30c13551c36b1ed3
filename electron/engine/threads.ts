/**
 * The engine's thread count. node-llama-cpp's default (at least 4) is far too many on small
 * machines: measured on 2 cores, generation fell to under 2 tokens/s. Tiny models run fastest on
 * one thread because synchronising ggml's workers costs more than the matrix products they share.
 */
export const TINY_MODEL_PARAMETERS = 50_000_000;

export function parseThreadOverride(value: string | undefined): number | null {
  if (value === undefined || value.trim() === '') return null;
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= 1024 ? n : null;
}

export function chooseThreads(options: {
  cores: number;
  override: number | null;
  parameterCount: number | null;
}): number {
  if (options.override !== null) return options.override;
  if (options.parameterCount !== null && options.parameterCount < TINY_MODEL_PARAMETERS) return 1;
  return Math.max(1, options.cores);
}
