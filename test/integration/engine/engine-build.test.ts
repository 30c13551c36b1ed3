/**
 * Which llama.cpp the engine loads (in this process, real node-llama-cpp): node-llama-cpp's
 * prebuilt binaries, or the build `npm run engine:build` made on this machine when its manifest is
 * there. A fresh clone (CI) has no local build, so there the engine must load the prebuilt binaries.
 */
import { afterEach, expect, test } from 'vitest';
import { Engine } from '../../../electron/engine/process/engine.ts';
import { readLocalEngineBuild } from '../../../electron/engine/local-build/manifest.ts';
import type { EngineToHost } from '../../../electron/engine/protocol.ts';
import { ensureFixtureModels, SCRIPTED_REPLY } from '../../fixtures/gguf/scripted.ts';

let engine: Engine | null = null;
afterEach(async () => {
  await engine?.dispose();
  engine = null;
});

async function startAndAnswer(engineBuild: 'auto' | 'prebuilt'): Promise<{ build: string; systemInfo: string; text: string }> {
  const sent: EngineToHost[] = [];
  engine = new Engine((message) => sent.push(message), { cores: 2, threadOverride: 1, gpu: false, engineBuild });
  const { build } = await engine.start();
  await engine.generate({ jobId: 'job', modelId: 'scripted', modelPath: (await ensureFixtureModels()).scripted, messages: [{ role: 'user', content: 'Hello?' }], sampling: {} });
  const done = sent.find((message) => message.type === 'done');
  return { build, systemInfo: engine.currentLlama?.systemInfo ?? '', text: done?.type === 'done' ? done.text : '' };
}

test('ENCLAVE_ENGINE_BUILD=prebuilt loads the prebuilt binaries, built without OpenMP', async () => {
  const started = await startAndAnswer('prebuilt');
  expect(started.build).toBe('prebuilt');
  expect(started.systemInfo).not.toContain('OPENMP = 1');
  expect(started.text).toBe(SCRIPTED_REPLY);
});

test('by default, loads the build made here when there is one, else the prebuilt binaries', async () => {
  const local = await readLocalEngineBuild();
  if (local === null) console.log('No engine built on this machine (npm run engine:build): the default must be the prebuilt binaries.');
  const started = await startAndAnswer('auto');
  expect(started.build).toBe(local === null ? 'prebuilt' : 'local');
  if (local !== null) expect(started.systemInfo).toContain('OPENMP = 1');
  expect(started.text).toBe(SCRIPTED_REPLY);
});
