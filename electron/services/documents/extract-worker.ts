/**
 * The entry of an extraction worker (worker_threads): reads the files it is sent, one at a time,
 * with `extractBlocks`, posting each of a PDF's pages with its blocks as it is read, then the
 * file's blocks (none for a PDF) or its error. A hostile file that would take the host's memory or
 * time takes this worker's, which the host ends (see extract-in-worker.ts).
 */
import { parentPort } from 'node:worker_threads';
import { toErrorPayload } from '#shared/errors.ts';
import { extractBlocks } from './extract.ts';
import type { WorkerMessage, WorkerTask } from './extract-in-worker.ts';

const port = parentPort;
if (port === null) throw new Error('extract-worker runs as a worker thread');
const post = (message: WorkerMessage): void => port.postMessage(message);
port.on('message', (task: WorkerTask) => {
  extractBlocks(task.path, task.fileName, { fromPage: task.fromPage, streamPages: true, onPage: (read, total, blocks) => post({ type: 'page', read, total, blocks }) }).then(
    (result) => post({ type: 'done', result }),
    (error: unknown) => post({ type: 'error', error: toErrorPayload(error) }),
  );
});
