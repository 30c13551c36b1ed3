/**
 * Speeds predicted before download, in a real browser against the built web host: the first visit
 * to the Models page measures this computer's speed in the background (the engine process's
 * calibration, real node-llama-cpp), then every catalog card shows its predicted tokens/s beside
 * its badges, in French and in English; "Measure again" measures anew. Screenshots go to
 * /tmp/shots-speed-prediction.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { CATALOG } from '../../electron/services/models/catalog.ts';
import type { SpeedCalibration } from '#shared/speed.ts';
import { predictFileSpeed, roundRate } from '../../renderer/src/features/library/speed-prediction.ts';
import { test as base, expect } from './web-host.fixture.ts';
import { shotsDir } from './shots.ts';

const SHOTS = shotsDir('speed-prediction');
const MODEL = CATALOG.find((model) => model.id === 'qwen2.5-0.5b-instruct') ?? CATALOG[0];

// One thread: other processes sharing this machine's cores then slow the calibration less (two
// spinning threads collapse when a third process takes one of two cores).
const test = base.extend<object, { webHostEnv: Record<string, string> }>({
  webHostEnv: [{ ENCLAVE_THREADS: '1', ENCLAVE_SPEED_CALIBRATION: 'auto' }, { scope: 'worker' }],
});

test.use({ webHostSpec: import.meta.filename });
test.describe.configure({ mode: 'serial', timeout: 180_000 });
test.beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
});

async function storedCalibration(dataDir: string): Promise<SpeedCalibration | null> {
  const settings = JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8')) as { speedCalibration?: SpeedCalibration | null };
  return settings.speedCalibration ?? null;
}

/** The card's prediction as the page must write it, from the calibration the host stored (on this CPU-only machine). */
function expectedText(calibration: SpeedCalibration, language: 'fr-FR' | 'en-US'): string {
  const file = MODEL?.files.find((candidate) => candidate.quant === MODEL.defaultQuant);
  if (file === undefined) throw new Error('no catalog file');
  const hardware = {
    backend: 'cpu' as const,
    engineBuild: 'prebuilt' as const,
    gpuNames: [],
    totalRamBytes: 0,
    freeRamBytes: 0,
    totalVramBytes: 0,
    freeVramBytes: 0,
    unifiedMemoryBytes: 0,
    cpuCores: 1,
  };
  const predicted = predictFileSpeed(calibration, hardware, file, undefined);
  if (predicted === null) throw new Error('no prediction');
  const rate = roundRate(predicted.tokensPerSecond);
  const shown = new Intl.NumberFormat(language, { maximumFractionDigits: 2 }).format(rate);
  const one = new Intl.PluralRules(language).select(rate) === 'one';
  return language === 'fr-FR' ? `environ ${shown} ${one ? 'jeton' : 'jetons'}/s ici` : `about ${shown} ${one ? 'token' : 'tokens'}/s here`;
}

async function waitForCalibration(page: Page): Promise<void> {
  await expect(page.getByTestId('speed-calibration')).toHaveAttribute('data-state', 'ready', { timeout: 150_000 });
}

test.describe('in French', () => {
  test.use({ locale: 'fr-FR', viewport: { width: 1024, height: 640 } });

  test('the first visit measures this computer, then each model shows its predicted speed', async ({ page, webHost }) => {
    expect(await storedCalibration(webHost.dataDir)).toBeNull();
    await page.goto(`${webHost.url}/#/models`);
    const panel = page.getByTestId('machine-panel');
    await waitForCalibration(page);
    const calibration = await storedCalibration(webHost.dataDir);
    expect(calibration).not.toBeNull();
    if (calibration === null) return;
    expect(calibration.gpu).toBeNull();
    await expect(panel.getByTestId('speed-facts')).toContainText('Vitesse mesurée ici\u00a0: poids lus à');
    const card = page.getByTestId(`catalog-${MODEL?.id}`);
    await expect(card.getByTestId('speed-prediction')).toHaveText(expectedText(calibration, 'fr-FR'));
    await expect(card.getByTestId('speed-prediction')).toHaveAttribute('title', /processeur/);
    await card.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'models-fr-1024.png') });
  });
});

test.describe('in English', () => {
  test.use({ locale: 'en-US', viewport: { width: 1280, height: 800 } });

  test('the stored calibration is used at once, measuring again replaces it, and another machine’s is measured anew', async ({ page, webHost }) => {
    const before = await storedCalibration(webHost.dataDir);
    expect(before).not.toBeNull();
    if (before === null) return;
    await page.goto(`${webHost.url}/#/models`);
    const card = page.getByTestId(`catalog-${MODEL?.id}`);
    await expect(card.getByTestId('speed-prediction')).toHaveText(expectedText(before, 'en-US'));
    await page.screenshot({ path: join(SHOTS, 'models-en-1280.png') });

    await page.getByTestId('speed-recalibrate').click();
    await waitForCalibration(page);
    const after = await storedCalibration(webHost.dataDir);
    expect(after?.measuredAt).not.toBe(before.measuredAt);
    if (after === null) return;
    await expect(card.getByTestId('speed-prediction')).toHaveText(expectedText(after, 'en-US'));

    // Measured on another machine (a changed CPU, memory or GPU): not used, measured again here.
    const file = join(webHost.dataDir, 'settings.json');
    const settings = JSON.parse(await readFile(file, 'utf8')) as { speedCalibration: SpeedCalibration };
    await writeFile(file, JSON.stringify({ ...settings, speedCalibration: { ...settings.speedCalibration, fingerprint: 'another machine' } }));
    await page.reload();
    await waitForCalibration(page);
    const again = await storedCalibration(webHost.dataDir);
    expect(again?.fingerprint).toBe(after.fingerprint);
    expect(again?.measuredAt).not.toBe(after.measuredAt);
  });
});
