/**
 * Hardware fit: a real Host and engine process read catalog GGUF headers over HTTP ranges from a
 * fake Hugging Face server on 127.0.0.1 (through the egress gate), and node-llama-cpp scores them
 * against this machine's memory.
 */
import { readFile } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CatalogFit, HardwareInfo } from '#shared/hardware.ts';
import { CATALOG } from '../../../../electron/services/models/catalog.ts';
import { ModelFitService } from '../../../../electron/services/models/fit.ts';
import { ensureFixtureModels } from '../../../fixtures/gguf/index.ts';
import { startFakeHfServer, type FakeHfServer } from '../../../support/fake-hf-server.ts';
import { createTestHost, type TestHost } from '../../../support/test-host.ts';

let server: FakeHfServer;
let testHost: TestHost;
const [served, missing] = CATALOG;

beforeAll(async () => {
  server = await startFakeHfServer();
  const bytes = await readFile((await ensureFixtureModels()).scripted);
  for (const file of served?.files ?? []) server.serve(served?.repo ?? '', file.file, bytes);
  testHost = await createTestHost([], { ENCLAVE_HF_ENDPOINT: server.url });
}, 60_000);
afterAll(async () => {
  await testHost.dispose();
  await server.close();
});

async function call<T>(command: string, input: unknown): Promise<T> {
  const outcome = await testHost.host.call(command, input);
  if (!outcome.ok) throw new Error(`${outcome.error.code}: ${outcome.error.message}`);
  return outcome.result as T;
}

describe('hardware fit', () => {
  test('reports this machine: backend, RAM from the OS, VRAM from llama.cpp', async () => {
    const hardware = await call<HardwareInfo>('hardware.info', {});
    expect(hardware.totalRamBytes).toBe(totalmem());
    expect(hardware.freeRamBytes).toBeGreaterThan(0);
    expect(hardware.cpuCores).toBeGreaterThan(0);
    if (hardware.backend === 'cpu') {
      expect(hardware.totalVramBytes).toBe(0);
      expect(hardware.gpuNames).toEqual([]);
    }
  });

  test('scores every quant from its remote GGUF header, recommends one, and logs the header reads', async () => {
    if (served === undefined || missing === undefined) throw new Error('the catalog needs two models');
    const [fit, absent] = await call<CatalogFit[]>('catalog.fit', { catalogIds: [served.id, missing.id] });
    expect(fit?.error).toBeNull();
    expect(fit?.quants.map((quant) => quant.quant)).toEqual(served.files.map((file) => file.quant));
    const hardware = await call<HardwareInfo>('hardware.info', {});
    for (const quant of fit?.quants ?? []) {
      // The scripted fixture is tiny: it fits, on the GPU where there is one.
      expect(quant.badge).toBe(hardware.backend === 'cpu' ? 'cpu' : 'gpu');
      expect(quant.ramBytes + quant.vramBytes).toBeGreaterThan(0);
      expect(quant.totalLayers).toBeGreaterThan(0);
      expect(quant.contextSize).toBeGreaterThan(0);
    }
    expect(fit?.quants.filter((quant) => quant.recommended).map((quant) => quant.quant)).toEqual([served.defaultQuant]);
    // The second model's files are not on the server: its error is reported, the first still scored.
    expect(absent?.quants).toEqual([]);
    expect(absent?.error?.code).toBe('DOWNLOAD_FAILED');
    const log = await testHost.host.services.egress.entries();
    expect(log).toContainEqual(expect.objectContaining({ purpose: 'model-metadata', outcome: 'completed', detail: 'GGUF header' }));
    expect(log).toContainEqual(expect.objectContaining({ purpose: 'model-metadata', outcome: 'allowed', level: 'connection' }));
  });

  test('"check again" reads no header again but computes the fit again, from the engine', async () => {
    if (served === undefined) throw new Error('the catalog needs a model');
    const engine = testHost.host.services.engine;
    let estimates = 0;
    // The real engine process, counted: the fit depends on memory, which changes between checks.
    const counted = {
      hardware: () => engine.hardware(),
      estimateFit: (...args: Parameters<typeof engine.estimateFit>) => {
        estimates++;
        return engine.estimateFit(...args);
      },
    };
    const fit = new ModelFitService({ engine: counted, gate: testHost.host.services.egress, endpoint: () => server.url, catalog: CATALOG });
    const first = await fit.fit([served.id]);
    const requestsAfterFirst = server.requests.length;
    const second = await fit.fit([served.id]);
    expect(first[0]?.error).toBeNull();
    expect(second[0]?.quants.map((quant) => quant.badge)).toEqual(first[0]?.quants.map((quant) => quant.badge));
    expect(server.requests.length).toBe(requestsAfterFirst);
    expect(estimates).toBe(2 * served.files.length);
  });

  test('offline: refused, nothing reaches the server', async () => {
    if (missing === undefined) throw new Error('the catalog needs two models');
    await call('settings.update', { offline: true });
    const before = server.requests.length;
    const [fit] = await call<CatalogFit[]>('catalog.fit', { catalogIds: [missing.id] });
    await call('settings.update', { offline: false });
    expect(fit?.error?.code).toBe('OFFLINE');
    expect(server.requests.length).toBe(before);
  });

  test('no network (the model host’s name does not resolve): NETWORK_UNREACHABLE naming the host, not a failed download', async () => {
    if (served === undefined) throw new Error('the catalog needs a model');
    const unreachable = await createTestHost([], { ENCLAVE_HF_ENDPOINT: 'https://hf.invalid' });
    try {
      const outcome = await unreachable.host.call('catalog.fit', { catalogIds: [served.id] });
      if (!outcome.ok) throw new Error(outcome.error.message);
      const [fit] = outcome.result as CatalogFit[];
      expect(fit?.quants).toEqual([]);
      expect(fit?.error).toMatchObject({ code: 'NETWORK_UNREACHABLE', details: { host: 'hf.invalid' } });
    } finally {
      await unreachable.dispose();
    }
  }, 60_000);
});
