import { describe, expect, it } from 'vitest';
import { settingsPatchSchema } from '#shared/settings.ts';
import { fitSpeedLine, hardwareFingerprint, predictedGpuShare, predictTokensPerSecond, type SpeedCalibration } from '#shared/speed.ts';

const MB = 1e6;

describe('speed prediction', () => {
  it('fits the fixed cost and the bandwidth through two calibration points, and predicts a third size', () => {
    // 2 ms per token besides, 20 GB/s (20e6 bytes per ms).
    const cost = (bytes: number): number => 2 + bytes / 20e6;
    const line = fitSpeedLine(
      [
        { bytesPerToken: 400 * MB, msPerToken: cost(400 * MB) },
        { bytesPerToken: 100 * MB, msPerToken: cost(100 * MB) },
      ],
      2,
    );
    expect(line.overheadMs).toBeCloseTo(2, 6);
    expect(line.bytesPerMs).toBeCloseTo(20e6, 0);
    expect(line.points.map((point) => point.bytesPerToken)).toEqual([100 * MB, 400 * MB]);
    expect(predictTokensPerSecond({ cpu: line, gpu: null }, 1000 * MB)).toBeCloseTo(1000 / cost(1000 * MB), 6);
  });

  it('counts the whole step as reading when noise makes the larger model no slower', () => {
    const line = fitSpeedLine(
      [
        { bytesPerToken: 100 * MB, msPerToken: 10 },
        { bytesPerToken: 400 * MB, msPerToken: 9 },
      ],
      1,
    );
    expect(line.overheadMs).toBe(0);
    expect(line.bytesPerMs).toBeCloseTo((400 * MB) / 9, 0);
    expect(() => fitSpeedLine([{ bytesPerToken: MB, msPerToken: 1 }], 1)).toThrow();
  });

  it('splits a model between the GPU and the CPU lines by its share of layers', () => {
    const cpu = { overheadMs: 2, bytesPerMs: 10e6, threads: 2, points: [] };
    const gpu = { overheadMs: 1, bytesPerMs: 100e6, threads: 2, points: [] };
    const calibration: Pick<SpeedCalibration, 'cpu' | 'gpu'> = { cpu, gpu };
    expect(predictTokensPerSecond(calibration, 1000 * MB, 1)).toBeCloseTo(1000 / 11, 6);
    expect(predictTokensPerSecond(calibration, 1000 * MB, 0)).toBeCloseTo(1000 / 102, 6);
    expect(predictTokensPerSecond(calibration, 1000 * MB, 0.5)).toBeCloseTo(1000 / (2 + 50 + 1 + 5), 6);
    // No GPU line: the share is ignored.
    expect(predictTokensPerSecond({ cpu, gpu: null }, 1000 * MB, 1)).toBeCloseTo(1000 / 102, 6);
  });

  it('places a file on the GPU by the fit check, else by its size against the free VRAM', () => {
    const base = { sizeBytes: 4e9, freeVramBytes: 6e9, marginBytes: 512 * 2 ** 20 };
    expect(predictedGpuShare({ ...base, backend: 'cpu', fit: null })).toEqual({ share: 0, basis: 'cpu' });
    expect(predictedGpuShare({ ...base, backend: 'cuda', fit: { gpuLayers: 14, totalLayers: 28 } })).toEqual({ share: 0.5, basis: 'fit' });
    expect(predictedGpuShare({ ...base, backend: 'cuda', fit: null })).toEqual({ share: 1, basis: 'size' });
    expect(predictedGpuShare({ ...base, backend: 'cuda', fit: null, freeVramBytes: 4e9 })).toEqual({ share: 0, basis: 'size' });
  });

  it('fingerprints the machine by what decides its speed', () => {
    const machine = { cpuModel: 'AMD EPYC ', cpuCores: 2, totalRamBytes: 25.3 * 2 ** 30, backend: 'cpu', engineBuild: 'prebuilt', gpuNames: [], totalVramBytes: 0 };
    expect(hardwareFingerprint(machine)).toBe('AMD EPYC|2|25|cpu||0');
    // The engine built here by npm run engine:build generates at another speed: a new calibration.
    expect(hardwareFingerprint({ ...machine, engineBuild: 'local' })).toBe('AMD EPYC|2|25|cpu+local||0');
    expect(hardwareFingerprint({ ...machine, totalRamBytes: 25.1 * 2 ** 30 })).toBe(hardwareFingerprint(machine));
    expect(hardwareFingerprint({ ...machine, backend: 'cuda', gpuNames: ['H200'] })).not.toBe(hardwareFingerprint(machine));
  });

  it('is not a setting a client may change', () => {
    expect(settingsPatchSchema.safeParse({ speedCalibration: null }).success).toBe(false);
    expect(settingsPatchSchema.safeParse({ offline: true }).success).toBe(true);
  });
});
