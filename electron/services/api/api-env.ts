/** `ENCLAVE_API_PORT=N` (or `npm run web -- --api-port N`) switches the local API on at that port, locked. */
import type { Settings } from '../../../shared/settings.ts';

export function parseApiPort(value: string): number | null {
  const port = Number(value);
  return /^\d+$/.test(value.trim()) && Number.isInteger(port) && port >= 1024 && port <= 65535 ? port : null;
}

export function apiSettingsFromEnv(env: NodeJS.ProcessEnv): Partial<Settings> {
  const raw = env.ENCLAVE_API_PORT?.trim();
  if (raw === undefined || raw === '') return {};
  const port = parseApiPort(raw);
  if (port === null) throw new Error(`ENCLAVE_API_PORT must be a port number from 1024 to 65535, got ${JSON.stringify(raw)}`);
  return { apiEnabled: true, apiPort: port };
}
