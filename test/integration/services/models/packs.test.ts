/**
 * Model packs and deleting models, through a real Host: export fixture models to a folder with a
 * manifest, import the pack into another Host with every sha256 checked, and refuse what does not match.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { ModelInfo } from '#shared/models.ts';
import { PACK_MANIFEST_NAME, packManifestSchema, type PackJob } from '#shared/packs.ts';
import { ensureFixtureModels } from '../../../fixtures/gguf/index.ts';
import { createTestHost, type TestHost } from '../../../support/test-host.ts';

let models: { scripted: string; endless: string };
let source: TestHost;
let packDir: string;
const hosts: TestHost[] = [];

beforeAll(async () => {
  models = await ensureFixtureModels();
  source = await createTestHost([models.scripted, models.endless]);
  packDir = await mkdtemp(join(tmpdir(), 'enclave-pack-'));
}, 60_000);
afterAll(async () => {
  await source.dispose();
  await rm(packDir, { recursive: true, force: true });
});
afterEach(async () => {
  for (const host of hosts.splice(0)) await host.dispose();
});

async function call<T>(host: TestHost, command: string, input: unknown): Promise<T> {
  const outcome = await host.host.call(command, input);
  if (!outcome.ok) throw new Error(`${outcome.error.code}: ${outcome.error.message}`);
  return outcome.result as T;
}

async function finished(host: TestHost, start: PackJob): Promise<PackJob> {
  return host.waitFor('packs.progress', (job) => job.id === start.id && job.state !== 'running');
}

const sha256 = async (path: string): Promise<string> =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

async function exportPack(folder: string): Promise<PackJob> {
  const ids = (await call<ModelInfo[]>(source, 'models.list', {})).map((model) => model.id);
  return finished(source, await call<PackJob>(source, 'packs.export', { modelIds: ids, folder }));
}

describe('model packs', () => {
  test('export writes every model and a manifest with its sha256; import verifies and lists them', async () => {
    const exported = await exportPack(packDir);
    expect(exported.error).toBeNull();
    expect(exported.state).toBe('done');
    expect(exported.doneBytes).toBe(exported.totalBytes);
    const manifest = packManifestSchema.parse(JSON.parse(await readFile(join(packDir, PACK_MANIFEST_NAME), 'utf8')));
    expect(manifest.models.flatMap((model) => model.files.map((file) => file.fileName)).sort()).toEqual([basename(models.endless), basename(models.scripted)].sort());
    for (const file of manifest.models.flatMap((model) => model.files)) expect(file.sha256).toBe(await sha256(join(packDir, file.fileName)));

    const target = await createTestHost();
    hosts.push(target);
    const imported = await finished(target, await call<PackJob>(target, 'packs.import', { folder: packDir }));
    expect(imported.error).toBeNull();
    expect(imported.refused).toEqual([]);
    expect(imported.models.map((model) => model.fileName).sort()).toEqual([basename(models.endless), basename(models.scripted)].sort());
    expect(imported.models.every((model) => model.problem === null && model.source?.verified === true)).toBe(true);
    const progress = target.events.filter((event) => event.event === 'packs.progress').map((event) => (event.payload as PackJob).doneBytes);
    expect(progress.at(-1)).toBe(imported.totalBytes);
    expect(await sha256(join(target.modelsDir, basename(models.scripted)))).toBe(await sha256(models.scripted));
    // Importing again leaves what is there alone.
    const again = await finished(target, await call<PackJob>(target, 'packs.import', { folder: packDir }));
    expect(again.skipped.sort()).toEqual([basename(models.endless), basename(models.scripted)].sort());
  });

  test('a flipped byte in the pack: that model is refused and its copy deleted, the other imported', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'enclave-pack-flip-'));
    try {
      await exportPack(folder);
      const file = join(folder, basename(models.endless));
      const bytes = await readFile(file);
      bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0xff;
      await writeFile(file, bytes);
      const target = await createTestHost();
      hosts.push(target);
      const imported = await finished(target, await call<PackJob>(target, 'packs.import', { folder }));
      expect(imported.state).toBe('done');
      expect(imported.refused).toEqual([expect.objectContaining({ fileName: basename(models.endless), code: 'CHECKSUM_MISMATCH' })]);
      expect(imported.models.map((model) => model.fileName)).toEqual([basename(models.scripted)]);
      expect((await readdir(target.modelsDir)).filter((name) => name.includes('endless'))).toEqual([]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  test('a manifest naming a file outside the pack folder is refused as a whole', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'enclave-pack-bad-'));
    try {
      const manifest = {
        format: 'enclave.model-pack',
        version: 1,
        createdAt: new Date().toISOString(),
        models: [{ catalogEntry: null, quant: null, files: [{ fileName: '../../etc/passwd.gguf', sha256: '0'.repeat(64), sizeBytes: 1 }] }],
      };
      await writeFile(join(folder, PACK_MANIFEST_NAME), JSON.stringify(manifest));
      const target = await createTestHost();
      hosts.push(target);
      const imported = await finished(target, await call<PackJob>(target, 'packs.import', { folder }));
      expect(imported.state).toBe('failed');
      expect(imported.error?.code).toBe('BAD_REQUEST');
      expect(await readdir(target.modelsDir)).toEqual([]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe('where a pack may be written', () => {
  test('never over a file that is there: FILE_EXISTS before anything is written, the file untouched', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'enclave-pack-exists-'));
    try {
      await writeFile(join(folder, PACK_MANIFEST_NAME), 'mine');
      const ids = (await call<ModelInfo[]>(source, 'models.list', {})).map((model) => model.id);
      expect(await source.host.call('packs.export', { modelIds: ids, folder })).toMatchObject({ ok: false, error: { code: 'FILE_EXISTS', details: { file: PACK_MANIFEST_NAME } } });
      expect(await readFile(join(folder, PACK_MANIFEST_NAME), 'utf8')).toBe('mine');
      expect(await readdir(folder)).toEqual([PACK_MANIFEST_NAME]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  test('only into an existing folder of the user’s: system folders, devices, relative and missing paths are refused', async () => {
    const [id] = (await call<ModelInfo[]>(source, 'models.list', {})).map((model) => model.id);
    const refusals: [string, string][] = [
      ['/etc', 'FORBIDDEN'],
      ['/usr/share', 'FORBIDDEN'],
      ['/', 'FORBIDDEN'],
      ['/dev/null', 'FORBIDDEN'],
      ['/proc/self', 'FORBIDDEN'],
      ['pack', 'BAD_REQUEST'],
      ['../../pack', 'BAD_REQUEST'],
      [join(tmpdir(), 'enclave-no-such-folder', 'pack'), 'NOT_FOUND'],
      [source.dataDir + '/conversations.db', 'BAD_REQUEST'],
    ];
    for (const [folder, code] of refusals) {
      expect(await source.host.call('packs.export', { modelIds: [id], folder }), folder).toMatchObject({ ok: false, error: { code } });
    }
    expect(existsSync(join(tmpdir(), 'enclave-no-such-folder'))).toBe(false);
  });

  test('a missing folder is named with its reason, and created when the user asks; never inside a system folder', async () => {
    const [id] = (await call<ModelInfo[]>(source, 'models.list', {})).map((model) => model.id);
    const parent = await mkdtemp(join(tmpdir(), 'enclave-pack-create-'));
    const folder = join(parent, 'usb', 'pack');
    try {
      expect(await source.host.call('packs.export', { modelIds: [id], folder })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', details: { folder, reason: 'no-folder' } } });
      expect(existsSync(join(parent, 'usb'))).toBe(false);
      await finished(source, await call<PackJob>(source, 'packs.export', { modelIds: [id], folder, createFolder: true }));
      expect(await readdir(folder)).toContain(PACK_MANIFEST_NAME);
      expect(await source.host.call('packs.export', { modelIds: [id], folder: '/etc/enclave-pack', createFolder: true })).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN', details: { reason: 'system-folder' } },
      });
      expect(existsSync('/etc/enclave-pack')).toBe(false);
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });

  test('a pack missing one of its files leaves no partial copy behind', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'enclave-pack-missing-'));
    try {
      await exportPack(folder);
      await rm(join(folder, basename(models.endless)));
      const target = await createTestHost();
      hosts.push(target);
      const imported = await finished(target, await call<PackJob>(target, 'packs.import', { folder }));
      expect(imported.state).toBe('failed');
      expect(imported.error?.code).toBe('NOT_FOUND');
      expect((await readdir(target.modelsDir)).filter((name) => name.includes('.importing') || name.includes('.partial'))).toEqual([]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe('deleting a model', () => {
  test('removes the file and its manifest; an unknown id is refused', async () => {
    const host = await createTestHost([models.scripted]);
    hosts.push(host);
    const [model] = await call<ModelInfo[]>(host, 'models.list', {});
    if (model === undefined) throw new Error('no model listed');
    await writeFile(join(host.modelsDir, `${model.fileName}.enclave.json`), '{}');
    const left = await call<ModelInfo[]>(host, 'models.delete', { id: model.id });
    expect(left).toEqual([]);
    expect(await readdir(host.modelsDir)).toEqual([]);
    expect(existsSync(models.scripted)).toBe(true);
    const outcome = await host.host.call('models.delete', { id: model.id });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'MODEL_NOT_FOUND' } });
  });
});
