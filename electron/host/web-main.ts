/** `npm run web -- --port N`: the web host in plain Node, serving the built renderer. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeEngineSpawner } from '../engine/client/spawn-node.ts';
import { openSettings } from '../services/settings/settings.ts';
import { ensureDirectories, loadConfig } from './config.ts';
import { Host } from './host.ts';
import { parseWebArgs, WEB_USAGE } from './web-args.ts';
import { startWebServer } from '../services/platform/web-server.ts';

const args = parseWebArgs(process.argv.slice(2), process.env);
if (args.kind === 'help') {
  console.log(WEB_USAGE);
  process.exit(0);
}
if (args.kind === 'error') {
  console.error(`${args.message}\n\n${WEB_USAGE}`);
  process.exit(2);
}
const { port } = args;
if (args.apiPort !== undefined) process.env.ENCLAVE_API_PORT = args.apiPort;

// Built, this file is out/main/web.js beside engine.js, with the renderer in out/renderer.
const here = dirname(fileURLToPath(import.meta.url));
const { version } = JSON.parse(readFileSync(join(here, '..', '..', 'package.json'), 'utf8')) as { version: string };
const config = loadConfig();
ensureDirectories(config);
const settings = openSettings(config.dataDir);
if (settings.movedAside !== null) console.warn(`Enclave: the settings file was unreadable; it was kept as ${settings.movedAside} and defaults are in use`);
const staticDir = args.staticDir ?? join(here, '..', 'renderer');
const host = new Host({
  kind: 'web',
  version,
  config,
  settings: settings.backend,
  spawnEngine: nodeEngineSpawner(join(here, 'engine.js')),
  documentsWorker: join(here, 'extract-worker.js'),
  rendererDir: staticDir,
});
await host.start();
const server = await startWebServer({ host, port, staticDir, dataDir: config.dataDir });
console.log(`Enclave web host: ${server.url}`);
const api = host.shell.apiStatus();
if (api.url !== null) console.log(`Enclave local API: ${api.url}`);
else if (api.error !== null) console.error(`Enclave local API could not start: ${api.error.message}`);

let closing = false;
async function shutdown(): Promise<void> {
  if (closing) return;
  closing = true;
  await server.close();
  await host.dispose();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
