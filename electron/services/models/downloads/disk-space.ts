/** Whether the models folder's disk has room for what a download still has to fetch. */
import { statfs } from 'node:fs/promises';
import { EnclaveError } from '#shared/errors.ts';
import { partialBytes } from './download-files.ts';

/** Room left free beyond the model itself (the manifest, the OS). */
const DISK_MARGIN_BYTES = 64 * 1024 * 1024;

export type FreeBytes = (dir: string) => Promise<number>;

export async function diskFreeBytes(dir: string): Promise<number> {
  const stats = await statfs(dir);
  return stats.bavail * stats.bsize;
}

/** Throws DISK_FULL unless the bytes still missing (the total less the partial files), plus a margin, are free. */
export async function checkSpace(modelsDir: string, parts: readonly string[], totalBytes: number, freeBytes: FreeBytes): Promise<void> {
  let partial = 0;
  for (const fileName of parts) partial += await partialBytes(modelsDir, fileName);
  const needed = Math.max(0, totalBytes - partial) + DISK_MARGIN_BYTES;
  const free = await freeBytes(modelsDir);
  if (free < needed) {
    throw new EnclaveError('DISK_FULL', `${needed} bytes needed, ${free} free`, { neededBytes: needed, freeBytes: free });
  }
}
