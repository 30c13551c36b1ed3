/** A real Host (real engine process, real models folder) in a temporary data folder. */
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { EventName, EventPayloads, HostEvent } from '#shared/contract.ts';
import { nodeEngineSpawner } from '../../electron/engine/client/spawn-node.ts';
import { Host, type HostOptions } from '../../electron/host/host.ts';
import { openSettings } from '../../electron/services/settings/settings.ts';

/** The engine entry run from source: Node 22.18+/24 strips its types. */
export const ENGINE_ENTRY = join(import.meta.dirname, '..', '..', 'electron', 'engine', 'process', 'engine-main.ts');
/** The documents' extraction worker, run from source the same way. */
export const DOCUMENTS_WORKER = join(import.meta.dirname, '..', '..', 'electron', 'services', 'documents', 'extract-worker.ts');

export interface TestHost {
  host: Host;
  dataDir: string;
  modelsDir: string;
  events: HostEvent[];
  /** Resolves with the first event of this name whose payload matches. */
  waitFor<E extends EventName>(event: E, match?: (payload: EventPayloads[E]) => boolean, timeoutMs?: number): Promise<EventPayloads[E]>;
  dispose(): Promise<void>;
}

export async function createTestHost(modelFiles: readonly string[] = [], env: NodeJS.ProcessEnv = {}, hostOptions: Pick<HostOptions, 'rendererDir' | 'showItemInFolder'> = {}): Promise<TestHost> {
  const dataDir = await mkdtemp(join(tmpdir(), 'enclave-test-'));
  const modelsDir = join(dataDir, 'models');
  await mkdir(modelsDir, { recursive: true });
  for (const file of modelFiles) await copyFile(file, join(modelsDir, basename(file)));
  const host = new Host({
    kind: 'web',
    version: 'test',
    config: { dataDir, modelsDir },
    spawnEngine: nodeEngineSpawner(ENGINE_ENTRY),
    documentsWorker: DOCUMENTS_WORKER,
    settings: openSettings(dataDir).backend,
    env,
    ...hostOptions,
  });
  const events: HostEvent[] = [];
  const waiters = new Set<(event: HostEvent) => void>();
  host.onEvent((event) => {
    events.push(event);
    for (const waiter of waiters) waiter(event);
  });
  await host.start();
  return {
    host,
    dataDir,
    modelsDir,
    events,
    waitFor(name, match = () => true, timeoutMs = 30_000) {
      type Payload = EventPayloads[typeof name];
      const seen = events.find((event) => event.event === name && match(event.payload as Payload));
      if (seen !== undefined) return Promise.resolve(seen.payload as Payload);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no ${name} event within ${timeoutMs} ms`));
        }, timeoutMs);
        const waiter = (event: HostEvent): void => {
          if (event.event !== name || !match(event.payload as Payload)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(event.payload as Payload);
        };
        waiters.add(waiter);
      });
    },
    async dispose() {
      await host.dispose();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
