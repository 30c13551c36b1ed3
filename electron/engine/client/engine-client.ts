/**
 * The host's handle on the engine process: starts it, routes its messages to the job that asked,
 * and when the process dies reports the loss to every running job and starts a fresh engine.
 */
import { EnclaveError } from '#shared/errors.ts';
import type { EngineBuild, EngineState, GpuBackend } from '#shared/models.ts';
import { engineEnvironment, type EngineProcess, type SpawnEngine } from './engine-process.ts';
import type { HardwareInfo } from '#shared/hardware.ts';
import type { SpeedLine } from '#shared/speed.ts';
import type { FitEstimate } from '../protocol.ts';
import type { EmbeddingsReply, EmbedRequest, EngineToHost, GenerateRequest, HardwareFitReply, HardwareFitRequest } from '../protocol.ts';

type RequestReply = HardwareFitReply | EmbeddingsReply;

export type JobMessage = Extract<EngineToHost, { jobId: string }>;
type JobListener = (message: JobMessage) => void;

/** One engine process: its state and the model it holds (the host's EnginePool combines them). */
export interface EngineProcessStatus {
  state: EngineState;
  backend: GpuBackend | null;
  build: EngineBuild | null;
  threads: number | null;
  loadedModelId: string | null;
  contextSize: number | null;
  /** Answers the loaded model's context can run at once (its sequences). */
  parallel: number | null;
}

/** A process that dies this many times in a row without ever becoming ready is not restarted again. */
const MAX_FAILED_STARTS = 3;

export class EngineClient {
  private process: EngineProcess | null = null;
  private ready: Promise<void> | null = null;
  private readonly jobs = new Map<string, JobListener>();
  private readonly statusListeners = new Set<(status: EngineProcessStatus) => void>();
  private readonly pendingUnloads = new Map<number, () => void>();
  private readonly pendingRequests = new Map<number, (reply: RequestReply) => void>();
  private nextRequestId = 1;
  private failedStarts = 0;
  private disposed = false;
  private currentStatus: EngineProcessStatus = { state: 'starting', backend: null, build: null, threads: null, loadedModelId: null, contextSize: null, parallel: null };
  private readonly spawn: SpawnEngine;

  constructor(spawn: SpawnEngine) {
    this.spawn = spawn;
  }

  get status(): EngineProcessStatus {
    return this.currentStatus;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  onStatus(listener: (status: EngineProcessStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Starts the process if none runs; resolves once llama.cpp is loaded in it. */
  start(): Promise<void> {
    if (this.disposed) return Promise.reject(new EnclaveError('ENGINE_UNAVAILABLE', 'the engine was shut down'));
    this.ready ??= this.launch();
    return this.ready;
  }

  async generate(request: GenerateRequest, listener: JobListener): Promise<void> {
    await this.start();
    this.jobs.set(request.jobId, listener);
    this.process?.send({ type: 'generate', request });
  }

  setMaxThreads(maxThreads: number): void {
    this.process?.send({ type: 'threads', maxThreads });
  }

  stop(jobId: string): boolean {
    if (!this.jobs.has(jobId)) return false;
    this.process?.send({ type: 'stop', jobId });
    return true;
  }

  async unload(): Promise<void> {
    if (this.process === null || this.currentStatus.loadedModelId === null) return;
    const requestId = this.nextRequestId++;
    await new Promise<void>((resolve) => {
      this.pendingUnloads.set(requestId, resolve);
      this.process?.send({ type: 'unload', requestId });
    });
  }

  /** Hardware fit (model library): this machine's memory as llama.cpp sees it. */
  async hardware(): Promise<HardwareInfo> {
    const reply = await this.request((requestId) => ({ type: 'hardware', requestId }));
    if (reply.type !== 'hardware-info') throw new EnclaveError('INTERNAL', `unexpected engine reply ${reply.type}`);
    return reply.hardware;
  }

  /** node-llama-cpp's memory estimate for a GGUF header (a GgufFileInfo) at this context size. */
  async estimateFit(info: unknown, contextSize: number): Promise<FitEstimate> {
    const reply = await this.request((requestId) => ({ type: 'fit', requestId, info, contextSize }));
    if (reply.type !== 'fit-estimate') throw new EnclaveError('INTERNAL', `unexpected engine reply ${reply.type}`);
    return reply.estimate;
  }

  /**
   * Normalised vectors for `texts` from the embedding model at `modelPath` (loaded in this process
   * beside its chat model, kept for the next request).
   */
  async embed(modelPath: string, texts: string[]): Promise<{ vectors: Float32Array[]; tokens: number }> {
    const reply = await this.request((requestId) => ({ type: 'embed', requestId, modelPath, texts }));
    if (reply.type !== 'embeddings') throw new EnclaveError('INTERNAL', `unexpected engine reply ${reply.type}`);
    return { vectors: reply.vectors, tokens: reply.tokens };
  }

  /** Speed calibration in this process (its synthetic models written to `dir`, then deleted). */
  async calibrate(dir: string): Promise<{ cpu: SpeedLine; gpu: SpeedLine | null }> {
    const reply = await this.request((requestId) => ({ type: 'calibrate', requestId, dir }));
    if (reply.type !== 'calibration') throw new EnclaveError('INTERNAL', `unexpected engine reply ${reply.type}`);
    return { cpu: reply.cpu, gpu: reply.gpu };
  }

  private async request(message: (requestId: number) => HardwareFitRequest | EmbedRequest): Promise<Exclude<RequestReply, { type: 'request-failed' }>> {
    await this.start();
    const requestId = this.nextRequestId++;
    const reply = await new Promise<RequestReply>((resolve) => {
      this.pendingRequests.set(requestId, resolve);
      this.process?.send(message(requestId));
    });
    if (reply.type === 'request-failed') throw new EnclaveError(reply.error.code, reply.error.message, reply.error.details);
    return reply;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const process = this.process;
    this.process = null;
    if (process === null) return;
    await new Promise<void>((resolve) => {
      process.onExit(() => resolve());
      process.kill();
    });
  }

  private launch(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const child = this.spawn(engineEnvironment(process.env));
      this.process = child;
      this.setStatus({ state: 'starting', backend: null, build: null, threads: null, loadedModelId: null, contextSize: null, parallel: null });
      let started = false;
      child.onMessage((message) => {
        if (message.type === 'ready') {
          started = true;
          this.failedStarts = 0;
          this.setStatus({ ...this.currentStatus, state: 'idle', backend: message.backend, build: message.build, threads: message.threads });
          resolve();
        } else if (message.type === 'fatal') {
          this.failedStarts = MAX_FAILED_STARTS;
          reject(new EnclaveError('ENGINE_UNAVAILABLE', message.error.message));
          child.kill();
        } else {
          this.handle(message);
        }
      });
      child.onExit((code, signal) => {
        if (this.process !== child) return;
        this.process = null;
        this.ready = null;
        if (!started) this.failedStarts++;
        this.failAllJobs(code, signal);
        if (!started) reject(new EnclaveError('ENGINE_UNAVAILABLE', `the engine exited while starting (code ${code}, signal ${signal})`));
        if (this.disposed) return;
        this.setStatus({ state: 'crashed', backend: null, build: null, threads: null, loadedModelId: null, contextSize: null, parallel: null });
        // A fresh engine, so the next request does not wait for start-up; not after repeated start failures.
        if (this.failedStarts < MAX_FAILED_STARTS) void this.start().catch(() => undefined);
      });
    });
  }

  private handle(message: EngineToHost): void {
    switch (message.type) {
      case 'unloaded':
        this.setStatus({ ...this.currentStatus, state: 'idle', loadedModelId: null, contextSize: null, parallel: null });
        this.pendingUnloads.get(message.requestId)?.();
        this.pendingUnloads.delete(message.requestId);
        return;
      case 'loading':
        this.setStatus({ ...this.currentStatus, state: 'loading', loadedModelId: null, contextSize: null, parallel: null });
        break;
      case 'loaded':
        this.setStatus({ ...this.currentStatus, state: 'ready', loadedModelId: message.modelId, contextSize: message.contextSize, threads: message.threads, parallel: message.parallel });
        break;
      case 'context':
        this.setStatus({ ...this.currentStatus, contextSize: message.contextSize, parallel: message.parallel });
        return;
      case 'generating':
        this.setStatus({ ...this.currentStatus, state: 'generating' });
        break;
      case 'done':
      case 'error':
        // Other answers may still run on the model.
        if (this.jobs.size <= 1) this.setStatus({ ...this.currentStatus, state: this.currentStatus.loadedModelId === null ? 'idle' : 'ready' });
        break;
      case 'delta':
      case 'thought':
        break;
      case 'ready':
      case 'fatal':
        return;
      case 'hardware-info':
      case 'fit-estimate':
      case 'calibration':
      case 'request-failed':
      case 'embeddings':
        this.pendingRequests.get(message.requestId)?.(message);
        this.pendingRequests.delete(message.requestId);
        return;
      default:
        throw new Error(`unknown engine message ${JSON.stringify(message satisfies never)}`);
    }
    const listener = this.jobs.get(message.jobId);
    if (message.type === 'done' || message.type === 'error') this.jobs.delete(message.jobId);
    listener?.(message);
  }

  private failAllJobs(code: number | null, signal: string | null): void {
    const error = new EnclaveError('ENGINE_CRASHED', `the engine process stopped (code ${code}, signal ${signal})`, { code, signal }).toPayload();
    const jobs = [...this.jobs];
    this.jobs.clear();
    for (const [jobId, listener] of jobs) listener({ type: 'error', jobId, error });
    for (const resolve of this.pendingUnloads.values()) resolve();
    this.pendingUnloads.clear();
    for (const [requestId, resolve] of this.pendingRequests) resolve({ type: 'request-failed', requestId, error });
    this.pendingRequests.clear();
  }

  private setStatus(status: EngineProcessStatus): void {
    this.currentStatus = status;
    for (const listener of this.statusListeners) listener(status);
  }
}
