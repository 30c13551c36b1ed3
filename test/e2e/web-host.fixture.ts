/**
 * Playwright fixtures: each spec file gets a web host of its own (the built out/main/web.js,
 * exactly what `npm run web` starts) on a fresh temporary data folder and models folder, so no
 * spec sees what another left, and any spec runs alone or in any order.
 *
 * How: the host is a worker fixture, and every spec file declares itself with
 * `test.use({ webHostSpec: import.meta.filename })`. A worker option set to a different value
 * forces a different worker, so Playwright never hands one spec's worker (browser, host, data)
 * to another spec. A spec that forgets the line, or names another file, fails at its first test.
 */
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test as base } from '@playwright/test';
import { ensureFixtureModels } from '../fixtures/gguf/scripted.ts';
import { startBuiltWebHost } from '../support/built-web-host.ts';
import { sharedModel } from '../support/shared-models.ts';

/** The real stories260K model with a ChatML template, from ../shared/models when present. */
export const SHARED_STORIES = sharedModel('stories260K-chatml.gguf');

export interface WebHost {
  url: string;
  dataDir: string;
  modelsDir: string;
  /** Kills the web host (SIGKILL: no cleanup, like a crash) and starts it again on the same data; `url` follows. */
  killAndRestart(): Promise<string>;
}

interface WorkerFixtures {
  webHost: WebHost;
  webHostEnv: Record<string, string>;
  /** The spec file this worker's web host belongs to (`import.meta.filename`). */
  webHostSpec: string;
}

export const test = base.extend<{ oneSpecPerHost: undefined }, WorkerFixtures>({
  /** Extra environment for the web host (e.g. ENCLAVE_HF_ENDPOINT); a spec overrides it. */
  webHostEnv: [{}, { scope: 'worker', option: true }],
  webHostSpec: ['', { scope: 'worker', option: true }],
  webHost: [
    async ({ webHostEnv, webHostSpec }, use) => {
      if (webHostSpec === '') throw new Error('this spec shares no web host: add test.use({ webHostSpec: import.meta.filename }) at its top level');
      const dataDir = await mkdtemp(join(tmpdir(), `enclave-e2e-${basename(webHostSpec, '.spec.ts')}-`));
      const modelsDir = join(dataDir, 'models');
      await mkdir(modelsDir, { recursive: true });
      const fixtures = await ensureFixtureModels();
      for (const file of [fixtures.scripted, fixtures.endless, fixtures.reasoning]) await copyFile(file, join(modelsDir, basename(file)));
      if (SHARED_STORIES.found) await copyFile(SHARED_STORIES.path, join(modelsDir, basename(SHARED_STORIES.path)));
      // The speed calibration only when a spec asks for it (speed-prediction.spec.ts): run by every
      // spec's first visit to the Models page it would take the cores from the others.
      const env = { ENCLAVE_SPEED_CALIBRATION: 'manual', ...webHostEnv };
      let { url, child } = await startBuiltWebHost(dataDir, modelsDir, env);
      const webHost: WebHost = {
        url,
        dataDir,
        modelsDir,
        async killAndRestart() {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGKILL');
          await exited;
          ({ url, child } = await startBuiltWebHost(dataDir, modelsDir, env));
          webHost.url = url;
          return url;
        },
      };
      await use(webHost);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dataDir, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],
  /** Every test checks that its worker's host was started for its own file. */
  oneSpecPerHost: [
    async ({ webHostSpec }, use, testInfo) => {
      if (webHostSpec !== testInfo.file) {
        throw new Error(`${testInfo.file} must have a web host of its own: add test.use({ webHostSpec: import.meta.filename }) at its top level (it has ${JSON.stringify(webHostSpec)})`);
      }
      await use(undefined);
    },
    { auto: true },
  ],
});

export { expect } from '@playwright/test';
