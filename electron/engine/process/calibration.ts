/**
 * Speed calibration (model library, docs/performance.md#speeds-predicted-before-download): what
 * decides generation speed here, measured in the engine process on two synthetic llama models of
 * known shape written for it (random weights: llama.cpp's work per token depends on the shapes and
 * the quantization, not on the values). Both have the same layers, so the same fixed work per
 * token; they differ in width, so in the weights read per token. Their decode steps give the line
 * of shared/speed.ts (fixed ms per token, bytes read per ms), which predicts any model's speed from
 * the bytes it reads per token. The files are deleted afterwards.
 */
import { randomFillSync } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Llama, Token } from 'node-llama-cpp';
import { fitSpeedLine, type SpeedLine } from '#shared/speed.ts';
import { float32ToFloat16Bits, tensorByteSize, writeGguf, type GgmlTensorType, type GgufMetadataEntry, type GgufTensorSpec } from './gguf-writer.ts';

export interface SyntheticShape {
  nEmbd: number;
  nLayer: number;
  nHead: number;
  nHeadKv: number;
  nFf: number;
  nVocab: number;
}

/**
 * 24 layers and a 32k vocabulary, as small chat models have; about 100 MB and 380 MB read per token
 * in Q8_0: the larger one far beyond any CPU cache, so its steps stream from memory.
 */
export const CALIBRATION_SHAPES: readonly SyntheticShape[] = [
  { nEmbd: 512, nLayer: 24, nHead: 8, nHeadKv: 8, nFf: 1536, nVocab: 32_000 },
  { nEmbd: 1024, nLayer: 24, nHead: 16, nHeadKv: 8, nFf: 3072, nVocab: 32_000 },
];
export const CALIBRATION_TYPE = 'Q8_0';
/** Decode steps measured per model after WARM_UP_STEPS (the median counts). */
const STEPS = 24;
const WARM_UP_STEPS = 4;
const ROUNDS = 3;

/** GPT-2's bytes_to_unicode: the 256 byte tokens of a byte-level BPE vocabulary (printable bytes as themselves, the rest from U+0100). */
export const BYTE_LEVEL_TOKENS: readonly string[] = (() => {
  const table: string[] = [];
  let next = 256;
  for (let byte = 0; byte < 256; byte++) {
    const printable = (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
    table.push(String.fromCodePoint(printable ? byte : next++));
  }
  return table;
})();

const FILE_TYPE_IDS: Record<GgmlTensorType, number> = { F32: 0, F16: 1, Q4_0: 2, Q8_0: 7 };
const END_OF_TEXT = '<|endoftext|>';

interface TensorShape {
  name: string;
  dims: [number, number] | [number];
  /** Read once per token (every matrix but the token embedding, of which one row is read). */
  readPerToken: boolean;
}

function tensorShapes(shape: SyntheticShape): TensorShape[] {
  const { nEmbd, nFf, nVocab } = shape;
  const nEmbdKv = (nEmbd / shape.nHead) * shape.nHeadKv;
  const tensors: TensorShape[] = [
    { name: 'token_embd.weight', dims: [nEmbd, nVocab], readPerToken: false },
    { name: 'output_norm.weight', dims: [nEmbd], readPerToken: true },
    { name: 'output.weight', dims: [nEmbd, nVocab], readPerToken: true },
  ];
  for (let layer = 0; layer < shape.nLayer; layer++) {
    const blk = `blk.${layer}`;
    tensors.push(
      { name: `${blk}.attn_norm.weight`, dims: [nEmbd], readPerToken: true },
      { name: `${blk}.attn_q.weight`, dims: [nEmbd, nEmbd], readPerToken: true },
      { name: `${blk}.attn_k.weight`, dims: [nEmbd, nEmbdKv], readPerToken: true },
      { name: `${blk}.attn_v.weight`, dims: [nEmbd, nEmbdKv], readPerToken: true },
      { name: `${blk}.attn_output.weight`, dims: [nEmbd, nEmbd], readPerToken: true },
      { name: `${blk}.ffn_norm.weight`, dims: [nEmbd], readPerToken: true },
      { name: `${blk}.ffn_gate.weight`, dims: [nEmbd, nFf], readPerToken: true },
      { name: `${blk}.ffn_down.weight`, dims: [nFf, nEmbd], readPerToken: true },
      { name: `${blk}.ffn_up.weight`, dims: [nEmbd, nFf], readPerToken: true },
    );
  }
  return tensors;
}

function tensorType(tensor: TensorShape, type: GgmlTensorType): GgmlTensorType {
  return tensor.dims.length === 1 ? 'F32' : type;
}

/** Bytes of weights a decode step reads: every tensor once, but one row of the token embedding. */
export function bytesReadPerToken(shape: SyntheticShape, type: GgmlTensorType): number {
  return tensorShapes(shape).reduce((sum, tensor) => sum + (tensor.readPerToken ? tensorByteSize(tensor.dims, tensorType(tensor, type)) : 0), 0);
}

/**
 * A repeating run of random quantized blocks (about 1 MiB) whose values are uniform with variance
 * 1/ne0, as a trained layer's roughly are, so activations stay finite through the layers.
 */
function blockPattern(type: 'Q8_0' | 'Q4_0', ne0: number): Uint8Array {
  const blockBytes = type === 'Q8_0' ? 34 : 18;
  const blocks = Math.floor((1 << 20) / blockBytes);
  const pattern = randomFillSync(new Uint8Array(blocks * blockBytes));
  // Q8_0: d·q with q in -127..127; Q4_0: d·(q - 8) with q in 0..15.
  const scale = float32ToFloat16Bits(Math.sqrt(3 / ne0) / (type === 'Q8_0' ? 127 : 8));
  for (let block = 0; block < blocks; block++) {
    pattern[block * blockBytes] = scale & 0xff;
    pattern[block * blockBytes + 1] = scale >> 8;
    // -128 is outside Q8_0's range.
    if (type === 'Q8_0') for (let i = 2; i < blockBytes; i++) if (pattern[block * blockBytes + i] === 0x80) pattern[block * blockBytes + i] = 0x7f;
  }
  return pattern;
}

function* repeated(pattern: Uint8Array, size: number): Generator<Uint8Array> {
  for (let done = 0; done < size; done += pattern.length) yield pattern.subarray(0, Math.min(pattern.length, size - done));
}

/**
 * Writes a llama model of this shape with random weights (quantized blocks written as bytes, so
 * hundreds of megabytes take about a second) and a byte-level vocabulary of filler tokens.
 */
export async function writeSyntheticModel(path: string, shape: SyntheticShape, type: 'Q8_0' | 'Q4_0'): Promise<void> {
  const patterns = new Map<number, Uint8Array>();
  const tensors: GgufTensorSpec[] = tensorShapes(shape).map((tensor) => {
    const [ne0, ne1 = 1] = tensor.dims;
    if (tensor.dims.length === 1) return { name: tensor.name, dims: tensor.dims, type: 'F32', data: new Float32Array(ne0).fill(1) };
    const pattern = patterns.get(ne0) ?? blockPattern(type, ne0);
    patterns.set(ne0, pattern);
    return { name: tensor.name, dims: [ne0, ne1], type, data: () => repeated(pattern, tensorByteSize([ne0, ne1], type)) };
  });
  const fillers = Array.from({ length: shape.nVocab - BYTE_LEVEL_TOKENS.length - 1 }, (_, i) => `<filler_${i}>`);
  const tokens = [...BYTE_LEVEL_TOKENS, END_OF_TEXT, ...fillers];
  const endOfText = BYTE_LEVEL_TOKENS.length;
  const metadata: GgufMetadataEntry[] = [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: 'Enclave speed calibration' }],
    ['general.file_type', { type: 'u32', value: FILE_TYPE_IDS[type] }],
    ['llama.vocab_size', { type: 'u32', value: shape.nVocab }],
    ['llama.context_length', { type: 'u32', value: 4096 }],
    ['llama.embedding_length', { type: 'u32', value: shape.nEmbd }],
    ['llama.block_count', { type: 'u32', value: shape.nLayer }],
    ['llama.feed_forward_length', { type: 'u32', value: shape.nFf }],
    ['llama.attention.head_count', { type: 'u32', value: shape.nHead }],
    ['llama.attention.head_count_kv', { type: 'u32', value: shape.nHeadKv }],
    ['llama.rope.dimension_count', { type: 'u32', value: shape.nEmbd / shape.nHead }],
    ['llama.rope.freq_base', { type: 'f32', value: 10000 }],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'f32', value: 1e-5 }],
    ['tokenizer.ggml.model', { type: 'string', value: 'gpt2' }],
    ['tokenizer.ggml.pre', { type: 'string', value: 'qwen2' }],
    ['tokenizer.ggml.tokens', { type: 'array', itemType: 'string', value: tokens }],
    ['tokenizer.ggml.token_type', { type: 'array', itemType: 'i32', value: tokens.map((_, id) => (id === endOfText ? 3 : 1)) }],
    ['tokenizer.ggml.merges', { type: 'array', itemType: 'string', value: [] }],
    ['tokenizer.ggml.bos_token_id', { type: 'u32', value: endOfText }],
    ['tokenizer.ggml.eos_token_id', { type: 'u32', value: endOfText }],
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: false }],
  ];
  await writeGguf(path, { metadata, tensors });
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

export interface Decoder {
  /** Median milliseconds per generated token over `steps` steps (greedy sampling included, as in an answer). */
  stepMs(steps?: number): Promise<number>;
  close(): Promise<void>;
}

/** A model loaded for timing decode steps, on the GPU when `gpu` and on the CPU otherwise. */
export async function openDecoder(llama: Llama, modelPath: string, options: { threads: number; gpu: boolean }): Promise<Decoder> {
  const model = await llama.loadModel({ modelPath, gpuLayers: options.gpu ? 'max' : 0 });
  const context = await model.createContext({ contextSize: 512, batchSize: 64, threads: options.threads });
  const sequence = context.getSequence();
  return {
    async stepMs(steps = STEPS) {
      await sequence.clearHistory();
      const times: number[] = [];
      let last = performance.now();
      let generated = 0;
      // A short prompt of byte tokens; the answer goes on with whatever the weights pick (end of text included).
      for await (const token of sequence.evaluate([72, 101, 108, 108, 111] as Token[], { temperature: 0, yieldEogToken: true })) {
        void token;
        const now = performance.now();
        if (generated >= WARM_UP_STEPS) times.push(now - last);
        last = now;
        generated++;
        if (generated >= WARM_UP_STEPS + steps) break;
      }
      return median(times);
    },
    async close() {
      await context.dispose();
      await model.dispose();
    },
  };
}

export interface CalibrationRun {
  cpu: SpeedLine;
  gpu: SpeedLine | null;
}

/**
 * Writes the two synthetic models into `dir`, times their decode steps on the CPU at `threads`
 * (and on the GPU when llama.cpp has one), ROUNDS rounds taking turns so that a busy moment of the
 * machine falls on both, and deletes them.
 */
export async function calibrate(llama: Llama, options: { dir: string; threads: number }): Promise<CalibrationRun> {
  await mkdir(options.dir, { recursive: true });
  const models = CALIBRATION_SHAPES.map((shape, index) => ({ path: join(options.dir, `calibration-${index}-${process.pid}.gguf`), bytesPerToken: bytesReadPerToken(shape, CALIBRATION_TYPE), shape }));
  try {
    for (const model of models) await writeSyntheticModel(model.path, model.shape, CALIBRATION_TYPE);
    const line = async (gpu: boolean): Promise<SpeedLine> => {
      const decoders = await Promise.all(models.map((model) => openDecoder(llama, model.path, { threads: options.threads, gpu })));
      try {
        const rounds: number[][] = decoders.map(() => []);
        for (let round = 0; round < ROUNDS; round++) {
          for (const [index, decoder] of decoders.entries()) rounds[index]?.push(await decoder.stepMs());
        }
        return fitSpeedLine(
          models.map((model, index) => ({ bytesPerToken: model.bytesPerToken, msPerToken: median(rounds[index] ?? []) })),
          options.threads,
        );
      } finally {
        for (const decoder of decoders) await decoder.close();
      }
    };
    const cpu = await line(false);
    const gpu = llama.gpu === false ? null : await line(true);
    return { cpu, gpu };
  } finally {
    for (const model of models) await rm(model.path, { force: true });
  }
}
