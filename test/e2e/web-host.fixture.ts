/**
 * Playwright fixtures: each worker gets its own data folder, models folder and web host process
 * (the built out/main/web.js, exactly what `npm run web` starts).
 */
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test as base } from '@playwright/test';
import { ensureFixtureModels } from '../fixtures/gguf/scripted.ts';
import { startBuiltWebHost } from '../support/built-web-host.ts';

const ROOT = join(import.meta.dirname, '..', '..');
export const SHARED_STORIES = join(ROOT, '..', 'shared', 'models', 'stories260K-chatml.gguf');

export interface WebHost {
  url: string;
  dataDir: string;
  modelsDir: string;
  /** Kills the web host (SIGKILL: no cleanup, like a crash) and starts it again on the same data; `url` follows. */
  killAndRestart(): Promise<string>;
}

export const test = base.extend<object, { webHost: WebHost; webHostEnv: Record<string, string> }>({
  /** Extra environment for the web host (e.g. ENCLAVE_HF_ENDPOINT); a spec overrides it. */
  webHostEnv: [{}, { scope: 'worker', option: true }],
  webHost: [
    async ({ webHostEnv }, use) => {
      const dataDir = await mkdtemp(join(tmpdir(), 'enclave-e2e-'));
      const modelsDir = join(dataDir, 'models');
      await mkdir(modelsDir, { recursive: true });
      const fixtures = await ensureFixtureModels();
      for (const file of [fixtures.scripted, fixtures.endless, fixtures.reasoning]) await copyFile(file, join(modelsDir, basename(file)));
      if (existsSync(SHARED_STORIES)) await copyFile(SHARED_STORIES, join(modelsDir, basename(SHARED_STORIES)));
      let { url, child } = await startBuiltWebHost(dataDir, modelsDir, webHostEnv);
      const webHost: WebHost = {
        url,
        dataDir,
        modelsDir,
        async killAndRestart() {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGKILL');
          await exited;
          ({ url, child } = await startBuiltWebHost(dataDir, modelsDir, webHostEnv));
          webHost.url = url;
          return url;
        },
      };
      await use(webHost);
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      await rm(dataDir, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],
});

export { expect } from '@playwright/test';
