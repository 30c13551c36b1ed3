/**
 * Importing a folder of .gguf files (a USB stick): valid models are copied and listed, malformed
 * ones (truncated at many offsets, huge counts, bad magic, not GGUF) are refused with their reason.
 */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { GGUF_LIMITS } from '../../../../electron/services/models/gguf/validate.ts';
import { importModels } from '../../../../electron/services/models/imports.ts';
import { Library } from '../../../../electron/services/models/library.ts';
import { readManifest } from '../../../../electron/services/models/manifest.ts';
import { ensureFixtureModels, writeBadMagic, writeEmptyStringArray, writeHugeCount, writeNotGguf, writeTruncated } from '../../../fixtures/gguf/index.ts';

let dir: string;
let stick: string;
let library: Library;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'enclave-import-'));
  stick = join(dir, 'usb');
  await mkdir(join(stick, 'nested'), { recursive: true });
  await mkdir(join(dir, 'models'));
  library = new Library(join(dir, 'models'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

test('imports the valid models of a folder and refuses every malformed one with its reason', async () => {
  const { scripted, endless } = await ensureFixtureModels();
  await copyFile(scripted, join(stick, 'scripted.gguf'));
  await copyFile(endless, join(stick, 'nested', 'endless.gguf'));
  const size = (await stat(scripted)).size;
  const offsets = [0, 3, 4, 8, 16, 24, 100, 1000, Math.floor(size / 3), Math.floor(size / 2), size - 100, size - 1];
  for (const offset of offsets) await writeTruncated(join(stick, `truncated-${offset}.gguf`), scripted, offset);
  await writeBadMagic(join(stick, 'bad-magic.gguf'));
  await writeHugeCount(join(stick, 'huge-tensors.gguf'), 'tensorCount');
  await writeHugeCount(join(stick, 'huge-kv.gguf'), 'kvCount');
  await writeNotGguf(join(stick, 'notes.gguf'), 'text');
  await writeNotGguf(join(stick, 'noise.gguf'), 'random');

  const result = await importModels([stick], library);

  expect(result.imported.map((model) => model.fileName).sort()).toEqual(['endless.gguf', 'scripted.gguf']);
  for (const model of result.imported) {
    expect(model.problem).toBeNull();
    expect(model.source).toMatchObject({ kind: 'import' });
  }
  expect(result.refused).toHaveLength(offsets.length + 5);
  for (const refusal of result.refused) {
    expect(refusal.problem.code, refusal.path).toMatch(/^(NOT_GGUF|TRUNCATED|BAD_HEADER|NO_TENSORS|UNSUPPORTED_VERSION)$/);
    expect(refusal.problem.message.length).toBeGreaterThan(0);
  }
  // Nothing refused reached the models folder.
  expect((await readdir(join(dir, 'models'))).filter((name) => name.endsWith('.gguf')).sort()).toEqual(['endless.gguf', 'scripted.gguf']);
  expect((await readManifest(join(dir, 'models', 'scripted.gguf')))?.source).toEqual({ kind: 'import', originalPath: join(stick, 'scripted.gguf') });
});

test('each malformed file is refused within 5 s, even the checker’s worst case (16 M empty strings, 128 MiB)', async () => {
  const { scripted } = await ensureFixtureModels();
  const malformed: string[] = [];
  const add = async (name: string, write: (path: string) => Promise<void>): Promise<void> => {
    const path = join(stick, name);
    await write(path);
    malformed.push(path);
  };
  await add('worst-case.gguf', (path) => writeEmptyStringArray(path, GGUF_LIMITS.maxArrayItems));
  await add('cut.gguf', (path) => writeTruncated(path, scripted, 5000));
  await add('bad-magic.gguf', writeBadMagic);
  await add('huge-kv.gguf', (path) => writeHugeCount(path, 'kvCount'));
  for (const path of malformed) {
    const started = performance.now();
    const result = await importModels([path], library);
    const elapsed = performance.now() - started;
    expect(
      result.refused.map((refusal) => refusal.path),
      path,
    ).toEqual([path]);
    // The bound ("refused within 5 s"), a generous upper bound rather than a speed figure.
    expect(elapsed, path).toBeLessThan(5_000);
  }
  expect((await readdir(join(dir, 'models'))).filter((name) => !name.startsWith('.'))).toEqual([]);
}, 60_000);

test('a FIFO or a device named .gguf is refused, not read (it would block); a relative path is refused', async () => {
  await mkdir(join(stick, 'odd'));
  execFileSync('mkfifo', [join(stick, 'odd', 'pipe.gguf')]);
  const result = await importModels([join(stick, 'odd')], library);
  expect(result.refused).toEqual([{ path: join(stick, 'odd', 'pipe.gguf'), problem: { code: 'NOT_GGUF', message: 'not a regular file' } }]);
  await expect(importModels([join(stick, 'odd', 'pipe.gguf')], library)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  await expect(importModels(['/dev/zero'], library)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  await expect(importModels(['usb/models'], library)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
});

test('a file already imported is skipped, a different file with the same name is renamed', async () => {
  const { scripted, endless } = await ensureFixtureModels();
  await copyFile(scripted, join(stick, 'model.gguf'));
  await importModels([join(stick, 'model.gguf')], library);
  const again = await importModels([join(stick, 'model.gguf')], library);
  expect(again.skipped).toEqual([join(stick, 'model.gguf')]);
  await copyFile(endless, join(stick, 'nested', 'model.gguf'));
  const other = await importModels([join(stick, 'nested', 'model.gguf')], library);
  expect(other.imported.map((model) => model.fileName)).toEqual(['model-2.gguf']);
});

test('a path that does not exist is a clear NOT_FOUND', async () => {
  await expect(importModels([join(dir, 'nowhere')], library)).rejects.toMatchObject({ code: 'NOT_FOUND' });
});
