/**
 * The header check again at load time (Library.verifiedPath): a file swapped, cut or changed after
 * the rescan never reaches llama.cpp with the rescan's verdict.
 */
import { copyFile, mkdtemp, open, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Library } from '../../../../electron/services/models/library.ts';
import { writeManifest } from '../../../../electron/services/models/manifest.ts';
import { ensureFixtureModels, writeTruncated } from '../../../fixtures/gguf/index.ts';

let dir: string;
let library: Library;
let scripted: string;
const ID = 'model.gguf';

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'enclave-verified-path-'));
  library = new Library(dir);
  ({ scripted } = await ensureFixtureModels());
  await copyFile(scripted, join(dir, ID));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('verifiedPath', () => {
  test('answers the path of a model whose file is as the rescan saw it', async () => {
    await library.rescan();
    expect(await library.verifiedPath(ID)).toBe(join(dir, ID));
  });

  test('a file cut after the rescan is refused, and the library now lists why', async () => {
    await library.rescan();
    const size = (await stat(scripted)).size;
    await writeTruncated(join(dir, ID), scripted, Math.floor(size / 2));
    await expect(library.verifiedPath(ID)).rejects.toMatchObject({ code: 'INVALID_MODEL', details: { modelId: ID, problem: 'TRUNCATED' } });
    expect(library.find(ID)?.info.problem?.code).toBe('TRUNCATED');
  });

  test('the header is checked again even when size and modification time look unchanged', async () => {
    await library.rescan();
    const before = await stat(join(dir, ID));
    // Same size, same mtime, a bad magic: only reading the header again can tell.
    const file = await open(join(dir, ID), 'r+');
    await file.write(Buffer.from('GGXX'), 0, 4, 0);
    await file.close();
    await utimes(join(dir, ID), before.atimeMs / 1000, before.mtimeMs / 1000);
    expect((await stat(join(dir, ID))).mtimeMs).toBe(before.mtimeMs);
    await expect(library.verifiedPath(ID)).rejects.toMatchObject({ code: 'INVALID_MODEL', details: { problem: 'NOT_GGUF' } });
  });

  test('a verified download whose size changed since is no longer verified', async () => {
    const size = (await stat(scripted)).size;
    await writeManifest(join(dir, ID), {
      version: 1,
      source: { kind: 'huggingface', repo: 'enclave-test/Scripted-GGUF', file: ID, revision: 'main' },
      catalogId: null,
      quant: null,
      parts: [{ fileName: ID, sha256: 'a'.repeat(64), sizeBytes: size }],
      verified: true,
      download: 'done',
      addedAt: new Date().toISOString(),
    });
    await library.rescan();
    expect(await library.verifiedPath(ID)).toBe(join(dir, ID));
    // Still a sound GGUF file, but not the bytes whose sha256 was checked.
    await writeFile(join(dir, ID), Buffer.concat([await readFile(scripted), Buffer.alloc(4096)]));
    await expect(library.verifiedPath(ID)).rejects.toMatchObject({ code: 'INVALID_MODEL', details: { problem: 'UNVERIFIED' } });
  });

  test('an id the rescan did not find, or a file gone since, is MODEL_NOT_FOUND', async () => {
    await library.rescan();
    await expect(library.verifiedPath('../../etc/passwd')).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    await rm(join(dir, ID));
    await expect(library.verifiedPath(ID)).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND', details: { modelId: ID } });
  });
});
