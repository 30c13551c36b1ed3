import { useCallback, useEffect, useState } from 'react';
import type { ErrorCode } from '../../../../shared/errors.ts';
import type { EgressLogEntry } from '../../../../shared/privacy.ts';
import type { SettingsView } from '../../../../shared/settings.ts';
import { toEnclaveError } from '../../api/errors.ts';
import { useApi } from '../../api/react.tsx';

export interface PrivacyState {
  settings: SettingsView | null;
  log: EgressLogEntry[] | null;
  error: ErrorCode | null;
  refresh(): void;
  setOffline(offline: boolean): void;
}

/** The Privacy page's data: the settings (for Offline) and the egress log, kept fresh. */
export function usePrivacy(): PrivacyState {
  const api = useApi();
  const [settings, setSettings] = useState<SettingsView | null>(null);
  const [log, setLog] = useState<EgressLogEntry[] | null>(null);
  const [error, setError] = useState<ErrorCode | null>(null);
  const fail = (caught: unknown): void => setError(toEnclaveError(caught).code);

  const load = useCallback(() => {
    api.call('settings.get', {}).then(setSettings, fail);
    api.call('privacy.egressLog', {}).then(setLog, fail);
  }, [api]);

  const refresh = useCallback(() => {
    setError(null);
    load();
  }, [load]);

  useEffect(() => {
    load();
    const reloadLog = (): void => void api.call('privacy.egressLog', {}).then(setLog, fail);
    // Downloads report progress often: the log is read again at most once a second.
    let pending: ReturnType<typeof setTimeout> | null = null;
    const offSettings = api.on('settings.changed', (view) => {
      setSettings(view);
      reloadLog();
    });
    const offDownloads = api.on('downloads.progress', () => {
      pending ??= setTimeout(() => {
        pending = null;
        reloadLog();
      }, 1000);
    });
    return () => {
      offSettings();
      offDownloads();
      if (pending !== null) clearTimeout(pending);
    };
  }, [api, load]);

  const setOffline = useCallback(
    (offline: boolean) => {
      setError(null);
      // Shown at once; the host's answer (or settings.changed) confirms it, a refusal puts it back.
      setSettings((current) => (current === null ? current : { ...current, values: { ...current.values, offline } }));
      api.call('settings.update', { offline }).then(setSettings, (caught: unknown) => {
        fail(caught);
        api.call('settings.get', {}).then(setSettings, fail);
      });
    },
    [api],
  );

  return { settings, log, error, refresh, setOffline };
}
