/** `npm run web -- --port N`: the web host in plain Node, serving the built renderer. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MAX_PORT, MIN_USER_PORT, parseUserPort } from '#shared/ports.ts';
import { nodeEngineSpawner } from '../engine/client/spawn-node.ts';
import { openSettings } from '../services/settings/settings.ts';
import { ensureDirectories, loadConfig } from './config.ts';
import { Host } from './host.ts';
import { startWebServer } from '../services/platform/web-server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.ENCLAVE_WEB_PORT ?? '5170' },
    'static-dir': { type: 'string' },
    /** Local API: serve the OpenAI-compatible API on 127.0.0.1 at this port (as ENCLAVE_API_PORT). */
    'api-port': { type: 'string', default: process.env.ENCLAVE_API_PORT },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number, got ${values.port}`);
  process.exit(2);
}

if (values['api-port'] !== undefined && values['api-port'] !== '') {
  if (parseUserPort(values['api-port']) === null) {
    console.error(`--api-port must be a port number from ${MIN_USER_PORT} to ${MAX_PORT}, got ${values['api-port']}`);
    process.exit(2);
  }
  process.env.ENCLAVE_API_PORT = values['api-port'];
}

// Built, this file is out/main/web.js beside engine.js, with the renderer in out/renderer.
const here = dirname(fileURLToPath(import.meta.url));
const { version } = JSON.parse(readFileSync(join(here, '..', '..', 'package.json'), 'utf8')) as { version: string };
const config = loadConfig();
ensureDirectories(config);
const settings = openSettings(config.dataDir);
if (settings.movedAside !== null) console.warn(`Enclave: the settings file was unreadable; it was kept as ${settings.movedAside} and defaults are in use`);
const staticDir = values['static-dir'] ?? join(here, '..', 'renderer');
const host = new Host({
  kind: 'web',
  version,
  config,
  settings: settings.backend,
  spawnEngine: nodeEngineSpawner(join(here, 'engine.js')),
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
