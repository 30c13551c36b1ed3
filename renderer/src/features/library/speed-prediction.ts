/** A catalog file's predicted speed on this machine, from its speed calibration (shared/speed.ts). */
import type { CatalogFile } from '#shared/catalog.ts';
import { MODEL_MEMORY_MARGIN_BYTES, type HardwareInfo, type ModelFit } from '#shared/hardware.ts';
import { predictedGpuShare, predictTokensPerSecond, type SpeedCalibration } from '#shared/speed.ts';

export interface SpeedPrediction {
  tokensPerSecond: number;
  /** Share of the weights on the GPU, and what decided it: the fit check, the file's size against free VRAM, or no GPU. */
  gpuShare: number;
  basis: 'fit' | 'size' | 'cpu';
}

export function predictFileSpeed(
  speed: SpeedCalibration | null,
  hardware: HardwareInfo | null,
  file: Pick<CatalogFile, 'sizeBytes'>,
  fit: Pick<ModelFit, 'gpuLayers' | 'totalLayers'> | undefined,
): SpeedPrediction | null {
  if (speed === null || hardware === null) return null;
  // A GPU found but not calibrated (a calibration from before it was usable) counts as none.
  const backend = speed.gpu === null ? 'cpu' : hardware.backend;
  const { share, basis } = predictedGpuShare({ backend, fit: fit ?? null, sizeBytes: file.sizeBytes, freeVramBytes: hardware.freeVramBytes, marginBytes: MODEL_MEMORY_MARGIN_BYTES });
  // Every weight is read once per token: the file's size stands for the bytes read.
  return { tokensPerSecond: predictTokensPerSecond(speed, file.sizeBytes, share), gpuShare: share, basis };
}

/** "9", "0.6", "143": whole tokens/s from 10 up, one decimal below. */
export function roundRate(rate: number): number {
  return rate >= 10 ? Math.round(rate) : Math.round(rate * 10) / 10;
}
