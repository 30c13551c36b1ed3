/** The optional engine build's manifest (what the engine reads at start) and the options it is built with. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineCmakeOptions } from '../../../electron/engine/local-build/build.ts';
import { readLocalEngineBuild, serializeLocalEngineBuild, type LocalEngineBuild } from '../../../electron/engine/local-build/manifest.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'enclave-engine-build-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const build: LocalEngineBuild = {
  cmakeOptions: { GGML_OPENMP: 'ON', GGML_NATIVE: 'ON' },
  release: 'b1234',
  nodeLlamaCpp: '3.21.1',
  cpuVariant: 'znver4',
  builtAt: '2026-12-03T16:00:00.000Z',
};

describe('the local engine build manifest', () => {
  it('reads back what the build wrote', async () => {
    const path = join(dir, 'ok.json');
    await writeFile(path, serializeLocalEngineBuild(build));
    expect(await readLocalEngineBuild(path)).toEqual(build);
  });

  it('is null when there is none, and when it cannot be read: the prebuilt binaries load', async () => {
    expect(await readLocalEngineBuild(join(dir, 'missing.json'))).toBeNull();
    const truncated = join(dir, 'truncated.json');
    await writeFile(truncated, serializeLocalEngineBuild(build).slice(0, 40));
    expect(await readLocalEngineBuild(truncated)).toBeNull();
    const wrongShape = join(dir, 'wrong.json');
    await writeFile(wrongShape, JSON.stringify({ ...build, cmakeOptions: { GGML_OPENMP: true } }));
    expect(await readLocalEngineBuild(wrongShape)).toBeNull();
  });
});

describe('the options the engine is built with', () => {
  it('asks for OpenMP and the CPU’s own instructions', () => {
    expect(engineCmakeOptions({ gccMajor: 13, nativeAmx: true })).toEqual({ GGML_OPENMP: 'ON', GGML_NATIVE: 'ON' });
    expect(engineCmakeOptions({ gccMajor: null, nativeAmx: false })).toEqual({ GGML_OPENMP: 'ON', GGML_NATIVE: 'ON' });
  });

  it('turns off the optimisations GCC 12 miscompiles in ggml’s AMX code, only where AMX is on', () => {
    const options = engineCmakeOptions({ gccMajor: 12, nativeAmx: true });
    expect(options.CMAKE_C_FLAGS).toContain('-fno-tree-dse');
    expect(options.CMAKE_CXX_FLAGS).toBe(options.CMAKE_C_FLAGS);
    expect(engineCmakeOptions({ gccMajor: 12, nativeAmx: false })).not.toHaveProperty('CMAKE_C_FLAGS');
  });
});
