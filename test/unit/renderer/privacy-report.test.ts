import { describe, expect, it } from 'vitest';
import type { EgressLogEntry } from '#shared/privacy.ts';
import { createI18n } from '../../../renderer/src/i18n/resources.ts';
import { buildReport, reportFileName, summarize, withPushed } from '../../../renderer/src/features/privacy/report.ts';

const NOW = new Date('2026-03-04T05:06:07.000Z');
const entry = (outcome: EgressLogEntry['outcome'], host = 'huggingface.co'): EgressLogEntry => ({
  time: '2026-03-01T10:00:00.000Z',
  host,
  url: `https://${host}/Qwen/resolve/main/q.gguf`,
  purpose: 'model-download',
  outcome,
});

describe('the network report', () => {
  it('counts attempts once (not their endings) and lists the hosts contacted', () => {
    const log = [entry('allowed'), entry('completed'), entry('blocked-offline'), entry('allowed', 'cdn-lfs.hf.co'), entry('failed', 'cdn-lfs.hf.co'), entry('blocked-host', 'evil.example')];
    expect(summarize(log)).toEqual({ entries: 6, attempts: 4, allowed: 2, blocked: 2, connections: 0, endings: 2, hostsContacted: ['cdn-lfs.hf.co', 'huggingface.co'] });
  });

  it('counts a download once, not once for its request and again for each socket it opened', () => {
    const connection = (outcome: EgressLogEntry['outcome'], host: string): EgressLogEntry => ({ ...entry(outcome, host), level: 'connection' });
    const log = [
      { ...entry('allowed'), level: 'request' as const },
      connection('allowed', 'huggingface.co'),
      connection('allowed', 'cdn-lfs.hf.co'),
      connection('allowed', 'cdn-lfs.hf.co'),
      { ...entry('completed'), level: 'request' as const },
      // A bare fetch nobody authorized, refused at the socket: an attempt of its own.
      { ...connection('blocked-not-user-initiated', 'tracker.example'), purpose: 'unattributed' as const },
      // The desktop shell refused a request of the page.
      { ...entry('blocked-host', 'fonts.example.com'), purpose: 'renderer' as const, level: 'request' as const },
    ];
    expect(summarize(log)).toEqual({ entries: 7, attempts: 3, allowed: 1, blocked: 2, connections: 3, endings: 1, hostsContacted: ['cdn-lfs.hf.co', 'huggingface.co'] });
  });

  it('shows pushed entries after the read log, once each', () => {
    const at = (time: string, outcome: EgressLogEntry['outcome']): EgressLogEntry => ({ ...entry(outcome), time });
    const read = [at('2026-03-01T10:00:00.000Z', 'allowed'), at('2026-03-01T10:00:01.000Z', 'completed')];
    // Pushed while the log was being read: the second entry is in both.
    const pushed = [at('2026-03-01T10:00:01.000Z', 'completed'), at('2026-03-01T10:00:02.000Z', 'blocked-offline')];
    expect(withPushed(read, pushed).map((item) => item.outcome)).toEqual(['allowed', 'completed', 'blocked-offline']);
    expect(withPushed(read, [])).toBe(read);
    expect(withPushed([], pushed)).toEqual(pushed);
  });

  it('says plainly that no data left the machine when nothing was allowed, in English and French', () => {
    const log = [entry('blocked-offline'), entry('blocked-not-user-initiated')];
    const en = buildReport(log, { offline: true, now: NOW, t: createI18n('en').t });
    expect(en).toContain('Enclave network report');
    expect(en).toContain('Generated: 2026-03-04T05:06:07.000Z');
    expect(en).toContain('Offline mode: on');
    expect(en).toContain('Connection attempts logged: 2 (0 allowed, 2 refused).');
    expect(en).toContain('Result: no data left this machine. No connection was allowed.');
    expect(en).toContain('2026-03-01T10:00:00.000Z\thuggingface.co\tModel download\tRefused (offline)\thttps://huggingface.co/Qwen/resolve/main/q.gguf');
    const fr = buildReport(log, { offline: false, now: NOW, t: createI18n('fr').t });
    expect(fr).toContain('Mode hors ligne\u00a0: désactivé');
    expect(fr).toContain('Résultat\u00a0: aucune donnée n’a quitté cette machine.');
    expect(fr).toContain('Refusée (non lancée par vous)');
  });

  it('names the hosts when downloads were allowed', () => {
    const report = buildReport([entry('allowed'), { ...entry('completed'), detail: '397 MB' }], { offline: false, now: NOW, t: createI18n('en').t });
    expect(report).toContain('other than the model download requests listed below, to: huggingface.co.');
    expect(report).toContain('Completed\thttps://huggingface.co/Qwen/resolve/main/q.gguf (397 MB)');
    expect(reportFileName(NOW)).toBe('enclave-network-report-2026-03-04.txt');
  });
});
