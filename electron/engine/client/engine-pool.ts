/**
 * The engine processes. One starts with the host; more start when answers for different models
 * could run side by side (a comparison of two models, a participant on another model than the
 * trainer's) and the machine's free memory holds one more model. Each process holds one model and
 * stays crash-isolated from the others. While several generate, the machine's cores are split
 * between them (llama.cpp's threads spin at every barrier: two processes with every core each
 * would slow both down); a process alone gets them all back. Extra processes that stay idle are
 * stopped, which frees their model's memory.
 */
import { freemem } from 'node:os';
import type { HardwareInfo } from '#shared/hardware.ts';
import type { SpeedLine } from '#shared/speed.ts';
import type { EngineStatus, LoadedModelStatus } from '#shared/models.ts';
import { EngineClient, type EngineProcessStatus } from './engine-client.ts';
import type { SpawnEngine } from './engine-process.ts';
import type { FitEstimate } from '../protocol.ts';

/** More processes than this never pay off: each needs a model in memory and cores to run on. */
export const MAX_ENGINES = 4;
/** An extra process idle this long is stopped. */
export const IDLE_RETIRE_MS = 120_000;
/**
 * Memory a model needs beyond its file (its context and llama.cpp's buffers), for the decision to
 * start another process; node-llama-cpp checks for real when it loads the model.
 */
export const CONTEXT_ALLOWANCE_BYTES = 512 * 1024 * 1024;

export interface EnginePoolOptions {
  spawn: SpawnEngine;
  /** Cores to split between generating processes. */
  cores: number;
  /** Default: min(MAX_ENGINES, cores). */
  maxEngines?: number;
  /** Bytes of memory free for another model (os.freemem(): MemAvailable on Linux). */
  freeMemory?: () => number;
  now?: () => number;
}

interface Pooled {
  client: EngineClient;
  /** The model the process holds or is loading for a job; null when it has none. */
  modelPath: string | null;
  /** Jobs running on it (told by the chat service). */
  jobs: number;
  idleSince: number;
  maxThreads: number;
}

export class EnginePool {
  private readonly engines: Pooled[] = [];
  private readonly listeners = new Set<(status: EngineStatus) => void>();
  private readonly options: Required<EnginePoolOptions>;
  private readonly retireTimer: ReturnType<typeof setInterval>;
  private disposed = false;

  constructor(options: EnginePoolOptions) {
    this.options = {
      maxEngines: Math.max(1, Math.min(MAX_ENGINES, options.cores)),
      freeMemory: freemem,
      now: Date.now,
      ...options,
    };
    this.add();
    this.retireTimer = setInterval(() => this.retireIdle(), IDLE_RETIRE_MS / 4);
    this.retireTimer.unref();
  }

  /** The first process: it answers the hardware questions and is never retired. */
  get primary(): EngineClient {
    const first = this.engines[0];
    if (first === undefined) throw new Error('the engine pool has no process');
    return first.client;
  }

  /** The first process's pid (the one answers run on when a single model is in use). */
  get pid(): number | undefined {
    return this.primary.pid;
  }

  get size(): number {
    return this.engines.length;
  }

  /** How many models may answer at once (memory is checked when one more is needed). */
  get maxEngines(): number {
    return this.options.maxEngines;
  }

  /** All processes as one: the busiest state, and every model loaded now. */
  get status(): EngineStatus {
    const statuses = this.engines.map((engine) => engine.client.status);
    const primary = statuses[0] ?? this.primary.status;
    const loaded: LoadedModelStatus[] = statuses.flatMap((status) =>
      status.loadedModelId === null ? [] : [{ modelId: status.loadedModelId, contextSize: status.contextSize ?? 0, parallel: status.parallel ?? 1, threads: status.threads ?? 1 }],
    );
    const state = (['generating', 'loading'] as const).find((busy) => statuses.some((status) => status.state === busy)) ?? (loaded.length > 0 ? 'ready' : primary.state);
    return { state, backend: primary.backend, build: primary.build, threads: primary.threads, loaded };
  }

  onStatus(listener: (status: EngineStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): Promise<void> {
    return this.primary.start();
  }

  /** The process of a loaded model, null when none holds it (for per-process readings: memory). */
  clientOf(modelId: string): EngineClient | null {
    return this.engines.find((engine) => engine.client.status.loadedModelId === modelId)?.client ?? null;
  }

  /**
   * Where a job for this model may start now, or null when it must wait: the process that holds
   * the model (if `fits` says the job fits beside the jobs already there), else an idle process
   * (it loads the model instead of its own), else a new one while memory holds the model. The
   * model is never loaded twice. The caller starts the job on the process at once.
   */
  place(modelPath: string, modelBytes: number, fits: (client: EngineClient) => boolean): EngineClient | null {
    const holder = this.engines.find((engine) => engine.modelPath === modelPath);
    if (holder !== undefined) return fits(holder.client) ? holder.client : null;
    const idle = this.engines.filter((engine) => engine.jobs === 0).sort((a, b) => rank(a) - rank(b) || a.idleSince - b.idleSince)[0];
    const chosen = idle ?? (this.engines.length < this.options.maxEngines && this.options.freeMemory() >= modelBytes + CONTEXT_ALLOWANCE_BYTES ? this.add() : undefined);
    if (chosen === undefined) return null;
    chosen.modelPath = modelPath;
    return chosen.client;
  }

  /** The chat service's count of jobs on each process: splits the cores between the busy ones. */
  jobStarted(client: EngineClient): void {
    const engine = this.find(client);
    if (engine === undefined) return;
    engine.jobs++;
    this.balanceThreads();
  }

  jobEnded(client: EngineClient): void {
    const engine = this.find(client);
    if (engine === undefined) return;
    engine.jobs = Math.max(0, engine.jobs - 1);
    if (engine.jobs === 0) engine.idleSince = this.options.now();
    this.balanceThreads();
  }

  /** Unloads the model from the process that holds it (every model when no id is given). */
  async unload(modelId?: string): Promise<void> {
    const targets = this.engines.filter((engine) => modelId === undefined || engine.client.status.loadedModelId === modelId);
    await Promise.all(
      targets.map(async (engine) => {
        await engine.client.unload();
        if (engine.jobs === 0) engine.modelPath = null;
      }),
    );
  }

  hardware(): Promise<HardwareInfo> {
    return this.primary.hardware();
  }

  estimateFit(info: unknown, contextSize: number): Promise<FitEstimate> {
    return this.primary.estimateFit(info, contextSize);
  }

  /** Embeddings run in the first process (never retired), the embedding model beside its chat model. */
  embed(modelPath: string, texts: string[]): Promise<{ vectors: Float32Array[]; tokens: number }> {
    return this.primary.embed(modelPath, texts);
  }

  /** Speed calibration, in the first process (between its model loads). */
  calibrate(dir: string): Promise<{ cpu: SpeedLine; gpu: SpeedLine | null }> {
    return this.primary.calibrate(dir);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    clearInterval(this.retireTimer);
    this.listeners.clear();
    await Promise.all(this.engines.map((engine) => engine.client.dispose()));
  }

  private add(): Pooled {
    const client = new EngineClient(this.options.spawn);
    const engine: Pooled = { client, modelPath: null, jobs: 0, idleSince: this.options.now(), maxThreads: this.options.cores };
    client.onStatus((status) => this.onEngineStatus(engine, status));
    this.engines.push(engine);
    if (this.engines.length > 1) void client.start().catch(() => undefined);
    return engine;
  }

  private find(client: EngineClient): Pooled | undefined {
    return this.engines.find((engine) => engine.client === client);
  }

  private onEngineStatus(engine: Pooled, status: EngineProcessStatus): void {
    // A crash loses the model: the process starts again empty.
    if (status.state === 'crashed' || status.state === 'starting') engine.maxThreads = this.options.cores;
    if ((status.state === 'crashed' || status.state === 'idle') && engine.jobs === 0) engine.modelPath = null;
    if (this.disposed) return;
    const aggregate = this.status;
    for (const listener of this.listeners) listener(aggregate);
  }

  private balanceThreads(): void {
    const busy = this.engines.filter((engine) => engine.jobs > 0);
    const share = Math.max(1, Math.floor(this.options.cores / Math.max(1, busy.length)));
    for (const engine of this.engines) {
      const target = engine.jobs > 0 ? share : this.options.cores;
      if (target === engine.maxThreads) continue;
      engine.maxThreads = target;
      engine.client.setMaxThreads(target);
    }
  }

  private retireIdle(): void {
    const now = this.options.now();
    for (const engine of this.engines.slice(1)) {
      if (engine.jobs > 0 || now - engine.idleSince < IDLE_RETIRE_MS) continue;
      this.engines.splice(this.engines.indexOf(engine), 1);
      void engine.client.dispose();
    }
  }
}

/** Idle processes with no model first (nothing to unload), then the least recently used. */
function rank(engine: Pooled): number {
  return engine.modelPath === null ? 0 : 1;
}
