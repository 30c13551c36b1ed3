/** `ENCLAVE_API_PORT=N` (or `npm run web -- --api-port N`) switches the local API on at that port, locked. */
import { MAX_PORT, MIN_USER_PORT, parseUserPort } from '#shared/ports.ts';
import type { Settings } from '#shared/settings.ts';

export function apiSettingsFromEnv(env: NodeJS.ProcessEnv): Partial<Settings> {
  const raw = env.ENCLAVE_API_PORT?.trim();
  if (raw === undefined || raw === '') return {};
  const port = parseUserPort(raw);
  if (port === null) throw new Error(`ENCLAVE_API_PORT must be a port number from ${MIN_USER_PORT} to ${MAX_PORT}, got ${JSON.stringify(raw)}`);
  return { apiEnabled: true, apiPort: port };
}
