/**
 * The host's app settings (model source, Offline, the local API), read once when a page first
 * needs them and then kept current by `settings.changed`. A workshop participant may not read
 * them, so nothing asks for them before a page does.
 */
import type { SettingsPatch, SettingsView } from '#shared/settings.ts';
import { sliceSetter, type Slice, type SliceContext } from '../slice.ts';

export interface SettingsState {
  /** null until read. */
  view: SettingsView | null;
}

export const initialSettingsState: SettingsState = { view: null };

export interface SettingsActions {
  /** Reads the settings unless they are read already; rejects with the failure, for the page to show its way. */
  load(): Promise<void>;
  /**
   * Saves a change. With `showAtOnce`, it shows before the host answers and a refusal puts the
   * saved values back. Rejects with the failure.
   */
  update(patch: SettingsPatch, options?: { showAtOnce?: boolean }): Promise<void>;
}

export function createSettingsSlice(ctx: SliceContext): Slice<SettingsActions> {
  const { api } = ctx;
  const set = sliceSetter(ctx, 'settings');
  const read = (): Promise<void> => api.call('settings.get', {}).then((view) => set({ view }));
  /** The first read, shared by the pages that ask while it runs; cleared when it fails, so the next ask tries again. */
  let firstRead: Promise<void> | null = null;

  return {
    actions: {
      load() {
        firstRead ??= read().catch((error: unknown) => {
          firstRead = null;
          throw error;
        });
        return firstRead;
      },
      async update(patch, options = {}) {
        if (options.showAtOnce === true) set((settings) => (settings.view === null ? settings : { view: { ...settings.view, values: { ...settings.view.values, ...patch } } }));
        try {
          const view = await api.call('settings.update', patch);
          set({ view });
        } catch (error) {
          if (options.showAtOnce === true) await read();
          throw error;
        }
      },
    },
    follow: () => [api.on('settings.changed', (view) => set({ view }))],
    reconnected() {
      // Changes made while the link was down came with no event.
      if (ctx.getState().settings.view !== null) read().catch((error: unknown) => ctx.actions().error.showError(error));
    },
  };
}

declare module '../slice.ts' {
  interface AppState {
    settings: SettingsState;
  }
  interface SliceActions {
    settings: SettingsActions;
  }
}
