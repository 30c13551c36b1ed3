import { useCallback, useEffect, useState } from 'react';
import type { ApiStatus } from '#shared/api.ts';
import type { ErrorCode } from '#shared/errors.ts';
import type { ModelInfo } from '#shared/models.ts';
import type { SettingsPatch, SettingsView } from '#shared/settings.ts';
import { toEnclaveError } from '../../api/errors.ts';
import { useApi } from '../../api/react.tsx';
import { useActions, useAppSelector } from '../../state/react.tsx';

export interface LocalApiState {
  settings: SettingsView | null;
  status: ApiStatus | null;
  models: readonly ModelInfo[];
  error: ErrorCode | null;
  update(patch: SettingsPatch): void;
}

/** The Local API page's data: its settings, the server's live status, and the models it offers. */
export function useLocalApi(): LocalApiState {
  const api = useApi();
  const settings = useAppSelector((s) => s.settings.view);
  const models = useAppSelector((s) => s.models.list);
  const { load, update: save } = useActions().settings;
  const [status, setStatus] = useState<ApiStatus | null>(null);
  const [error, setError] = useState<ErrorCode | null>(null);
  const fail = (caught: unknown): void => setError(toEnclaveError(caught).code);

  useEffect(() => {
    load().catch(fail);
    api.call('api.status', {}).then(setStatus, fail);
    return api.on('api.status', setStatus);
  }, [api, load]);

  const update = useCallback(
    (patch: SettingsPatch) => {
      setError(null);
      save(patch, { showAtOnce: true }).catch(fail);
    },
    [save],
  );

  return { settings, status, models, error, update };
}
