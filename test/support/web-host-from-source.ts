/**
 * The web host run from source (Node strips the types), for tests that need it in a process of its
 * own without a build: `node [--import ...] test/support/web-host-from-source.ts --static-dir DIR`.
 * Same wiring as electron/host/web-main.ts, with the engine entry from source.
 */
import { parseArgs } from 'node:util';
import { nodeEngineSpawner } from '../../electron/engine/client/spawn-node.ts';
import { loadConfig } from '../../electron/host/config.ts';
import { Host } from '../../electron/host/host.ts';
import { startWebServer } from '../../electron/services/platform/web-server.ts';
import { openSettings } from '../../electron/services/settings/settings.ts';
import { DOCUMENTS_WORKER, ENGINE_ENTRY } from './test-host.ts';

const { values } = parseArgs({ options: { 'static-dir': { type: 'string' } } });
const config = loadConfig();
const host = new Host({
  kind: 'web',
  version: 'test',
  config,
  settings: openSettings(config.dataDir).backend,
  spawnEngine: nodeEngineSpawner(ENGINE_ENTRY),
  documentsWorker: DOCUMENTS_WORKER,
});
await host.start();
const server = await startWebServer({ host, port: 0, staticDir: values['static-dir'] ?? config.dataDir, dataDir: config.dataDir });
console.log(`Enclave web host: ${server.url}`);
process.on('SIGTERM', () => {
  void server
    .close()
    .then(() => host.dispose())
    .then(() => process.exit(0));
});
