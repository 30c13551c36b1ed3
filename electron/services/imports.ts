/**
 * Imports .gguf files, or every .gguf file under a folder, into the models folder. Each header is
 * checked before anything is copied; a refused file never reaches the library or llama.cpp.
 */
import { copyFile, readdir, rename, rm, stat, symlink } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import type { ImportResult } from '../../shared/imports.ts';
import { EnclaveError } from '../../shared/errors.ts';
import { validateGgufHeader } from './gguf-validate.ts';
import type { Library } from './library.ts';
import { writeManifest } from './model-manifest.ts';

/** A folder holding more than this many .gguf files is surely not what the user meant. */
const MAX_FILES = 500;

/** `reference` links the original file into the models folder instead of copying it. */
export async function importModels(paths: readonly string[], library: Library, mode: 'copy' | 'reference' = 'copy'): Promise<ImportResult> {
  const files: string[] = [];
  for (const path of paths) files.push(...(await ggufFilesAt(resolve(path))));
  if (files.length > MAX_FILES) throw new EnclaveError('BAD_REQUEST', `more than ${MAX_FILES} .gguf files`, { count: files.length });
  const result: ImportResult = { imported: [], refused: [], skipped: [] };
  const importedNames: string[] = [];
  for (const file of files) {
    const problem = await validateGgufHeader(file).catch((error: unknown) => ({ code: 'NOT_GGUF' as const, message: String(error) }));
    if (problem !== null) {
      result.refused.push({ path: file, problem });
      continue;
    }
    const size = (await stat(file)).size;
    const target = await freeName(library.modelsDir, basename(file), size);
    if (target === null) {
      result.skipped.push(file);
      continue;
    }
    // Copied under a temporary name first: a rescan during the copy must not list half a file.
    const partial = `${target}.importing`;
    try {
      if (mode === 'reference') await symlink(file, partial, 'file');
      else await copyFile(file, partial);
      await writeManifest(target, {
        version: 1,
        source: mode === 'reference' ? { kind: 'import', originalPath: file, reference: true } : { kind: 'import', originalPath: file },
        catalogId: null,
        quant: null,
        parts: [{ fileName: basename(target), sha256: null, sizeBytes: size }],
        verified: false,
        download: 'done',
        addedAt: new Date().toISOString(),
      });
      await rename(partial, target);
      importedNames.push(basename(target));
    } catch (error) {
      await rm(partial, { force: true });
      const message = error instanceof Error ? error.message : String(error);
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC') throw new EnclaveError('DISK_FULL', message, { path: file });
      result.refused.push({ path: file, problem: { code: 'NOT_GGUF', message: `could not copy: ${message}` } });
    }
  }
  const listed = await library.rescan();
  result.imported = listed.filter((model) => importedNames.includes(model.fileName));
  return result;
}

async function ggufFilesAt(path: string): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new EnclaveError('NOT_FOUND', `nothing at ${path}`, { path });
  }
  if (info.isFile()) return [path];
  const names = await readdir(path, { recursive: true });
  return names
    .filter((name) => extname(name).toLowerCase() === '.gguf')
    .sort()
    .map((name) => join(path, name));
}

/** The name to copy to: the same name when free, "name-2.gguf" and so on otherwise; null when the same file is there. */
async function freeName(dir: string, name: string, size: number): Promise<string | null> {
  const stem = name.slice(0, -extname(name).length);
  for (let index = 1; index < 1000; index++) {
    const candidate = join(dir, index === 1 ? name : `${stem}-${index}${extname(name)}`);
    let existing;
    try {
      existing = await stat(candidate);
    } catch {
      return candidate;
    }
    if (existing.size === size) return null;
  }
  throw new EnclaveError('BAD_REQUEST', `too many files named ${name}`);
}
