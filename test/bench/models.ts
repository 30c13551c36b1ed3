/**
 * The benchmark's models, written with the project's GGUF writer and cached under
 * test/.fixtures/bench-models/ (the file name carries a hash of the shape, so a changed shape
 * writes a new file and reruns reuse the old one). Weights are pseudo-random: llama.cpp's compute
 * per token depends on the shapes and the quantization, not on the values.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeRandomLlamaModel, type RandomLlamaOptions } from '../fixtures/gguf/scripted.ts';

export const BENCH_MODELS_DIR = fileURLToPath(new URL('../.fixtures/bench-models/', import.meta.url));

export interface BenchModelSpec {
  id: string;
  /** What it stands for, for the report. */
  label: string;
  options: RandomLlamaOptions;
}

/**
 * Shapes of real models, untied output matrix (the writer always writes one): the compute per
 * token matches the real model's; the file is larger by one embedding matrix, which is only read
 * one row per token.
 */
const SMOLLM2_135M = { nEmbd: 576, nLayer: 30, nHead: 9, nHeadKv: 3, nFf: 1536, nVocab: 49_152 } as const;
const QWEN25_05B = { nEmbd: 896, nLayer: 24, nHead: 14, nHeadKv: 2, nFf: 4864, nVocab: 151_936 } as const;
const LLAMA32_1B = { nEmbd: 2048, nLayer: 16, nHead: 32, nHeadKv: 8, nFf: 8192, nVocab: 128_256 } as const;
/** stories260K's shape (llama2.c), rounded up so every row is a whole number of Q8_0 blocks. */
const TINY = { nEmbd: 64, nLayer: 5, nHead: 8, nHeadKv: 4, nFf: 192, nVocab: 512 } as const;

export const BENCH_MODEL_SPECS: readonly BenchModelSpec[] = [
  { id: 'tiny-q8_0', label: 'tiny (stories260K shape, 0.4M params) Q8_0', options: { ...TINY, type: 'Q8_0', seed: 2, name: 'Enclave Bench Tiny' } },
  { id: 'tiny-q4_0', label: 'tiny (stories260K shape, 0.4M params) Q4_0', options: { ...TINY, type: 'Q4_0', seed: 3, name: 'Enclave Bench Tiny Q4' } },
  { id: 'smollm135m-q8_0', label: 'small (SmolLM2-135M shape) Q8_0', options: { ...SMOLLM2_135M, type: 'Q8_0', seed: 2, name: 'Enclave Bench 135M' } },
  { id: 'qwen05b-q8_0', label: '0.5B class (Qwen2.5-0.5B shape) Q8_0', options: { ...QWEN25_05B, type: 'Q8_0', seed: 2, name: 'Enclave Bench 0.5B' } },
  { id: 'qwen05b-q4_0', label: '0.5B class (Qwen2.5-0.5B shape) Q4_0', options: { ...QWEN25_05B, type: 'Q4_0', seed: 3, name: 'Enclave Bench 0.5B' } },
  { id: 'llama1b-q8_0', label: '1B class (Llama-3.2-1B shape) Q8_0', options: { ...LLAMA32_1B, type: 'Q8_0', seed: 4, name: 'Enclave Bench 1B' } },
  { id: 'llama1b-q4_0', label: '1B class (Llama-3.2-1B shape) Q4_0', options: { ...LLAMA32_1B, type: 'Q4_0', seed: 5, name: 'Enclave Bench 1B' } },
];

/** Bumped when the writer's output for the same options changes in a way that matters. */
const FORMAT_VERSION = 1;

export function benchModelFile(spec: BenchModelSpec): string {
  const hash = createHash('sha256')
    .update(JSON.stringify({ v: FORMAT_VERSION, ...spec.options }))
    .digest('hex')
    .slice(0, 10);
  return `${spec.id}-${hash}.gguf`;
}

/** The model's path, written first if no cached file matches its shape. */
export async function ensureBenchModel(spec: BenchModelSpec, dir = BENCH_MODELS_DIR): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = benchModelFile(spec);
  const path = join(dir, file);
  if (existsSync(path)) return path;
  for (const stale of await readdir(dir)) {
    if (stale.startsWith(`${spec.id}-`) && stale !== file) await rm(join(dir, stale), { force: true });
  }
  const started = performance.now();
  const temporary = `${path}.${process.pid}.tmp`;
  await writeRandomLlamaModel(temporary, spec.options);
  await rename(temporary, path);
  console.log(`bench: wrote ${file} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return path;
}
