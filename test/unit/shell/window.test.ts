import { describe, expect, it } from 'vitest';
import { backgroundColor, mainWindowOptions } from '../../../electron/shell/window-options.ts';

describe('mainWindowOptions', () => {
  it('opens one hidden 1200x800 "Enclave" window with the secure preferences and the preload', () => {
    const options = mainWindowOptions({ preloadPath: '/app/out/preload/preload.cjs', iconPath: '/app/resources/icon.png', dark: false });
    expect(options).toMatchObject({ width: 1200, height: 800, title: 'Enclave', show: false, icon: '/app/resources/icon.png' });
    expect(options.minWidth).toBeLessThanOrEqual(options.width);
    expect(options.minHeight).toBeLessThanOrEqual(options.height);
    expect(options.webPreferences).toMatchObject({ preload: '/app/out/preload/preload.cjs', contextIsolation: true, sandbox: true, nodeIntegration: false });
  });

  it('paints the background of the current theme before the page', () => {
    expect(mainWindowOptions({ preloadPath: 'p', iconPath: 'i', dark: true }).backgroundColor).toBe(backgroundColor(true));
    expect(backgroundColor(true)).not.toBe(backgroundColor(false));
    expect(backgroundColor(false)).toMatch(/^#[0-9a-f]{6}$/);
  });
});
