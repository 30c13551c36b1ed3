/**
 * Extraction in a worker thread with its own heap limit and a time limit per file: a file that
 * would exhaust memory (a zip bomb, a huge page) or never end (deeply nested objects) ends that
 * worker, never the host, and becomes the file's error. The worker reads one file after another
 * while they succeed (starting one costs more than reading a small file); after a failure, a
 * timeout or a cancel it is ended and the next file gets a fresh one.
 */
import { Worker } from 'node:worker_threads';
import { EnclaveError, type ErrorPayload } from '#shared/errors.ts';
import type { DocumentFormat } from '#shared/documents.ts';
import type { Block } from './extract.ts';
import { unreadable } from './extract.ts';

export interface WorkerTask {
  path: string;
  fileName: string;
  /** The first page of a PDF to read (1, or the page after those saved before a stop or a pause). */
  fromPage: number;
}

export interface ExtractionResult {
  format: DocumentFormat;
  pages: number | null;
  blocks: Block[];
}

/** A PDF's pages come one message each, with their blocks (the result then holds none). */
export type WorkerMessage = { type: 'page'; read: number; total: number; blocks: Block[] } | { type: 'done'; result: ExtractionResult } | { type: 'error'; error: ErrorPayload };

export interface ExtractionLimits {
  /** The worker's heap (old generation), in MB. */
  memoryMb: number;
  /** How long one file may take, in ms. */
  timeMs: number;
}

/** Far above what a 300-page text PDF needs (a few hundred MB of heap, a minute on a slow machine). */
export const DEFAULT_EXTRACTION_LIMITS: ExtractionLimits = { memoryMb: 1536, timeMs: 10 * 60_000 };

export class ExtractionWorker {
  private readonly entry: string;
  private readonly limits: ExtractionLimits;
  private worker: Worker | null = null;

  constructor(entry: string, limits: ExtractionLimits) {
    this.entry = entry;
    this.limits = limits;
  }

  extract(task: WorkerTask, options: { onPage?: (read: number, total: number, blocks: Block[]) => void; signal?: AbortSignal } = {}): Promise<ExtractionResult> {
    const worker = (this.worker ??= new Worker(this.entry, { resourceLimits: { maxOldGenerationSizeMb: this.limits.memoryMb }, stdout: false, stderr: false }));
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (outcome: () => void, keep: boolean): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (!keep) this.end(worker);
        outcome();
      };
      const timer = setTimeout(() => finish(() => reject(unreadable('document-too-large', `${task.fileName}: not read within ${this.limits.timeMs} ms`)), false), this.limits.timeMs);
      const onAbort = (): void => finish(() => reject(new EnclaveError('BAD_REQUEST', 'cancelled')), false);
      const onMessage = (message: WorkerMessage): void => {
        if (message.type === 'page') options.onPage?.(message.read, message.total, message.blocks);
        else if (message.type === 'done') finish(() => resolve(message.result), true);
        else finish(() => reject(new EnclaveError(message.error.code, message.error.message, message.error.details)), false);
      };
      const onError = (error: Error & { code?: string }): void => {
        const reason = error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'document-too-large' : 'document-damaged';
        finish(() => reject(unreadable(reason, `${task.fileName}: ${error.message}`)), false);
      };
      const onExit = (code: number): void => finish(() => reject(unreadable('document-damaged', `${task.fileName}: the reader stopped (exit code ${code})`)), false);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      if (options.signal?.aborted === true) onAbort();
      options.signal?.addEventListener('abort', onAbort);
      worker.postMessage(task);
    });
  }

  /** Ends the worker (the queue is empty, or the host stops). */
  close(): void {
    if (this.worker !== null) this.end(this.worker);
  }

  private end(worker: Worker): void {
    if (this.worker === worker) this.worker = null;
    void worker.terminate();
  }
}
