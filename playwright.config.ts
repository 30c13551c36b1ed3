import { defineConfig } from '@playwright/test';

/** Debian's Chromium: the machine cannot download Playwright's own browser builds. */
export const CHROMIUM_PATH = process.env.ENCLAVE_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'test/e2e',
  timeout: 60_000,
  // Each spec starts its own web host, so its first answer waits for a cold engine process and a
  // model load; on a 2-core machine shared with other work that passes Playwright's default 5 s.
  // A bound against a hang, not a measure: every expectation passes as soon as it holds.
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    },
    screenshot: 'only-on-failure',
    trace: 'off',
  },
});
