import { useCallback, useEffect, useState } from 'react';
import type { ApiStatus } from '../../../../shared/api.ts';
import type { ErrorCode } from '../../../../shared/errors.ts';
import type { ModelInfo } from '../../../../shared/models.ts';
import type { SettingsPatch, SettingsView } from '../../../../shared/settings.ts';
import { toEnclaveError } from '../../api/errors.ts';
import { useApi } from '../../api/react.tsx';

export interface LocalApiState {
  settings: SettingsView | null;
  status: ApiStatus | null;
  models: ModelInfo[];
  error: ErrorCode | null;
  update(patch: SettingsPatch): void;
}

/** The Local API page's data: its settings, the server's live status, and the models it offers. */
export function useLocalApi(): LocalApiState {
  const api = useApi();
  const [settings, setSettings] = useState<SettingsView | null>(null);
  const [status, setStatus] = useState<ApiStatus | null>(null);
  const [models, setModels] = useState<ModelInfo[]>([]);
  const [error, setError] = useState<ErrorCode | null>(null);
  const fail = (caught: unknown): void => setError(toEnclaveError(caught).code);

  useEffect(() => {
    api.call('settings.get', {}).then(setSettings, fail);
    api.call('api.status', {}).then(setStatus, fail);
    api.call('models.list', {}).then(setModels, fail);
    const offSettings = api.on('settings.changed', setSettings);
    const offStatus = api.on('api.status', setStatus);
    return () => {
      offSettings();
      offStatus();
    };
  }, [api]);

  const update = useCallback(
    (patch: SettingsPatch) => {
      setError(null);
      // Shown at once; the host's answer (or settings.changed) confirms it, a refusal puts it back.
      setSettings((current) => (current === null ? current : { ...current, values: { ...current.values, ...patch } }));
      api.call('settings.update', patch).then(setSettings, (caught: unknown) => {
        fail(caught);
        api.call('settings.get', {}).then(setSettings, fail);
      });
    },
    [api],
  );

  return { settings, status, models, error, update };
}
