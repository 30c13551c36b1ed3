/**
 * The engine's thread count. node-llama-cpp's default (at least 4) is far too many on small
 * machines: measured on 2 cores, generation fell to under 2 tokens/s. Tiny models run fastest on
 * one thread because synchronising ggml's workers costs more than the matrix products they share
 * (the prebuilt binaries start ggml's workers anew for every token). Larger models run fastest on
 * the cores that do math: physical cores, performance cores only on hybrid CPUs, which is
 * llama.cpp's own default (llama-bench's `-t`); hyperthread siblings and efficiency cores share a
 * core's vector units and slow the others down at every barrier.
 *
 * Measured with `npm run bench` on 2 cores: the 0.4M-parameter model generated several times
 * faster on 1 thread than on 2; the 135M-, 0.5B- and 1B-class models were fastest on 2.
 */
export const TINY_MODEL_PARAMETERS = 50_000_000;

export function parseThreadOverride(value: string | undefined): number | null {
  if (value === undefined || value.trim() === '') return null;
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= 1024 ? n : null;
}

export function chooseThreads(options: {
  /** Logical CPUs available to the process (os.availableParallelism()). */
  cores: number;
  /** llama.cpp's count of cores useful for math (node-llama-cpp's llama.cpuMathCores); null or 0 when unknown. */
  mathCores?: number | null;
  override: number | null;
  parameterCount: number | null;
}): number {
  if (options.override !== null) return options.override;
  if (options.parameterCount !== null && options.parameterCount < TINY_MODEL_PARAMETERS) return 1;
  const cores = Math.max(1, options.cores);
  const mathCores = options.mathCores ?? 0;
  return mathCores >= 1 ? Math.min(mathCores, cores) : cores;
}

/**
 * Prompt tokens per llama.cpp batch (node-llama-cpp's batchSize, which is also llama.cpp's
 * n_ubatch). Measured with `npm run bench` on 2 cores, 1,000-token prompts, 0.5B-class Q8_0 and
 * Q4_0: 128, 256 and 512 evaluated equally fast (within 2%), 64 and 1024 slower. llama.cpp's
 * compute buffer grows with it (batch × vocabulary × 4 bytes of logits: 300 MB at 512 for a 152k
 * vocabulary), so 256 keeps the speed and halves that memory against node-llama-cpp's 512.
 */
export const PROMPT_BATCH_SIZE = 256;

export function chooseBatchSize(contextSize: number): number {
  return Math.max(1, Math.min(PROMPT_BATCH_SIZE, contextSize));
}
