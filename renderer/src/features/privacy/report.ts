/** The "no data left this machine" report: the egress log, summed up, as plain text for an auditor. */
import type { TFunction } from 'i18next';
import { BLOCKED_OUTCOMES, type EgressLogEntry } from '../../../../shared/privacy.ts';

export interface EgressSummary {
  attempts: number;
  allowed: number;
  blocked: number;
  /** Hosts a connection was allowed to, sorted. */
  hostsContacted: string[];
}

/** Attempts are the entries written before connecting (allowed or refused); endings are not counted again. */
export function summarize(entries: readonly EgressLogEntry[]): EgressSummary {
  const allowed = entries.filter((entry) => entry.outcome === 'allowed');
  const blocked = entries.filter((entry) => BLOCKED_OUTCOMES.includes(entry.outcome)).length;
  return {
    attempts: allowed.length + blocked,
    allowed: allowed.length,
    blocked,
    hostsContacted: [...new Set(allowed.map((entry) => entry.host))].sort(),
  };
}

export function buildReport(entries: readonly EgressLogEntry[], options: { offline: boolean; now: Date; t: TFunction }): string {
  const { t } = options;
  const summary = summarize(entries);
  const lines = [
    t('privacy.report.title'),
    t('privacy.report.generated', { time: options.now.toISOString() }),
    '',
    t('privacy.report.statement'),
    '',
    t('privacy.report.offline', { state: t(options.offline ? 'privacy.report.on' : 'privacy.report.off') }),
    t('privacy.report.counts', { attempts: summary.attempts, allowed: summary.allowed, blocked: summary.blocked }),
    summary.allowed === 0 ? t('privacy.report.noneLeft') : t('privacy.report.onlyDownloads', { hosts: summary.hostsContacted.join(', ') }),
    '',
    `${t('privacy.report.log')} (${entries.length})`,
    [t('privacy.column.time'), t('privacy.column.host'), t('privacy.column.purpose'), t('privacy.column.outcome'), t('privacy.column.url')].join('\t'),
    ...entries.map((entry) =>
      [entry.time, entry.host, t(`privacy.purpose.${entry.purpose}`), t(`privacy.outcome.${entry.outcome}`), entry.url + (entry.detail === undefined ? '' : ` (${entry.detail})`)].join('\t'),
    ),
  ];
  return `${lines.join('\n')}\n`;
}

export function reportFileName(now: Date): string {
  return `enclave-network-report-${now.toISOString().slice(0, 10)}.txt`;
}
