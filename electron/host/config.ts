/** Where Enclave keeps its data, from the environment variables of DESIGN.md. */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface AppConfig {
  dataDir: string;
  modelsDir: string;
}

/** The OS's per-user data folder, as Electron's app.getPath('userData') would place it. */
export function defaultDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Enclave');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Enclave');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Enclave');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, fallbackDataDir: string = defaultDataDir()): AppConfig {
  const dataDir = resolve(nonEmpty(env.ENCLAVE_DATA_DIR) ?? fallbackDataDir);
  const modelsDir = resolve(nonEmpty(env.ENCLAVE_MODELS_DIR) ?? join(dataDir, 'models'));
  return { dataDir, modelsDir };
}

export function ensureDirectories(config: AppConfig): void {
  mkdirSync(config.dataDir, { recursive: true });
  mkdirSync(config.modelsDir, { recursive: true });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
