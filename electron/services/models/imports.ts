/**
 * Imports .gguf files, or every .gguf file under a folder, into the models folder. Each header is
 * checked before anything is copied; a refused file never reaches the library or llama.cpp.
 */
import { type Dirent } from 'node:fs';
import { copyFile, opendir, rename, rm, stat, symlink } from 'node:fs/promises';
import { basename, extname, isAbsolute, join, resolve } from 'node:path';
import type { ImportResult } from '#shared/imports.ts';
import { EnclaveError } from '#shared/errors.ts';
import { diskFullError } from './disk-full.ts';
import { validateGgufHeader } from './gguf/validate.ts';
import type { Library } from './library.ts';
import { writeManifest } from './manifest.ts';

/** A folder holding more than this many .gguf files is surely not what the user meant. */
const MAX_FILES = 500;
/** Entries looked at under the given folders: enough for a USB stick, not a walk of the whole disk. */
const MAX_ENTRIES_VISITED = 10_000;
const MAX_DEPTH = 16;

/** `reference` links the original file into the models folder instead of copying it. */
export async function importModels(paths: readonly string[], library: Library, mode: 'copy' | 'reference' = 'copy'): Promise<ImportResult> {
  const result: ImportResult = { imported: [], refused: [], skipped: [] };
  const walk = { visited: 0 };
  const files: string[] = [];
  for (const path of paths) {
    const found = await ggufFilesAt(path, walk);
    files.push(...found.files);
    result.refused.push(...found.refused);
  }
  if (files.length > MAX_FILES) throw new EnclaveError('BAD_REQUEST', `more than ${MAX_FILES} .gguf files`, { count: files.length });
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
      const full = diskFullError(error, { path: file });
      if (full !== null) throw full;
      const message = error instanceof Error ? error.message : String(error);
      result.refused.push({ path: file, problem: { code: 'NOT_GGUF', message: `could not copy: ${message}` } });
    }
  }
  const listed = await library.rescan();
  result.imported = listed.filter((model) => importedNames.includes(model.fileName));
  return result;
}

/**
 * The .gguf files a path names: the file itself, or those under a folder (walked without
 * following links to folders, within bounds). Only regular files: a FIFO or a device would block
 * or never end when read. Other .gguf entries are refused with why.
 */
async function ggufFilesAt(path: string, walk: { visited: number }): Promise<{ files: string[]; refused: ImportResult['refused'] }> {
  // A relative path would be read against the host's working folder, which means nothing to the user.
  if (!isAbsolute(path)) throw new EnclaveError('BAD_REQUEST', `not an absolute path: ${path.slice(0, 200)}`, { path: path.slice(0, 200) });
  const root = resolve(path);
  let info;
  try {
    info = await stat(root);
  } catch {
    throw new EnclaveError('NOT_FOUND', `nothing at ${root}`, { path: root });
  }
  if (info.isFile()) return { files: [root], refused: [] };
  if (!info.isDirectory()) throw new EnclaveError('BAD_REQUEST', `${root} is neither a file nor a folder`, { path: root });
  const files: string[] = [];
  const refused: ImportResult['refused'] = [];
  const folders: { path: string; depth: number }[] = [{ path: root, depth: 0 }];
  for (let folder = folders.shift(); folder !== undefined; folder = folders.shift()) {
    let entries: Dirent[];
    try {
      entries = await readFolder(folder.path, walk);
    } catch (error) {
      if (error instanceof EnclaveError) throw error;
      continue; // Unreadable (permissions): nothing to import from there.
    }
    for (const entry of entries) {
      const entryPath = join(folder.path, entry.name);
      if (entry.isDirectory()) {
        if (folder.depth < MAX_DEPTH) folders.push({ path: entryPath, depth: folder.depth + 1 });
        continue;
      }
      if (extname(entry.name).toLowerCase() !== '.gguf') continue;
      const regular =
        entry.isFile() ||
        (entry.isSymbolicLink() &&
          (await stat(entryPath).then(
            (target) => target.isFile(),
            () => false,
          )));
      if (regular) files.push(entryPath);
      else refused.push({ path: entryPath, problem: { code: 'NOT_GGUF', message: 'not a regular file' } });
    }
  }
  files.sort();
  return { files, refused };
}

/** A folder's entries, counted against the walk's bound as they are read (a folder may hold millions). */
async function readFolder(path: string, walk: { visited: number }): Promise<Dirent[]> {
  const entries: Dirent[] = [];
  for await (const entry of await opendir(path)) {
    if (++walk.visited > MAX_ENTRIES_VISITED) {
      throw new EnclaveError('BAD_REQUEST', `more than ${MAX_ENTRIES_VISITED} entries to look through: choose the folder that holds the models`, { path });
    }
    entries.push(entry);
  }
  return entries;
}

/** The name to copy to: the same name when free, "name-2.gguf" and so on otherwise; null when the same file is there. */
async function freeName(dir: string, name: string, size: number): Promise<string | null> {
  const extension = extname(name);
  const stem = name.slice(0, name.length - extension.length);
  for (let index = 1; index < 1000; index++) {
    const candidate = join(dir, index === 1 ? name : `${stem}-${index}${extension}`);
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
