/**
 * One transfer through node-llama-cpp's downloader (ipull), which resumes from the partial file.
 * A watchdog ends it when no byte arrives for `stallMs`; the signal (pause, cancel, shutdown) and
 * a refusal by the egress gate end it too, even during ipull's setup.
 */
import { createModelDownloader, type ModelDownloader } from 'node-llama-cpp';
import type { EnclaveError } from '#shared/errors.ts';
import type { EgressGate } from '../../privacy/egress.ts';
import { partialBytes } from './download-files.ts';
import { runIpull } from './ipull-context.ts';
import { errorMessage, StallError } from './retry.ts';

export interface TransferProgress {
  totalBytes: number;
  downloadedBytes: number;
  /** Over the last few seconds; 0 until two reports are apart in time. */
  bytesPerSecond: number;
}

export interface TransferOptions {
  /** The resolve URL of the first part; ipull finds the others of a split model from it. */
  url: string;
  /** The Hugging Face endpoint, without a trailing slash. */
  endpoint: string;
  modelsDir: string;
  /** File names of every part, in order. */
  parts: readonly string[];
  gate: Pick<EgressGate, 'authorize'>;
  stallMs: number;
  /** Aborted by a pause, a cancel or the app closing: the transfer ends and keeps its partial file. */
  signal: AbortSignal;
  onProgress: (progress: TransferProgress) => void;
}

interface Sample {
  time: number;
  bytes: number;
}

/** Resolves once every part is complete on disk; rejects with StallError, the gate's refusal, or ipull's error. */
export async function transfer(options: TransferOptions): Promise<void> {
  const { url, signal, stallMs } = options;
  const handle = options.gate.authorize({ url, purpose: 'model-download', userInitiated: true });
  let downloader: ModelDownloader | null = null;
  let stalled = false;
  let refused: EnclaveError | null = null;
  let lastBytes = -1;
  let lastChange = Date.now();
  const samples: Sample[] = [];
  // Pause, cancel, a stall or a refusal must also end the setup (ipull's first request and its
  // retries, minutes for a refused connection), while no downloader exists yet to cancel.
  let interrupt: (error: Error) => void = () => undefined;
  const interrupted = new Promise<never>((_resolve, reject) => (interrupt = reject));
  interrupted.catch(() => undefined);
  const stop = (): void => {
    interrupt(new Error('stopped'));
    void downloader?.cancel({ deleteTempFile: false }).catch(() => undefined);
  };
  signal.addEventListener('abort', stop);
  handle.onRefusal((error) => {
    refused ??= error;
    stop();
  });
  const watchdog = setInterval(
    () => {
      if (Date.now() - lastChange < stallMs) return;
      stalled = true;
      stop();
    },
    Math.min(1_000, stallMs / 4),
  );
  let setup: Promise<ModelDownloader> | null = null;
  try {
    setup = runIpull(() =>
      createModelDownloader({
        modelUri: url,
        dirPath: options.modelsDir,
        endpoints: { huggingFace: `${options.endpoint}/` },
        // Keep the partial file (and ipull's progress record in it) across pauses, crashes and kills.
        skipExisting: false,
        deleteTempFileOnCancel: false,
        parallelDownloads: 1,
        onProgress: ({ totalSize, downloadedSize }) => {
          const now = Date.now();
          if (downloadedSize !== lastBytes) {
            lastBytes = downloadedSize;
            lastChange = now;
          }
          samples.push({ time: now, bytes: downloadedSize });
          while (samples.length > 2 && now - (samples[0]?.time ?? now) > 3_000) samples.shift();
          options.onProgress({ totalBytes: totalSize, downloadedBytes: downloadedSize, bytesPerSecond: speed(samples) });
        },
      }),
    );
    downloader = await Promise.race([interrupted, setup]);
    if (signal.aborted) stop();
    else {
      const running = downloader;
      await runIpull(() => running.download());
    }
    if (refused !== null) throw refused;
    if (stalled) throw new StallError(stallMs);
    if (signal.aborted) throw new Error('stopped');
    for (const fileName of options.parts) {
      if ((await partialBytes(options.modelsDir, fileName)) > 0) throw new Error(`the transfer of ${fileName} ended early`);
    }
    handle.finish('completed');
  } catch (error) {
    // A setup still running when interrupted yields a downloader nobody will use: close it when it
    // comes. A failed download closes its other streams, which would keep fetching in the background.
    if (downloader === null) void setup?.then((late) => late.cancel({ deleteTempFile: false })).catch(() => undefined);
    else void downloader.cancel({ deleteTempFile: false }).catch(() => undefined);
    const failure = refused ?? (stalled ? new StallError(stallMs) : error);
    handle.finish(signal.aborted ? 'cancelled' : 'failed', errorMessage(failure));
    throw failure;
  } finally {
    clearInterval(watchdog);
    signal.removeEventListener('abort', stop);
  }
}

function speed(samples: readonly Sample[]): number {
  const first = samples[0];
  const last = samples[samples.length - 1];
  const seconds = first !== undefined && last !== undefined ? (last.time - first.time) / 1000 : 0;
  return seconds > 0 && first !== undefined && last !== undefined ? (last.bytes - first.bytes) / seconds : 0;
}
