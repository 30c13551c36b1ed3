/** The settings' commands. */
import type { settingsCommandSchemas } from '#shared/settings.ts';
import type { Handlers } from '../../router/router.ts';
import type { SettingsService } from './settings.ts';

export function settingsHandlers(settings: SettingsService): Handlers<keyof typeof settingsCommandSchemas> {
  return {
    'settings.get': () => settings.view(),
    'settings.update': (input) => settings.update(input),
  };
}
