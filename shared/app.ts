/** The app itself: which host serves it, its version and its folders. */
import { z } from 'zod';

export interface AppInfo {
  version: string;
  host: 'electron' | 'web';
  modelsDir: string;
  dataDir: string;
  /** Set when this window is a workshop participant's: the app shows only the chat. */
  participant?: { name: string };
}

export const appCommandSchemas = {
  'app.info': z.strictObject({}),
} as const;

export interface AppCommandResults {
  'app.info': AppInfo;
}
