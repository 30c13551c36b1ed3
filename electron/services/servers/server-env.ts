/** `ENCLAVE_SERVERS=http://10.0.0.5:8080,http://gpu.local:8000`: servers added at start, shown locked. */
import { normalizeServerUrl } from '#shared/servers.ts';

export function serversFromEnv(env: NodeJS.ProcessEnv): string[] {
  const raw = env.ENCLAVE_SERVERS?.trim();
  if (raw === undefined || raw === '') return [];
  const urls = raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  return [
    ...new Set(
      urls.map((item) => {
        const url = normalizeServerUrl(item);
        if (url === null) throw new Error(`ENCLAVE_SERVERS must be comma-separated http:// or https:// base URLs, got ${JSON.stringify(item)}`);
        return url;
      }),
    ),
  ];
}
