/** The model menu at the top of the chat, as a user works it: open it, choose, rescan. */
import type { Locator, Page } from '@playwright/test';
import { expect } from './web-host.fixture.ts';

/** Opens the model menu (when closed) and returns its panel. */
export async function openModelMenu(page: Page): Promise<Locator> {
  const panel = page.getByTestId('model-menu-panel');
  if ((await page.getByTestId('model-menu').getAttribute('aria-expanded')) !== 'true') await page.getByTestId('model-menu').click();
  await expect(panel).toBeVisible();
  return panel;
}

export function modelOption(page: Page, modelId: string): Locator {
  return page.locator(`[data-testid="model-option"][data-model-id="${modelId}"]`);
}

/** Chooses a model in the menu, which closes. */
export async function chooseModel(page: Page, modelId: string): Promise<void> {
  await openModelMenu(page);
  await modelOption(page, modelId).click();
  await expect(page.getByTestId('model-menu-panel')).toHaveCount(0);
}

/** Rescans the models folder from the menu, left open on the new list. */
export async function rescanModels(page: Page): Promise<void> {
  const panel = await openModelMenu(page);
  await panel.getByTestId('rescan').click();
  await expect(panel.getByTestId('rescan')).toBeEnabled();
}
