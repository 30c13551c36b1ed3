import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ErrorCode } from '#shared/errors.ts';
import type { AnswerOriginCount, EgressLogEntry } from '#shared/privacy.ts';
import type { SettingsView } from '#shared/settings.ts';
import { toEnclaveError } from '../../api/errors.ts';
import { useApi } from '../../api/react.tsx';
import { useActions, useAppSelector } from '../../state/react.tsx';
import { withPushed } from './report.ts';

export interface PrivacyState {
  settings: SettingsView | null;
  log: EgressLogEntry[] | null;
  /** Where the conversations' answers were computed, as counted when the page opened or was refreshed. */
  origins: AnswerOriginCount[] | null;
  error: ErrorCode | null;
  refresh(): void;
  setOffline(offline: boolean): void;
}

/**
 * The Privacy page's data: the settings (for Offline), where answers were computed, and the egress
 * log, read once and then kept current by the host's `privacy.egress` events (one per new entry),
 * never read again whole.
 */
export function usePrivacy(): PrivacyState {
  const api = useApi();
  const settings = useAppSelector((s) => s.settings.view);
  const { load: loadSettings, update } = useActions().settings;
  /** The log as last read whole, and the entries pushed since the page opened. */
  const [read, setRead] = useState<EgressLogEntry[] | null>(null);
  const [pushed, setPushed] = useState<EgressLogEntry[]>([]);
  const [origins, setOrigins] = useState<AnswerOriginCount[] | null>(null);
  const [error, setError] = useState<ErrorCode | null>(null);
  const fail = (caught: unknown): void => setError(toEnclaveError(caught).code);
  const log = useMemo(() => (read === null ? null : withPushed(read, pushed)), [read, pushed]);

  const load = useCallback(() => {
    loadSettings().catch(fail);
    api.call('privacy.egressLog', {}).then(setRead, fail);
    api.call('privacy.answerOrigins', {}).then(setOrigins, fail);
  }, [api, loadSettings]);

  const refresh = useCallback(() => {
    setError(null);
    load();
  }, [load]);

  useEffect(() => {
    // Subscribed before the first read: an entry written meanwhile is kept, and not shown twice.
    const offEntries = api.on('privacy.egress', (entry) => setPushed((current) => [...current, entry]));
    load();
    return offEntries;
  }, [api, load]);

  const setOffline = useCallback(
    (offline: boolean) => {
      setError(null);
      update({ offline }, { showAtOnce: true }).catch(fail);
    },
    [update],
  );

  return { settings, log, origins, error, refresh, setOffline };
}
