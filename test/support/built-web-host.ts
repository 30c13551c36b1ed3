/** The built web host (out/main/web.js, exactly what `npm run web` starts) in a process of its own. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnWebHost, type WebHostProcess } from './web-host-process.ts';

export const BUILT_WEB_ENTRY = join(import.meta.dirname, '..', '..', 'out', 'main', 'web.js');

export function startBuiltWebHost(dataDir: string, modelsDir: string, env: NodeJS.ProcessEnv = {}): Promise<WebHostProcess> {
  if (!existsSync(BUILT_WEB_ENTRY)) throw new Error(`${BUILT_WEB_ENTRY} is missing: run \`npm run build\` first`);
  return spawnWebHost([BUILT_WEB_ENTRY, '--port', '0'], { env: { ...process.env, ...env, ENCLAVE_DATA_DIR: dataDir, ENCLAVE_MODELS_DIR: modelsDir } });
}
