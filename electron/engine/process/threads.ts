/**
 * The engine's thread counts, one for evaluating prompts and one for generating tokens.
 * node-llama-cpp's default (at least 4) is far too many on small machines: measured on 2 cores,
 * generation fell to under 2 tokens/s.
 *
 * Prompts are matrix products over hundreds of tokens at once: every core that does math helps,
 * whatever the model (measured with `npm run bench` on 2 cores: a 1,000-token prompt took half
 * the time on 2 threads as on 1, from the 0.4M-parameter model to the 1B one). Those are the
 * physical cores, performance cores only on hybrid CPUs, which is llama.cpp's own default
 * (llama-bench's `-t`): hyperthread siblings and efficiency cores share a core's vector units and
 * slow the others down at every barrier.
 *
 * Generating is one token at a time, and node-llama-cpp's prebuilt binaries start ggml's workers
 * anew for every token: a fixed 2 to 4 ms each on this machine. A small model's token costs less
 * than that to compute, so it generates fastest on one thread (measured: the 0.4M model several
 * times faster on 1 than on 2, the 135M-class 10 to 20% faster); from the 0.5B class up, tokens
 * are dear enough for every math core to pay (20 to 40% faster on 2).
 */
export const DECODE_ALONE_BELOW_PARAMETERS = 300_000_000;

export interface ThreadChoice {
  prompt: number;
  decode: number;
}

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
  /** ENCLAVE_THREADS: both counts. */
  override: number | null;
  parameterCount: number | null;
  /** The loaded llama.cpp keeps a thread pool between tokens (built with OpenMP). */
  threadPool?: boolean;
}): ThreadChoice {
  if (options.override !== null) return { prompt: options.override, decode: options.override };
  const cores = Math.max(1, options.cores);
  const mathCores = options.mathCores ?? 0;
  const prompt = mathCores >= 1 ? Math.min(mathCores, cores) : cores;
  const small = options.threadPool !== true && options.parameterCount !== null && options.parameterCount < DECODE_ALONE_BELOW_PARAMETERS;
  return { prompt, decode: small ? 1 : prompt };
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
