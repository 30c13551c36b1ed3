/**
 * Generation speed predicted before download (model library). A short calibration in the engine
 * process measures one decode step on two synthetic models of known shape; a token then costs
 * about `overheadMs + bytes read per token / bytes read per ms`, and a catalog file's bytes read
 * per token are about its size (every weight is read once per token; the token embedding only one
 * row, which small models with tied embeddings read as their output matrix anyway). See
 * docs/performance.md#speeds-predicted-before-download.
 */
import { z } from 'zod';

/** One synthetic model's decode step, as measured. */
export const calibrationPointSchema = z.strictObject({
  /** Weights read for one token (every matrix but the token embedding). */
  bytesPerToken: z.number().positive(),
  /** Median of the measured steps, sampling included. */
  msPerToken: z.number().positive(),
});
export type CalibrationPoint = z.infer<typeof calibrationPointSchema>;

/** A token's cost on one device: fixed work per token, and the weights streamed through memory. */
export const speedLineSchema = z.strictObject({
  overheadMs: z.number().nonnegative(),
  /** Bytes of weights read per millisecond: the effective bandwidth (GB/s = bytesPerMs / 1e6). */
  bytesPerMs: z.number().positive(),
  threads: z.number().int().positive(),
  points: z.array(calibrationPointSchema).min(2),
});
export type SpeedLine = z.infer<typeof speedLineSchema>;

export const speedCalibrationSchema = z.strictObject({
  /** The machine it was measured on (hardwareFingerprint); another machine's calibration is not used. */
  fingerprint: z.string().min(1).max(200),
  measuredAt: z.iso.datetime(),
  /** Wall time of the calibration, writing the synthetic models included. */
  seconds: z.number().nonnegative(),
  cpu: speedLineSchema,
  /** Null on a machine without a GPU backend. */
  gpu: speedLineSchema.nullable(),
});
export type SpeedCalibration = z.infer<typeof speedCalibrationSchema>;

/** The machine's traits a calibration depends on: a change of CPU, memory, GPU or engine build asks for a new one. */
export function hardwareFingerprint(machine: {
  cpuModel: string;
  cpuCores: number;
  totalRamBytes: number;
  backend: string;
  engineBuild: string;
  gpuNames: readonly string[];
  totalVramBytes: number;
}): string {
  const gib = (bytes: number): number => Math.round(bytes / 2 ** 30);
  const backend = machine.engineBuild === 'prebuilt' ? machine.backend : `${machine.backend}+${machine.engineBuild}`;
  return [machine.cpuModel.trim(), machine.cpuCores, gib(machine.totalRamBytes), backend, machine.gpuNames.join('+'), gib(machine.totalVramBytes)].join('|').slice(0, 200);
}

/** The two calibration points' line: cost per byte from their difference, the rest fixed per token. */
export function fitSpeedLine(points: readonly CalibrationPoint[], threads: number): SpeedLine {
  const sorted = [...points].sort((a, b) => a.bytesPerToken - b.bytesPerToken);
  const small = sorted[0];
  const large = sorted.at(-1);
  if (small === undefined || large === undefined || large.bytesPerToken <= small.bytesPerToken) throw new Error('two calibration points of different sizes are needed');
  // A noisy run can make the larger model no slower: then its whole step counts as reading (no fixed part).
  if (large.msPerToken <= small.msPerToken) return { overheadMs: 0, bytesPerMs: large.bytesPerToken / large.msPerToken, threads, points: sorted };
  const msPerByte = (large.msPerToken - small.msPerToken) / (large.bytesPerToken - small.bytesPerToken);
  const overheadMs = Math.max(0, small.msPerToken - msPerByte * small.bytesPerToken);
  return { overheadMs, bytesPerMs: 1 / msPerByte, threads, points: sorted };
}

/**
 * Predicted tokens/s for a model that reads `bytesPerToken` per token, `gpuShare` of them (0 to 1)
 * on the GPU. Without a GPU line the whole model counts as on the CPU.
 */
export function predictTokensPerSecond(calibration: Pick<SpeedCalibration, 'cpu' | 'gpu'>, bytesPerToken: number, gpuShare = 0): number {
  const share = calibration.gpu === null ? 0 : Math.min(1, Math.max(0, gpuShare));
  const cpuBytes = bytesPerToken * (1 - share);
  const gpu = calibration.gpu;
  const ms = (share < 1 ? calibration.cpu.overheadMs + cpuBytes / calibration.cpu.bytesPerMs : 0) + (gpu !== null && share > 0 ? gpu.overheadMs + (bytesPerToken * share) / gpu.bytesPerMs : 0);
  return 1000 / ms;
}

/** How the prediction places a catalog file: on the GPU as the fit check found, or by its size against the free VRAM when not checked. */
export function predictedGpuShare(options: { backend: string; fit: { gpuLayers: number; totalLayers: number } | null; sizeBytes: number; freeVramBytes: number; marginBytes: number }): {
  share: number;
  basis: 'fit' | 'size' | 'cpu';
} {
  if (options.backend === 'cpu') return { share: 0, basis: 'cpu' };
  if (options.fit !== null && options.fit.totalLayers > 0) return { share: options.fit.gpuLayers / options.fit.totalLayers, basis: 'fit' };
  return { share: options.sizeBytes + options.marginBytes <= options.freeVramBytes ? 1 : 0, basis: 'size' };
}
