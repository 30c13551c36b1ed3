/** What the loaded llama.cpp is: which build, and whether it keeps its threads between tokens. */
import type { Llama } from 'node-llama-cpp';
import type { EngineBuild } from '#shared/models.ts';

/** The build `npm run engine:build` made here, or node-llama-cpp's prebuilt binaries. */
export function engineBuildOf(llama: Llama): EngineBuild {
  return llama.buildType === 'localBuild' ? 'local' : 'prebuilt';
}

/** Whether llama.cpp keeps its threads between tokens: built with OpenMP (as `npm run engine:build` builds it; the prebuilt binaries are not). */
export function hasThreadPool(llama: Llama): boolean {
  return /\bOPENMP = 1\b/.test(llama.systemInfo);
}
