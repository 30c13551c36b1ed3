/** The last step of a download: every part must hash to the sha256 Hugging Face published for it. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { EnclaveError } from '#shared/errors.ts';
import type { ModelManifest } from '../manifest.ts';

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Hashes every part and compares with the published digest; a mismatch runs `discard`, then throws CHECKSUM_MISMATCH. */
export async function verifyParts(modelsDir: string, parts: ModelManifest['parts'], discard: () => Promise<void>): Promise<void> {
  for (const part of parts) {
    const actual = await sha256File(join(modelsDir, part.fileName));
    if (actual !== part.sha256) {
      await discard();
      throw new EnclaveError('CHECKSUM_MISMATCH', `${part.fileName}: sha256 ${actual}, expected ${part.sha256}; the file was deleted`, {
        file: part.fileName,
        expected: part.sha256,
        actual,
      });
    }
  }
}
