/**
 * Settings over conf's store (electron-store is conf with Electron's defaults, so both hosts
 * pass an instance of the same engine). Values are validated with the shared zod schema on the
 * way in and on the way out, so a hand-edited or older file can never feed the app a bad value.
 */
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import Conf from 'conf';
import { EnclaveError } from '#shared/errors.ts';
import { apiSettingsFromEnv } from '../api/api-env.ts';
import { DEFAULT_SETTINGS, settingsSchema, type Settings, type SettingsPatch, type SettingsView } from '#shared/settings.ts';

export const SETTINGS_FILE_NAME = 'settings';

/** What the service needs of conf or electron-store. */
export interface SettingsBackend {
  readonly store: Record<string, unknown>;
  set(values: Record<string, unknown>): void;
}

/** Options shared by conf (web host, tests) and electron-store (desktop): same file, same place. */
export interface SettingsBackendOptions {
  cwd: string;
  configName: string;
  projectName: string;
  defaults: Record<string, unknown>;
  configFileMode: number;
}

/** Opens the settings file with `create`; a file that is not JSON is moved aside, never silently wiped. */
export function openSettings(
  dataDir: string,
  create: (options: SettingsBackendOptions) => SettingsBackend = (options) => new Conf<Record<string, unknown>>(options),
): { backend: SettingsBackend; movedAside: string | null } {
  // Only the user may read the file: the web host keeps servers' API keys in it as they are.
  const options = { cwd: dataDir, configName: SETTINGS_FILE_NAME, projectName: 'enclave', defaults: { ...DEFAULT_SETTINGS }, configFileMode: 0o600 };
  try {
    return { backend: create(options), movedAside: null };
  } catch (error) {
    const file = join(dataDir, `${SETTINGS_FILE_NAME}.json`);
    if (!(error instanceof SyntaxError) || !existsSync(file)) throw error;
    const movedAside = `${file}.corrupt-${Date.now()}`;
    renameSync(file, movedAside);
    return { backend: create(options), movedAside };
  }
}

/** ENCLAVE_HF_ENDPOINT (a mirror, or a local test server) fixes the Hugging Face endpoint setting. */
function hfEndpointFromEnv(env: NodeJS.ProcessEnv): Partial<Settings> {
  const endpoint = env.ENCLAVE_HF_ENDPOINT?.trim().replace(/\/+$/, '');
  return endpoint === undefined || endpoint === '' ? {} : { hfEndpoint: endpoint };
}

export class SettingsService {
  private readonly backend: SettingsBackend;
  private readonly forced: Partial<Settings>;
  private readonly onChange: (view: SettingsView) => void;

  constructor(backend: SettingsBackend, env: NodeJS.ProcessEnv, onChange: (view: SettingsView) => void) {
    this.backend = backend;
    this.onChange = onChange;
    this.forced = { ...(env.ENCLAVE_OFFLINE === '1' ? { offline: true } : {}), ...apiSettingsFromEnv(env), ...hfEndpointFromEnv(env) };
  }

  get values(): Settings {
    const stored = this.backend.store;
    const values = { ...DEFAULT_SETTINGS };
    // Field by field, so one bad value falls back to its default without losing the others.
    for (const key of Object.keys(settingsSchema.shape) as (keyof Settings)[]) {
      const parsed = settingsSchema.shape[key].safeParse(stored[key]);
      // Each key's schema parses that key's own type; TypeScript cannot pair them through the loop.
      if (parsed.success) (values as Record<keyof Settings, unknown>)[key] = parsed.data;
    }
    return { ...values, ...this.forced };
  }

  view(): SettingsView {
    return { values: this.values, locked: Object.keys(this.forced) as (keyof Settings)[] };
  }

  /** A client's patch (validated by the router), or the host's own values (a speed calibration). */
  update(patch: SettingsPatch | Pick<Partial<Settings>, 'speedCalibration'>): SettingsView {
    const lockedKey = Object.keys(patch).find((key) => key in this.forced);
    if (lockedKey !== undefined) {
      throw new EnclaveError('FORBIDDEN', `${lockedKey} is fixed by the environment`, { setting: lockedKey });
    }
    this.backend.set(patch);
    const view = this.view();
    this.onChange(view);
    return view;
  }
}
