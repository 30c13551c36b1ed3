/**
 * Playwright fixtures: each worker gets its own data folder, models folder and web host process
 * (the built out/main/web.js, exactly what `npm run web` starts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test as base } from '@playwright/test';
import { ensureFixtureModels } from '../fixtures/gguf/scripted.ts';

const ROOT = join(import.meta.dirname, '..', '..');
export const SHARED_STORIES = join(ROOT, '..', 'shared', 'models', 'stories260K-chatml.gguf');

export interface WebHost {
  url: string;
  dataDir: string;
  modelsDir: string;
}

async function startWebHost(dataDir: string, modelsDir: string): Promise<{ url: string; child: ChildProcess }> {
  const entry = join(ROOT, 'out', 'main', 'web.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` before the browser tests`);
  const child = spawn(process.execPath, [entry, '--port', '0'], {
    env: { ...process.env, ENCLAVE_DATA_DIR: dataDir, ENCLAVE_MODELS_DIR: modelsDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Enclave web host: (http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`the web host exited with code ${code}: ${output}`)));
  });
  return { url, child };
}

export const test = base.extend<object, { webHost: WebHost }>({
  webHost: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring form.
    async ({}, use) => {
      const dataDir = await mkdtemp(join(tmpdir(), 'enclave-e2e-'));
      const modelsDir = join(dataDir, 'models');
      await mkdir(modelsDir, { recursive: true });
      const fixtures = await ensureFixtureModels();
      for (const file of [fixtures.scripted, fixtures.endless]) await copyFile(file, join(modelsDir, basename(file)));
      if (existsSync(SHARED_STORIES)) await copyFile(SHARED_STORIES, join(modelsDir, basename(SHARED_STORIES)));
      const { url, child } = await startWebHost(dataDir, modelsDir);
      await use({ url, dataDir, modelsDir });
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      await rm(dataDir, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],
});

export { expect } from '@playwright/test';
