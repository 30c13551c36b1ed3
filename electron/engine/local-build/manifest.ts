/**
 * The optional engine build made on this machine by `npm run engine:build` (see build.ts): llama.cpp
 * compiled by node-llama-cpp from the source it bundles, with OpenMP, for this CPU's features.
 *
 * node-llama-cpp keeps local builds in its own package folder, under a name hashed from the CMake
 * options they were built with, and loads one only when getLlama is given the same options. So the
 * build writes those options beside it in a manifest, and the engine reads them at start: with the
 * manifest and its build present, getLlama loads the local build; without them, the prebuilt binaries
 * (the default). A reinstall (`npm ci`) removes both together.
 */
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as z from 'zod';

const LocalEngineBuildSchema = z.object({
  /** The CMake options given to node-llama-cpp; getLlama must be given the same ones. */
  cmakeOptions: z.record(z.string(), z.string()),
  /** The llama.cpp release built (node-llama-cpp's bundled one). */
  release: z.string(),
  nodeLlamaCpp: z.string(),
  /** ggml's CPU variant whose features were turned on, for the report. */
  cpuVariant: z.string(),
  builtAt: z.string(),
});
export type LocalEngineBuild = z.infer<typeof LocalEngineBuildSchema>;

const MANIFEST_NAME = 'enclave-engine-build.json';

/** ENCLAVE_ENGINE_BUILD=prebuilt: the prebuilt binaries even where a local build exists. */
export function engineBuildChoice(env: NodeJS.ProcessEnv): 'auto' | 'prebuilt' {
  return env.ENCLAVE_ENGINE_BUILD === 'prebuilt' ? 'prebuilt' : 'auto';
}

/** node-llama-cpp's package folder (resolved from where it is installed, not from the repository). */
export function nodeLlamaCppDirectory(): string {
  const entry = createRequire(import.meta.url).resolve('node-llama-cpp');
  // …/node-llama-cpp/dist/index.js
  return dirname(dirname(entry));
}

export async function nodeLlamaCppVersion(): Promise<string> {
  return (JSON.parse(await readFile(join(nodeLlamaCppDirectory(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** The llama.cpp release node-llama-cpp bundles (its prebuilt binaries' and its source bundle's). */
export async function bundledLlamaCppRelease(): Promise<string> {
  return (JSON.parse(await readFile(join(nodeLlamaCppDirectory(), 'llama', 'llama.cpp.info.json'), 'utf8')) as { tag: string }).tag;
}

export function localBuildsDirectory(): string {
  return join(nodeLlamaCppDirectory(), 'llama', 'localBuilds');
}

export function manifestPath(): string {
  return join(localBuildsDirectory(), MANIFEST_NAME);
}

/** The local build's manifest, or null when there is none (or it cannot be read: the prebuilt binaries then load). */
export async function readLocalEngineBuild(path = manifestPath()): Promise<LocalEngineBuild | null> {
  const text = await readFile(path, 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const parsed = LocalEngineBuildSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function serializeLocalEngineBuild(build: LocalEngineBuild): string {
  return `${JSON.stringify(LocalEngineBuildSchema.parse(build), null, 2)}\n`;
}
