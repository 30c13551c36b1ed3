import { z } from 'zod';

/**
 * App settings kept by the host (electron-store in the Electron host, conf in the web host: the
 * same file format). Each feature adds its own fields here with a default.
 */
export const settingsSchema = z.object({
  /** No network at all, not even for downloads the user starts. ENCLAVE_OFFLINE=1 forces it on. */
  offline: z.boolean(),
});
export type Settings = z.infer<typeof settingsSchema>;

export const DEFAULT_SETTINGS: Settings = {
  offline: false,
};

export const settingsPatchSchema = settingsSchema.partial().strict();
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

/** Settings as the renderer sees them: the values, and which of them the environment forces. */
export interface SettingsView {
  values: Settings;
  /** Keys fixed by an environment variable; the UI shows them locked. */
  locked: (keyof Settings)[];
}
