/**
 * Builds llama.cpp's own `llama-bench` from the source node-llama-cpp bundles in its npm package
 * (node_modules/node-llama-cpp/llama/gitRelease.bundle: the exact llama.cpp release of the
 * prebuilt binaries), offline, in a cache folder outside the repository. The benchmark compares
 * Enclave's generation speed with it; nothing else depends on it, and `npm test` never builds it.
 *
 *   node test/bench/llama-bench-build.ts                   # `prebuilt`, the benchmark's reference
 *   node test/bench/llama-bench-build.ts prebuilt openmp   # the variants named
 *
 * Variants:
 *  - `prebuilt`: llama-bench, libllama and libggml-base built here (shared, backends loaded at run
 *    time, no CPU backend built), with node-llama-cpp's own prebuilt CPU backend libraries copied
 *    beside it. Same kernels and same ggml threading code as node-llama-cpp; the one difference is
 *    that llama-bench keeps one ggml thread pool for the whole run, where node-llama-cpp's addon
 *    attaches none and ggml starts its workers anew for every token.
 *  - `openmp`: llama.cpp as a user builds it (static, OpenMP threads), for the CPU flags of the
 *    prebuilt variant this CPU loads, without AMX (built here, the AMX kernels died with SIGILL on
 *    prompts in this VM, while the prebuilt ones ran).
 *
 * Needs git, cmake and a C++ compiler. Cache: ENCLAVE_LLAMA_BENCH_DIR, default ~/.cache/enclave-llama-bench.
 */
import { bundledLlamaCppRelease } from '../../electron/engine/local-build/manifest.ts';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const NODE_MODULES = join(import.meta.dirname, '..', '..', 'node_modules');
const LLAMA_DIR = join(NODE_MODULES, 'node-llama-cpp', 'llama');
/** node-llama-cpp's prebuilt CPU binaries for this platform (the package it installs for linux-x64). */
const PREBUILT_BINS = join(NODE_MODULES, '@node-llama-cpp', `${process.platform}-${process.arch}`, 'bins', `${process.platform}-${process.arch}`);

export const LLAMA_BENCH_CACHE = process.env.ENCLAVE_LLAMA_BENCH_DIR ?? join(homedir(), '.cache', 'enclave-llama-bench');

export const LLAMA_BENCH_VARIANTS = ['prebuilt', 'openmp'] as const;
export type LlamaBenchVariant = (typeof LLAMA_BENCH_VARIANTS)[number];

export function llamaBenchPath(release: string, variant: LlamaBenchVariant): string {
  return join(LLAMA_BENCH_CACHE, release, `build-${variant}`, 'bin', 'llama-bench');
}

/** The binary if it was built, or why there is none (for the benchmark's report). */
export async function findLlamaBench(variant: LlamaBenchVariant): Promise<{ path: string } | { missing: string }> {
  const release = await bundledLlamaCppRelease();
  const path = llamaBenchPath(release, variant);
  if (existsSync(path)) return { path };
  return { missing: `${path} not built (run \`node test/bench/llama-bench-build.ts ${variant}\`; needs git, cmake and a C++ compiler)` };
}

function run(command: string, args: readonly string[], cwd?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`))));
  });
}

/** ggml's x86 feature options and the /proc/cpuinfo flag each needs. */
const X86_FEATURE_FLAGS: Record<string, string> = {
  SSE42: 'sse4_2',
  AVX: 'avx',
  F16C: 'f16c',
  FMA: 'fma',
  AVX2: 'avx2',
  BMI2: 'bmi2',
  AVX_VNNI: 'avx_vnni',
  AVX512: 'avx512f',
  AVX512_VBMI: 'avx512vbmi',
  AVX512_VNNI: 'avx512_vnni',
  AVX512_BF16: 'avx512_bf16',
  AMX_TILE: 'amx_tile',
  AMX_INT8: 'amx_int8',
  AMX_BF16: 'amx_bf16',
};

/**
 * The CPU variant the prebuilt binaries load on this machine (they ship one ggml-cpu library per
 * x86 variant and pick the best the CPU supports), read from ggml's own variant list.
 * `-march=native` is not used: it also turns AMX on.
 */
export async function prebuiltCpuVariant(source: string): Promise<{ name: string; features: string[] } | null> {
  if (process.arch !== 'x64' || process.platform !== 'linux') return null;
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const flags = new Set(/^flags\s*:(.*)$/m.exec(cpuinfo)?.[1]?.trim().split(/\s+/) ?? []);
  const cmake = await readFile(join(source, 'ggml', 'src', 'CMakeLists.txt'), 'utf8');
  const start = cmake.indexOf('ggml_add_cpu_backend_variant(x64');
  if (start === -1) return null;
  const x86 = cmake.slice(start, cmake.indexOf('GGML_SYSTEM_ARCH STREQUAL "ARM"', start));
  let best: { name: string; features: string[] } | null = null;
  for (const match of x86.matchAll(/ggml_add_cpu_backend_variant\((\w+)([^)]*)\)/g)) {
    const features = (match[2] ?? '')
      .trim()
      .split(/\s+/)
      .filter((feature) => feature !== '');
    const supported = features.every((feature) => {
      const flag = X86_FEATURE_FLAGS[feature];
      return flag !== undefined && flags.has(flag);
    });
    if (supported && (best === null || features.length >= best.features.length)) best = { name: match[1] ?? '', features };
  }
  return best;
}

export async function buildLlamaBench(variant: LlamaBenchVariant): Promise<string> {
  const release = await bundledLlamaCppRelease();
  const root = join(LLAMA_BENCH_CACHE, release);
  const source = join(root, 'src');
  for (const tool of ['git', 'cmake']) {
    await execFileAsync(tool, ['--version']).catch(() => {
      throw new Error(`${tool} is needed to build llama-bench`);
    });
  }
  if (!existsSync(join(source, 'CMakeLists.txt'))) {
    await run('git', ['clone', '--quiet', join(LLAMA_DIR, 'gitRelease.bundle'), source]);
  }
  const build = join(root, `build-${variant}`);
  let options: string[];
  let cpuVariant: string;
  if (variant === 'prebuilt') {
    const prebuiltCpu = (await readdir(PREBUILT_BINS).catch(() => [])).filter((name) => /^libggml-cpu.*\.so$/.test(name));
    if (prebuiltCpu.length === 0) throw new Error(`no prebuilt CPU backend libraries in ${PREBUILT_BINS}`);
    options = ['-DBUILD_SHARED_LIBS=ON', '-DGGML_BACKEND_DL=ON', '-DGGML_CPU=OFF', '-DGGML_NATIVE=OFF', '-DGGML_OPENMP=OFF'];
    cpuVariant = `node-llama-cpp's prebuilt (${prebuiltCpu.length} variants)`;
  } else {
    const cpu = await prebuiltCpuVariant(source);
    const features = (cpu?.features ?? []).filter((feature) => !feature.startsWith('AMX'));
    options = [
      '-DBUILD_SHARED_LIBS=OFF',
      '-DGGML_OPENMP=ON',
      ...(cpu === null ? ['-DGGML_NATIVE=ON'] : ['-DGGML_NATIVE=OFF', ...Object.keys(X86_FEATURE_FLAGS).map((feature) => `-DGGML_${feature}=${features.includes(feature) ? 'ON' : 'OFF'}`)]),
    ];
    cpuVariant = cpu === null ? 'native' : `${cpu.name} without AMX`;
  }
  console.log(`llama-bench ${variant}: CPU ${cpuVariant}`);
  await run('cmake', [
    '-S',
    source,
    '-B',
    build,
    '-DCMAKE_BUILD_TYPE=Release',
    ...options,
    '-DLLAMA_CURL=OFF',
    '-DLLAMA_OPENSSL=OFF',
    '-DLLAMA_BUILD_TESTS=OFF',
    '-DLLAMA_BUILD_EXAMPLES=OFF',
    '-DLLAMA_BUILD_SERVER=OFF',
    '-DLLAMA_BUILD_APP=OFF',
    '-DGGML_ALL_WARNINGS=OFF',
    '-DLLAMA_ALL_WARNINGS=OFF',
  ]);
  await run('cmake', ['--build', build, '--target', 'llama-bench', '--config', 'Release', '-j', String(availableParallelism())]);
  const path = llamaBenchPath(release, variant);
  if (!existsSync(path)) throw new Error(`the build finished but ${path} is missing`);
  if (variant === 'prebuilt') {
    // ggml loads the best libggml-cpu-*.so it finds beside the executable.
    for (const name of await readdir(PREBUILT_BINS)) {
      if (/^libggml-cpu.*\.so$/.test(name)) await copyFile(join(PREBUILT_BINS, name), join(build, 'bin', name));
    }
  }
  await writeFile(join(build, 'enclave-build.json'), `${JSON.stringify({ release, variant, cpuVariant }, null, 2)}\n`);
  return path;
}

if (import.meta.main) {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((name) => !(LLAMA_BENCH_VARIANTS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`unknown variant ${unknown.join(', ')}; variants: ${LLAMA_BENCH_VARIANTS.join(', ')}`);
  for (const variant of asked.length === 0 ? ['prebuilt' as const] : (asked as LlamaBenchVariant[])) console.log(await buildLlamaBench(variant));
}
