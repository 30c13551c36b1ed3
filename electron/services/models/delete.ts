/** Deleting a model from the library: the file, every part of a split model, and its manifest. */
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ModelInfo } from '#shared/models.ts';
import type { Library } from './library.ts';
import { readManifest, removeManifest } from './manifest.ts';
import { splitPartNames } from './gguf/files.ts';

export async function deleteModel(library: Library, id: string): Promise<ModelInfo[]> {
  const entry = library.locate(id);
  const manifest = await readManifest(entry.path);
  const names = manifest?.parts.map((part) => part.fileName) ?? splitPartNames(entry.info.fileName);
  for (const name of names) await rm(join(dirname(entry.path), name), { force: true });
  await removeManifest(entry.path);
  return library.rescan();
}
