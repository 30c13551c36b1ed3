/** A download's files in the models folder: each part, and ipull's partial file beside it while it transfers. */
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelManifest } from '../manifest.ts';

/** ipull keeps the bytes received so far, and its progress, in this file beside the target. */
const PARTIAL_SUFFIX = '.ipull';

/** Bytes in a part's partial file; 0 when there is none. */
export function partialBytes(modelsDir: string, fileName: string): Promise<number> {
  return fileSize(join(modelsDir, fileName + PARTIAL_SUFFIX));
}

/** A run killed while verifying left complete files behind: no need to fetch them again. */
export async function alreadyTransferred(modelsDir: string, parts: ModelManifest['parts']): Promise<boolean> {
  for (const part of parts) {
    if ((await partialBytes(modelsDir, part.fileName)) > 0) return false;
    if (part.sizeBytes === null || (await fileSize(join(modelsDir, part.fileName))) !== part.sizeBytes) return false;
  }
  return true;
}

/** Deletes each part's partial file and the part itself. */
export async function removePartFiles(modelsDir: string, parts: readonly string[]): Promise<void> {
  for (const fileName of parts) {
    const path = join(modelsDir, fileName);
    await rm(path + PARTIAL_SUFFIX, { force: true });
    await rm(path, { force: true });
  }
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}
