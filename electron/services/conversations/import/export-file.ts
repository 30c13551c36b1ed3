/**
 * The JSON inside an export file, as a stream read from disk: ChatGPT's .zip as delivered (its
 * conversations.json, decompressed as it is read) or a .json file. Nothing is read whole.
 */
import { createReadStream } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import yauzl from 'yauzl';
import { EnclaveError } from '#shared/errors.ts';

export const CHATGPT_ENTRY = 'conversations.json';

export interface ExportStream {
  /** The JSON text (decompressed). */
  stream: Readable;
  /** The size of that JSON, for progress. */
  totalBytes: number;
  /** Bytes of it read so far. */
  bytesRead(): number;
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** Opens `path`; `entryNames` are the files looked for inside a zip, first found wins. */
export async function openExport(path: string, entryNames: readonly string[] = [CHATGPT_ENTRY]): Promise<ExportStream> {
  const { head, size } = await readHead(path);
  if (head.equals(ZIP_MAGIC)) return openZipEntry(path, entryNames);
  return counted(createReadStream(path, { highWaterMark: 1 << 20 }), size);
}

async function readHead(path: string): Promise<{ head: Buffer; size: number }> {
  let file;
  try {
    file = await openFile(path, 'r');
  } catch (error) {
    throw new EnclaveError('NOT_FOUND', `cannot read ${path}: ${(error as Error).message}`, { reason: 'unreadable' });
  }
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await file.read(head, 0, 4, 0);
    return { head: head.subarray(0, bytesRead), size: (await file.stat()).size };
  } finally {
    await file.close();
  }
}

function openZipEntry(path: string, entryNames: readonly string[]): Promise<ExportStream> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (error, zip) => {
      if (error !== null) {
        reject(new EnclaveError('IMPORT_INVALID', `not a readable zip: ${error.message}`, { reason: 'zip' }));
        return;
      }
      let best: { entry: yauzl.Entry; rank: number } | null = null;
      zip.on('entry', (entry: yauzl.Entry) => {
        const rank = entryNames.indexOf(basename(entry.fileName));
        if (rank !== -1 && (best === null || rank < best.rank)) best = { entry, rank };
        zip.readEntry();
      });
      zip.on('error', (zipError: Error) => reject(new EnclaveError('IMPORT_INVALID', `not a readable zip: ${zipError.message}`, { reason: 'zip' })));
      zip.on('end', () => {
        const found = best as { entry: yauzl.Entry } | null;
        if (found === null) {
          zip.close();
          reject(new EnclaveError('IMPORT_INVALID', `the zip holds no ${entryNames.join(' or ')}`, { reason: 'zip' }));
          return;
        }
        zip.openReadStream(found.entry, (streamError, stream) => {
          if (streamError !== null) {
            zip.close();
            reject(new EnclaveError('IMPORT_INVALID', `cannot read ${found.entry.fileName}: ${streamError.message}`, { reason: 'zip' }));
            return;
          }
          stream.once('close', () => zip.close());
          resolve(counted(stream, found.entry.uncompressedSize));
        });
      });
      zip.readEntry();
    });
  });
}

function counted(source: Readable, totalBytes: number): ExportStream {
  let read = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      read += chunk.length;
      callback(null, chunk);
    },
  });
  source.on('error', (error) => counter.destroy(error));
  return { stream: source.pipe(counter), totalBytes, bytesRead: () => read };
}
