/** The "no data left this machine" report: the egress log, summed up, as plain text for an auditor. */
import type { TFunction } from 'i18next';
import { BLOCKED_OUTCOMES, type EgressLogEntry } from '#shared/privacy.ts';

export interface EgressSummary {
  /** Every entry of the log: attempts + sockets they opened + endings. */
  entries: number;
  attempts: number;
  allowed: number;
  blocked: number;
  /** Sockets the connection-level gate allowed, each belonging to an attempt already counted. */
  connections: number;
  /** How attempts ended: completed, failed or cancelled. */
  endings: number;
  /** Hosts a connection was allowed to, sorted. */
  hostsContacted: string[];
}

/**
 * Each attempt counted once. A request (level 'request', or no level in older logs) is one
 * attempt, allowed or refused. A socket the connection-level gate refused is one more (a redirect
 * to a host that is not allowed, code that never asked); a socket it allowed belongs to a request
 * already counted. Endings (completed, failed, cancelled) are not attempts. The hosts contacted are
 * every host a request or a socket was allowed to (a CDN a download was redirected to included).
 */
export function summarize(entries: readonly EgressLogEntry[]): EgressSummary {
  let allowed = 0;
  let blocked = 0;
  let connections = 0;
  const hosts = new Set<string>();
  for (const entry of entries) {
    if (BLOCKED_OUTCOMES.includes(entry.outcome)) blocked++;
    else if (entry.outcome === 'allowed') {
      hosts.add(entry.host);
      if (entry.level === 'connection') connections++;
      else allowed++;
    }
  }
  const attempts = allowed + blocked;
  return { entries: entries.length, attempts, allowed, blocked, connections, endings: entries.length - attempts - connections, hostsContacted: [...hosts].sort() };
}

/**
 * The log as read, followed by the entries pushed since that are not in it yet (an entry pushed
 * while the log was being read is in both: same time and content).
 */
export function withPushed(read: EgressLogEntry[], pushed: readonly EgressLogEntry[]): EgressLogEntry[] {
  const first = pushed[0];
  if (first === undefined) return read;
  const known = new Set<string>();
  for (let index = read.length - 1; index >= 0 && (read[index]?.time ?? '') >= first.time; index--) known.add(JSON.stringify(read[index]));
  const fresh = pushed.filter((entry) => !known.has(JSON.stringify(entry)));
  return fresh.length === 0 ? read : [...read, ...fresh];
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
