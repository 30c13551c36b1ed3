/** How the host sees an engine process, whichever runtime started it. */
import type { EngineToHost, HostToEngine } from '../protocol.ts';

export interface EngineProcess {
  readonly pid: number | undefined;
  send(message: HostToEngine): void;
  onMessage(listener: (message: EngineToHost) => void): void;
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(): void;
}

/** Starts an engine process with these extra environment variables. */
export type SpawnEngine = (env: Record<string, string>) => EngineProcess;

/**
 * The environment the engine process starts with. UV_THREADPOOL_SIZE must be set before Node
 * starts: with libuv's default pool of 4, the kernel often places ggml's per-token worker threads
 * on the same core as a pool thread, and two threads share one core while the other idles.
 */
export function engineEnvironment(base: NodeJS.ProcessEnv): Record<string, string> {
  return { UV_THREADPOOL_SIZE: base.ENCLAVE_ENGINE_UV_THREADPOOL_SIZE ?? '1' };
}
