/**
 * Importing by reference: the models folder gets a link to the file on the stick, not a copy;
 * when the stick goes away the model is listed as missing (not a crash), and deleting it leaves
 * the original alone.
 */
import { copyFile, lstat, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { importModels } from '../../../../electron/services/models/imports.ts';
import { Library } from '../../../../electron/services/models/library.ts';
import { deleteModel } from '../../../../electron/services/models/delete.ts';
import { readManifest } from '../../../../electron/services/models/manifest.ts';
import { ensureFixtureModels } from '../../../fixtures/gguf/index.ts';

let dir: string;
let stick: string;
let library: Library;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'enclave-import-ref-'));
  stick = join(dir, 'usb');
  await mkdir(stick, { recursive: true });
  library = new Library(join(dir, 'models'));
  await mkdir(library.modelsDir);
  await copyFile((await ensureFixtureModels()).scripted, join(stick, 'scripted.gguf'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

test('links the file in place, lists it usable, and marks it missing once the original is gone', async () => {
  const result = await importModels([stick], library, 'reference');
  expect(result.refused).toEqual([]);
  expect(result.imported.map((model) => [model.fileName, model.problem])).toEqual([['scripted.gguf', null]]);
  const link = join(library.modelsDir, 'scripted.gguf');
  expect((await lstat(link)).isSymbolicLink()).toBe(true);
  expect((await readManifest(link))?.source).toEqual({ kind: 'import', originalPath: join(stick, 'scripted.gguf'), reference: true });

  await rm(join(stick, 'scripted.gguf'));
  const [missing] = await library.rescan();
  expect(missing?.problem?.code).toBe('MISSING');

  expect(await deleteModel(library, 'scripted.gguf')).toEqual([]);
  expect(await readdir(library.modelsDir)).toEqual([]);
});

test('deleting a referenced model removes the link, never the original', async () => {
  await importModels([join(stick, 'scripted.gguf')], library, 'reference');
  await deleteModel(library, 'scripted.gguf');
  expect(await readdir(stick)).toEqual(['scripted.gguf']);
  expect(await readdir(library.modelsDir)).toEqual([]);
});
