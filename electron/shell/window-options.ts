/** The main window's options, without Electron (main.ts passes them to BrowserWindow). */
import { secureWebPreferences } from './security.ts';

export const WINDOW_TITLE = 'Enclave';

/** Painted before the page, so the window does not flash white in dark mode. */
export const BACKGROUND_COLORS = { dark: '#111318', light: '#ffffff' } as const;

export function backgroundColor(dark: boolean): string {
  return dark ? BACKGROUND_COLORS.dark : BACKGROUND_COLORS.light;
}

/** `iconPath`: resources/icon.png (Linux and Windows show it in the title bar and task bar). */
export function mainWindowOptions(options: { preloadPath: string; iconPath: string; dark: boolean }) {
  return {
    width: 1200,
    height: 800,
    minWidth: 720,
    minHeight: 480,
    title: WINDOW_TITLE,
    // Shown on ready-to-show, once the first frame is painted.
    show: false,
    backgroundColor: backgroundColor(options.dark),
    icon: options.iconPath,
    webPreferences: secureWebPreferences(options.preloadPath),
  };
}
