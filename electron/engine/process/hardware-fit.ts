/**
 * Engine side of the hardware fit (model library): this machine's memory as llama.cpp
 * sees it, and node-llama-cpp's own estimate of what a model needs, from a GGUF header the host
 * read over HTTP ranges (through the egress gate).
 */
import { freemem, totalmem, availableParallelism } from 'node:os';
import { GgufInsights, type GgufFileInfo, type Llama } from 'node-llama-cpp';
import type { HardwareInfo } from '#shared/hardware.ts';
import type { FitEstimate } from '../protocol.ts';
import { engineBuildOf } from './llama-build.ts';

export async function readHardware(llama: Llama): Promise<HardwareInfo> {
  const vram = await llama.getVramState();
  return {
    backend: llama.gpu === false ? 'cpu' : llama.gpu,
    engineBuild: engineBuildOf(llama),
    gpuNames: llama.gpu === false ? [] : await llama.getGpuDeviceNames(),
    totalRamBytes: totalmem(),
    freeRamBytes: freemem(),
    totalVramBytes: vram.total,
    freeVramBytes: vram.free,
    unifiedMemoryBytes: vram.unifiedSize,
    cpuCores: availableParallelism(),
  };
}

export async function estimateFit(llama: Llama, info: GgufFileInfo, targetContextSize: number): Promise<FitEstimate> {
  const insights = await GgufInsights.from(info, llama);
  const contextSize = Math.min(targetContextSize, insights.trainContextSize ?? targetContextSize);
  const { compatibilityScore, resolvedValues } = await insights.configurationResolver.resolveAndScoreConfig({ targetContextSize: contextSize });
  return {
    compatibilityScore,
    gpuLayers: resolvedValues.gpuLayers,
    totalLayers: insights.totalLayers,
    contextSize: resolvedValues.contextSize,
    ramBytes: resolvedValues.totalRamUsage,
    vramBytes: resolvedValues.totalVramUsage,
  };
}
