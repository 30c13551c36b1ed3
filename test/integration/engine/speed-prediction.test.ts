/**
 * The speed calibration on real node-llama-cpp through the engine's own class: it writes its two
 * synthetic models, times their decode steps, fits the line of shared/speed.ts and removes the
 * models; the line then predicts slower speeds for models that read more bytes per token. How
 * close the prediction comes to measured speeds is a benchmark figure, not a test's (it depends on
 * what else the machine runs): the `prediction` section of `npm run bench` measures it.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictTokensPerSecond } from '#shared/speed.ts';
import { bytesReadPerToken, type SyntheticShape } from '../../../electron/engine/process/calibration.ts';
import { Engine } from '../../../electron/engine/process/engine.ts';

const SHAPES: { name: string; shape: SyntheticShape; type: 'Q8_0' | 'Q4_0' }[] = [
  { name: 'SmolLM2-135M shape, Q8_0', shape: { nEmbd: 576, nLayer: 30, nHead: 9, nHeadKv: 3, nFf: 1536, nVocab: 49_152 }, type: 'Q8_0' },
  { name: 'Qwen2.5-0.5B shape, Q8_0', shape: { nEmbd: 896, nLayer: 24, nHead: 14, nHeadKv: 2, nFf: 4864, nVocab: 151_936 }, type: 'Q8_0' },
  { name: 'Qwen2.5-1.5B shape, Q4_0', shape: { nEmbd: 1536, nLayer: 28, nHead: 12, nHeadKv: 2, nFf: 8960, nVocab: 151_936 }, type: 'Q4_0' },
];

let dir: string;
let engine: Engine;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'enclave-speed-'));
  engine = new Engine(() => undefined, { cores: 1, threadOverride: 1, gpu: false });
  await engine.start();
});

afterAll(async () => {
  await engine?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('speed calibration', () => {
  it('measures a cost per token and a bandwidth on the CPU, removes its models, and predicts slower speeds for larger models', { timeout: 300_000 }, async () => {
    const calibration = await engine.calibrate(dir);
    expect(calibration.gpu).toBeNull();
    expect(calibration.cpu.threads).toBe(1);
    expect(calibration.cpu.overheadMs).toBeGreaterThanOrEqual(0);
    expect(calibration.cpu.bytesPerMs).toBeGreaterThan(0);
    expect(await readdir(dir)).toEqual([]);
    const predicted = SHAPES.map(({ shape, type }) => predictTokensPerSecond(calibration, bytesReadPerToken(shape, type)));
    for (const rate of predicted) expect(rate).toBeGreaterThan(0);
    expect(predicted[0]).toBeGreaterThan(predicted[1] ?? Infinity);
    expect(predicted[1]).toBeGreaterThan(predicted[2] ?? Infinity);
    console.log(
      `calibration: ${calibration.cpu.overheadMs.toFixed(2)} ms + bytes / ${(calibration.cpu.bytesPerMs / 1e6).toFixed(1)} GB/s at 1 thread; predicted ${SHAPES.map(({ name }, i) => `${name} ${predicted[i]?.toFixed(1)}`).join(', ')} tokens/s`,
    );
  });
});
