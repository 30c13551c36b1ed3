import { useTranslation } from 'react-i18next';
import type { AnswerOriginCount, EgressLogEntry } from '#shared/privacy.ts';
import { formatList } from '../../i18n/format.ts';
import { buildReport, reportFileName, summarize } from './report.ts';
import { usePrivacy } from './use-privacy.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { formatBytes } from '../../i18n/format.ts';
import './privacy.css';

/** Rows shown on the page, newest first; the exported report holds every entry. */
const SHOWN_ROWS = 500;

/** The Privacy page: the promise, the Offline switch, the network log and its export. */
export function PrivacyPage() {
  const { t, i18n } = useTranslation();
  const { settings, log, origins, error, refresh, setOffline } = usePrivacy();
  const offline = settings?.values.offline ?? false;
  const locked = settings?.locked.includes('offline') ?? false;
  const summary = summarize(log ?? []);

  function exportReport(): void {
    const now = new Date();
    const text = buildReport(log ?? [], { offline, now, t });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
    link.download = reportFileName(now);
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }

  return (
    <section className="privacy" aria-labelledby="privacy-title">
      <header className="privacy-header">
        <h1 id="privacy-title">{t('privacy.title')}</h1>
      </header>
      <div className="privacy-promise" data-testid="privacy-promise">
        <h2>{t('privacy.promiseTitle')}</h2>
        <p>{t('privacy.promise')}</p>
        <p>{t('privacy.promiseDownloads')}</p>
      </div>

      <AnswerOrigins origins={origins} />

      <div className="privacy-offline">
        <h2>{t('privacy.offlineTitle')}</h2>
        <label className="privacy-switch">
          <input type="checkbox" role="switch" checked={offline} disabled={settings === null || locked} onChange={(event) => setOffline(event.target.checked)} data-testid="offline-switch" />
          <span>{t('privacy.offlineLabel')}</span>
        </label>
        {locked && <p className="muted">{t('privacy.offlineLocked')}</p>}
      </div>

      <div className="privacy-log">
        <header className="privacy-log-header">
          <h2>{t('privacy.logTitle')}</h2>
          <button type="button" className="button button-quiet" onClick={refresh} data-testid="privacy-refresh">
            {t('privacy.refresh')}
          </button>
          <button type="button" className="button button-primary" onClick={exportReport} disabled={log === null} data-testid="privacy-export">
            {t('privacy.export')}
          </button>
        </header>
        <ErrorNote code={error} />
        <p className="muted" data-testid="privacy-summary">
          {t('privacy.summaryEntries', { count: summary.entries })}{' '}
          {formatList(i18n.language, [
            t('privacy.summaryAttempts', { count: summary.attempts, allowed: summary.allowed, blocked: summary.blocked }),
            t('privacy.summaryConnections', { count: summary.connections }),
            t('privacy.summaryEndings', { count: summary.endings }),
          ])}
          .
        </p>
        <p className="muted privacy-rotation">{t('privacy.rotationNote')}</p>
        {log !== null && log.length > SHOWN_ROWS && <p className="muted">{t('privacy.showingLast', { shown: SHOWN_ROWS, total: log.length })}</p>}
        {log !== null && log.length === 0 ? (
          <p className="muted" data-testid="privacy-log-empty">
            {t('privacy.logEmpty')}
          </p>
        ) : (
          <table className="privacy-table" data-testid="privacy-log">
            <thead>
              <tr>
                <th scope="col">{t('privacy.column.time')}</th>
                <th scope="col">{t('privacy.column.host')}</th>
                <th scope="col">{t('privacy.column.purpose')}</th>
                <th scope="col">{t('privacy.column.outcome')}</th>
              </tr>
            </thead>
            <tbody>
              {(log ?? [])
                .slice(-SHOWN_ROWS)
                .reverse()
                .map((entry, index) => (
                  <LogRow key={`${entry.time}-${index}`} entry={entry} language={i18n.language} />
                ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}

/** Where the conversations' answers were computed: this computer, and each server that computed some. */
function AnswerOrigins({ origins }: { origins: AnswerOriginCount[] | null }) {
  const { t } = useTranslation();
  if (origins === null) return null;
  return (
    <div className="privacy-origins" data-testid="privacy-origins">
      <h2>{t('privacy.originsTitle')}</h2>
      {origins.length === 0 ? (
        <p className="muted">{t('privacy.originsEmpty')}</p>
      ) : (
        <>
          <p>{t('privacy.originsIntro')}</p>
          <ul>
            {origins.map((origin) => (
              <li key={origin.where === 'local' ? 'local' : origin.baseUrl} data-testid="privacy-origin" data-where={origin.where}>
                {origin.where === 'local' ? t('privacy.originLocal', { count: origin.answers }) : t('privacy.originServer', { count: origin.answers, server: origin.server, baseUrl: origin.baseUrl })}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function LogRow({ entry, language }: { entry: EgressLogEntry; language: string }) {
  const { t } = useTranslation();
  return (
    <tr data-outcome={entry.outcome}>
      <td>
        <time dateTime={entry.time}>{new Date(entry.time).toLocaleString(language)}</time>
      </td>
      <td title={entry.url}>{entry.host}</td>
      <td>
        {t(`privacy.purpose.${entry.purpose}`)}
        {entry.model !== undefined && <span className="muted"> · {entry.model}</span>}
      </td>
      <td className={`privacy-outcome privacy-outcome-${entry.outcome}`}>
        {t(`privacy.outcome.${entry.outcome}`)}
        {entry.detail !== undefined && <span className="muted"> ({entry.detail})</span>}
        {entry.bytesSent !== undefined && entry.bytesReceived !== undefined && (
          <span className="muted" data-testid="privacy-traffic">
            {' '}
            ({t('privacy.traffic', { sent: formatBytes(language, entry.bytesSent), received: formatBytes(language, entry.bytesReceived) })})
          </span>
        )}
      </td>
    </tr>
  );
}
