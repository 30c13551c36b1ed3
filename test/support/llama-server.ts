/**
 * A real llama.cpp `llama-server`, built by .ci/build-llama-server.sh into a per-machine cache
 * keyed by the release tag of the llama.cpp source node-llama-cpp carries, started on 127.0.0.1
 * with a fixture model. Tests that need it skip, saying why, when the binary is absent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './loopback.ts';

const ROOT = join(import.meta.dirname, '..', '..');

export function llamaCppTag(): string {
  const info = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'node-llama-cpp', 'llama', 'llama.cpp.info.json'), 'utf8')) as { tag: string };
  return info.tag;
}

export function llamaServerBinary(): string {
  const cache = process.env.ENCLAVE_LLAMA_CACHE ?? join(homedir(), '.cache', 'enclave-llama');
  return join(cache, `src-${llamaCppTag()}`, 'build', 'bin', 'llama-server');
}

/** Null when llama-server can run here; otherwise why the tests that need it skip. */
export function llamaServerMissing(): string | null {
  const binary = llamaServerBinary();
  return existsSync(binary) ? null : `llama-server is not built (${binary}): run .ci/build-llama-server.sh`;
}

export interface LlamaServerOptions {
  model: string;
  apiKey?: string;
  /** Answers at once (llama-server's slots). */
  parallel?: number;
  /** Threads (1 unless said: the tests' small models want no more). */
  threads?: number;
  /** Context for all slots together (2048 unless said). */
  contextSize?: number;
  /** A Jinja chat template to use instead of the model's own. */
  chatTemplateFile?: string;
  /** PEM files: llama-server then speaks only https. */
  tls?: { keyFile: string; certFile: string };
  /**
   * false: resolve once its HTTP server is up and the model starts loading (it answers 503
   * "Loading model" until loaded), not once the model is loaded.
   */
  waitForModel?: boolean;
}

export interface LlamaServer {
  /** The base URL (http://127.0.0.1:port or https://127.0.0.1:port). */
  url: string;
  port: number;
  child: ChildProcess;
  /** SIGKILL, like a crash. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export async function startLlamaServer(options: LlamaServerOptions): Promise<LlamaServer> {
  const port = await freePort();
  const args = [
    '-m',
    options.model,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '-t',
    String(options.threads ?? 1),
    '-c',
    String(options.contextSize ?? 2048),
    '-np',
    String(options.parallel ?? 1),
    '--no-webui',
  ];
  if (options.apiKey !== undefined) args.push('--api-key', options.apiKey);
  if (options.chatTemplateFile !== undefined) args.push('--chat-template-file', options.chatTemplateFile);
  if (options.tls !== undefined) args.push('--ssl-key-file', options.tls.keyFile, '--ssl-cert-file', options.tls.certFile);
  const child = spawn(llamaServerBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const read = (chunk: Buffer): void => {
      output += chunk.toString();
      // Printed once the model is loaded and requests are served; the HTTP server starts before the model loads.
      if (output.includes(options.waitForModel === false ? 'load_model: loading model' : 'listening on ')) resolve();
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => reject(new Error(`llama-server exited with code ${code}: ${output.slice(-2000)}`)));
  });
  const protocol = options.tls === undefined ? 'http' : 'https';
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { url: `${protocol}://127.0.0.1:${port}`, port, child, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}
