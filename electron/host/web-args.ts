/** The web host's command line: `node out/main/web.js [--port N] [--api-port N] [--static-dir DIR]`. */
import { parseArgs } from 'node:util';
import { MAX_PORT, MIN_USER_PORT, parseUserPort } from '#shared/ports.ts';

export const WEB_USAGE = `Usage: node out/main/web.js [options]   (npm run web -- [options])

Serves Enclave to a browser on this computer, at http://127.0.0.1:PORT.

Options:
  --port N          the port of the web page (default 5170, or ENCLAVE_WEB_PORT; 0 picks a free one)
  --api-port N      also serve the OpenAI-compatible local API on 127.0.0.1:N (${MIN_USER_PORT}-${MAX_PORT}, or ENCLAVE_API_PORT)
  --static-dir DIR  serve the renderer from DIR instead of the built one
  -h, --help        print this help

Environment: ENCLAVE_DATA_DIR, ENCLAVE_MODELS_DIR, ENCLAVE_OFFLINE=1, ENCLAVE_HF_ENDPOINT.`;

export type WebArgs = { kind: 'help' } | { kind: 'error'; message: string } | { kind: 'run'; port: number; staticDir: string | undefined; apiPort: string | undefined };

export function parseWebArgs(args: readonly string[], env: NodeJS.ProcessEnv): WebArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        port: { type: 'string', default: env.ENCLAVE_WEB_PORT ?? '5170' },
        'static-dir': { type: 'string' },
        'api-port': { type: 'string', default: env.ENCLAVE_API_PORT },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return { kind: 'error', message: error instanceof Error ? error.message : String(error) };
  }
  if (values.help === true) return { kind: 'help' };
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return { kind: 'error', message: `--port must be a port number, got ${values.port}` };
  const apiPort = values['api-port'] === '' ? undefined : values['api-port'];
  if (apiPort !== undefined && parseUserPort(apiPort) === null) return { kind: 'error', message: `--api-port must be a port number from ${MIN_USER_PORT} to ${MAX_PORT}, got ${apiPort}` };
  return { kind: 'run', port, staticDir: values['static-dir'], apiPort };
}
