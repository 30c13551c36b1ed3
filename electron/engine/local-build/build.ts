/**
 * `npm run engine:build`: compiles llama.cpp for this machine through node-llama-cpp (from the source
 * its npm package bundles, offline), with OpenMP and this CPU's native instructions, and writes the
 * manifest the engine reads at start (manifest.ts). The prebuilt binaries stay the default: the app
 * never builds at run time, and uses this build only once it exists.
 *
 * Why: node-llama-cpp's prebuilt CPU binaries are built without OpenMP and attach no ggml thread
 * pool, so ggml starts its worker threads anew for every token; an OpenMP build keeps its threads.
 * Figures: docs/performance.md, "The engine built here".
 *
 *   npm run engine:build              # build, or restore it from the cache when already built
 *   npm run engine:build -- --force   # build again
 *   npm run engine:build -- --remove  # back to the prebuilt binaries
 *
 * Needs git, cmake and a C++ compiler; about 10 minutes on 2 cores. The result is kept in a cache
 * outside the repository (ENCLAVE_ENGINE_BUILD_CACHE, default ~/.cache/enclave-engine), keyed by the
 * node-llama-cpp version, the llama.cpp release and the options, so a reinstall restores it in seconds.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { getLlama, LlamaLogLevel } from 'node-llama-cpp';
import {
  bundledLlamaCppRelease,
  localBuildsDirectory,
  manifestPath,
  nodeLlamaCppDirectory,
  nodeLlamaCppVersion,
  readLocalEngineBuild,
  serializeLocalEngineBuild,
  type LocalEngineBuild,
} from './manifest.ts';

const execFileAsync = promisify(execFile);

const CACHE_ROOT = process.env.ENCLAVE_ENGINE_BUILD_CACHE ?? join(homedir(), '.cache', 'enclave-engine');

/** GCC 12 miscompiles parts of ggml's AMX code unless these optimisations are off (llama.cpp's build notes). */
const GCC12_AMX_WORKAROUND = '-fno-tree-dse -fno-dse -fno-tree-sra -fno-store-merging';

/**
 * The CMake options of the build: OpenMP threads and the CPU's own instructions (what llama.cpp's
 * own build does by default), plus GCC 12's workaround where `-march=native` turns AMX on.
 */
export function engineCmakeOptions(compiler: { gccMajor: number | null; nativeAmx: boolean }): Record<string, string> {
  const options: Record<string, string> = { GGML_OPENMP: 'ON', GGML_NATIVE: 'ON' };
  if (compiler.gccMajor === 12 && compiler.nativeAmx) {
    options.CMAKE_C_FLAGS = GCC12_AMX_WORKAROUND;
    options.CMAKE_CXX_FLAGS = GCC12_AMX_WORKAROUND;
  }
  return options;
}

async function inspectCompiler(): Promise<{ gccMajor: number | null; nativeAmx: boolean; march: string }> {
  const version = await execFileAsync('c++', ['-dumpfullversion', '-dumpversion']).catch(() => null);
  const help = await execFileAsync('c++', ['-march=native', '-Q', '--help=target']).catch(() => null);
  const isGcc = (await execFileAsync('c++', ['--version']).catch(() => null))?.stdout.includes('Free Software Foundation') ?? false;
  const text = help?.stdout ?? '';
  return {
    gccMajor: isGcc && version !== null ? Number.parseInt(version.stdout, 10) : null,
    nativeAmx: /-mamx-int8\s+\[enabled\]/.test(text),
    march: /-march=\s+(\S+)/.exec(text)?.[1] ?? 'native',
  };
}

async function requireTools(): Promise<void> {
  for (const [tool, args] of [
    ['git', ['--version']],
    ['cmake', ['--version']],
    ['c++', ['--version']],
  ] as const) {
    await execFileAsync(tool, [...args]).catch(() => {
      throw new Error(`${tool} is needed to build the engine (install git, cmake and a C++ compiler, then run npm run engine:build again)`);
    });
  }
}

/** What of a local build node-llama-cpp needs to load it (the rest is CMake's work files). */
const BUILD_PARTS = ['Release', 'buildDone.status'];

/** The finished local build folder node-llama-cpp wrote for these options (it names it by a hash of them), or null. */
async function findBuildFolder(cmakeOptions: Record<string, string>): Promise<string | null> {
  const root = localBuildsDirectory();
  for (const name of await readdir(root).catch(() => [])) {
    if (!existsSync(join(root, name, 'buildDone.status'))) continue;
    const metadata = await readFile(join(root, name, 'Release', '_nlcBuildMetadata.json'), 'utf8').catch(() => null);
    if (metadata === null) continue;
    const options = (JSON.parse(metadata) as { buildOptions?: { gpu?: unknown; customCmakeOptions?: Record<string, string> } }).buildOptions;
    if (options?.gpu === false && sameOptions(options.customCmakeOptions ?? {}, cmakeOptions)) return name;
  }
  return null;
}

function sameOptions(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => a[key] === b[key]);
}

/** Loads the build the way the engine does, and says what it is; throws when the prebuilt binaries load instead. */
async function verify(cmakeOptions: Record<string, string>): Promise<string> {
  const llama = await getLlama({ gpu: false, build: 'never', cmakeOptions, progressLogs: false, logLevel: LlamaLogLevel.error });
  try {
    if (llama.buildType !== 'localBuild') throw new Error('the engine would load the prebuilt binaries, not the local build');
    return llama.systemInfo;
  } finally {
    await llama.dispose();
  }
}

/**
 * What loading the build does not need: CMake's work files beside it (about 40 MB) and the llama.cpp
 * source node-llama-cpp cloned from its bundle to build (about 200 MB). A later build clones it again.
 */
async function pruneBuildFiles(folder: string): Promise<void> {
  const root = join(localBuildsDirectory(), folder);
  for (const name of await readdir(root)) {
    if (!BUILD_PARTS.includes(name)) await rm(join(root, name), { recursive: true, force: true });
  }
  await rm(join(nodeLlamaCppDirectory(), 'llama', 'llama.cpp'), { recursive: true, force: true });
}

async function remove(): Promise<void> {
  const build = await readLocalEngineBuild();
  const folder = build === null ? null : await findBuildFolder(build.cmakeOptions);
  if (folder !== null) await rm(join(localBuildsDirectory(), folder), { recursive: true, force: true });
  await rm(manifestPath(), { force: true });
  console.log('The engine uses node-llama-cpp’s prebuilt binaries again.');
}

async function build(force: boolean): Promise<void> {
  await requireTools();
  const compiler = await inspectCompiler();
  const cmakeOptions = engineCmakeOptions(compiler);
  const [nodeLlamaCpp, release] = await Promise.all([nodeLlamaCppVersion(), bundledLlamaCppRelease()]);
  const key = createHash('sha256')
    .update(JSON.stringify({ nodeLlamaCpp, release, cmakeOptions, compiler, node: process.versions.modules }))
    .digest('hex')
    .slice(0, 16);
  const cache = join(CACHE_ROOT, `${nodeLlamaCpp}-${release}-${key}`);
  const cachedManifest = join(cache, 'manifest.json');

  if (!force && existsSync(cachedManifest)) {
    const cached = await readLocalEngineBuild(cachedManifest);
    const folder = (await readdir(cache)).find((name) => name !== 'manifest.json');
    if (cached !== null && folder !== undefined) {
      await mkdir(localBuildsDirectory(), { recursive: true });
      await cp(join(cache, folder), join(localBuildsDirectory(), folder), { recursive: true });
      await writeFile(manifestPath(), serializeLocalEngineBuild(cached));
      const info = await verify(cmakeOptions);
      console.log(`Restored the engine built on ${cached.builtAt} from ${cache}.\n${info}`);
      return;
    }
  }

  // A build node-llama-cpp finished earlier for these options (the manifest or the cache lost) is kept.
  let folder = force ? null : await findBuildFolder(cmakeOptions);
  if (folder === null) {
    console.log(`Building llama.cpp ${release} for this CPU (${compiler.march}) with OpenMP, through node-llama-cpp ${nodeLlamaCpp}. About 10 minutes on 2 cores.`);
    const llama = await getLlama({
      gpu: false,
      build: 'forceRebuild',
      usePrebuiltBinaries: false,
      cmakeOptions,
      progressLogs: 'stderr',
      logLevel: LlamaLogLevel.warn,
      maxThreads: availableParallelism(),
    });
    await llama.dispose();
    folder = await findBuildFolder(cmakeOptions);
    if (folder === null) throw new Error(`node-llama-cpp built llama.cpp but no finished build in ${localBuildsDirectory()} has the options ${JSON.stringify(cmakeOptions)}`);
  }
  const manifest: LocalEngineBuild = { cmakeOptions, release, nodeLlamaCpp, cpuVariant: compiler.march, builtAt: new Date().toISOString() };
  await writeFile(manifestPath(), serializeLocalEngineBuild(manifest));
  const info = await verify(cmakeOptions);

  await rm(cache, { recursive: true, force: true });
  await mkdir(cache, { recursive: true });
  for (const part of BUILD_PARTS) await cp(join(localBuildsDirectory(), folder, part), join(cache, folder, part), { recursive: true });
  await pruneBuildFiles(folder);
  await writeFile(cachedManifest, serializeLocalEngineBuild(manifest));
  console.log(
    `Built ${join(localBuildsDirectory(), folder)} (kept in ${cache}).\n${info}\nThe engine loads it from its next start; npm run engine:build -- --remove goes back to the prebuilt binaries.`,
  );
}

if (import.meta.main) {
  const args = new Set(process.argv.slice(2));
  try {
    if (args.has('--remove')) await remove();
    else await build(args.has('--force'));
  } catch (error) {
    // A failed build never leaves the app without an engine: say why, without a stack trace.
    console.error(`npm run engine:build failed: ${error instanceof Error ? error.message : String(error)}\nWithout a finished build, the engine loads node-llama-cpp’s prebuilt binaries.`);
    process.exitCode = 1;
  }
}
