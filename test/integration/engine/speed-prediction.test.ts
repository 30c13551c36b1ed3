/**
 * Speeds predicted before download, on real node-llama-cpp through the engine's own class: the
 * calibration (two synthetic models, their decode steps, the line of shared/speed.ts) predicts the
 * generation speed of three models of real shapes it never saw (SmolLM2-135M, Qwen2.5-0.5B,
 * Qwen2.5-1.5B, random weights), measured as users get it (the engine's answers, tokens/s from the
 * first token to the last). One thread, so the prediction and the measure see the same machine even
 * when other processes share its cores; the bound is generous (a factor of 2 either way): the
 * `prediction` section of `npm run bench` reports the error at the engine's own thread choice.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerationStats } from '#shared/chat.ts';
import { predictTokensPerSecond } from '#shared/speed.ts';
import { bytesReadPerToken, median, writeSyntheticModel, type SyntheticShape } from '../../../electron/engine/process/calibration.ts';
import { Engine } from '../../../electron/engine/process/engine.ts';
import type { EngineToHost } from '../../../electron/engine/protocol.ts';

const SHAPES: { name: string; shape: SyntheticShape; type: 'Q8_0' | 'Q4_0' }[] = [
  { name: 'SmolLM2-135M shape, Q8_0', shape: { nEmbd: 576, nLayer: 30, nHead: 9, nHeadKv: 3, nFf: 1536, nVocab: 49_152 }, type: 'Q8_0' },
  { name: 'Qwen2.5-0.5B shape, Q8_0', shape: { nEmbd: 896, nLayer: 24, nHead: 14, nHeadKv: 2, nFf: 4864, nVocab: 151_936 }, type: 'Q8_0' },
  { name: 'Qwen2.5-1.5B shape, Q4_0', shape: { nEmbd: 1536, nLayer: 28, nHead: 12, nHeadKv: 2, nFf: 8960, nVocab: 151_936 }, type: 'Q4_0' },
];
const ANSWERS = 3;
const ANSWER_TOKENS = 24;

let dir: string;
let engine: Engine;
const pending = new Map<string, { resolve: (stats: GenerationStats) => void; reject: (error: Error) => void }>();
let jobs = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'enclave-speed-'));
  engine = new Engine(
    (message: EngineToHost) => {
      if (!('jobId' in message)) return;
      if (message.type === 'done') pending.get(message.jobId)?.resolve(message.stats);
      if (message.type === 'error') pending.get(message.jobId)?.reject(new Error(`${message.error.code}: ${message.error.message}`));
    },
    { cores: 1, threadOverride: 1, gpu: false },
  );
  await engine.start();
});

afterAll(async () => {
  await engine?.dispose();
  await rm(dir, { recursive: true, force: true });
});

function answer(modelPath: string): Promise<GenerationStats> {
  const jobId = `speed-${jobs++}`;
  const outcome = new Promise<GenerationStats>((resolve, reject) => pending.set(jobId, { resolve, reject }));
  // A random model may end its answer early: its decode rate counts the tokens it wrote.
  void engine.generate({ jobId, modelId: 'speed', modelPath, messages: [{ role: 'user', content: 'Write a story.' }], sampling: { temperature: 0, maxTokens: ANSWER_TOKENS } });
  return outcome;
}

describe('speeds predicted before download', () => {
  it('predicts three models of real shapes within a factor of 2 of the speed the engine reaches', { timeout: 600_000 }, async () => {
    const calibration = await engine.calibrate(dir);
    expect(calibration.gpu).toBeNull();
    expect(calibration.cpu.threads).toBe(1);
    expect(calibration.cpu.bytesPerMs).toBeGreaterThan(0);
    const rows: string[] = [];
    for (const { name, shape, type } of SHAPES) {
      const path = join(dir, `${type}-${shape.nEmbd}.gguf`);
      await writeSyntheticModel(path, shape, type);
      const rates: number[] = [];
      await answer(path); // loads the model
      for (let run = 0; run < ANSWERS; run++) {
        const stats = await answer(path);
        if (stats.tokensPerSecond !== null) rates.push(stats.tokensPerSecond);
      }
      await engine.unload();
      await rm(path);
      const measured = median(rates);
      const predicted = predictTokensPerSecond(calibration, bytesReadPerToken(shape, type));
      rows.push(`${name}: predicted ${predicted.toFixed(1)}, measured ${measured.toFixed(1)} tokens/s (${((predicted / measured - 1) * 100).toFixed(0)}%)`);
      expect(rates.length, name).toBeGreaterThan(0);
      expect(predicted / measured, rows.at(-1)).toBeGreaterThan(0.5);
      expect(predicted / measured, rows.at(-1)).toBeLessThan(2);
    }
    console.log(`calibration: ${calibration.cpu.overheadMs.toFixed(2)} ms + ${(calibration.cpu.bytesPerMs / 1e6).toFixed(1)} GB/s at 1 thread\n${rows.join('\n')}`);
  });
});
