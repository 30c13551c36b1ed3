import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ReportLocale } from '#shared/compare.ts';
import type { AppInfo } from '#shared/app.ts';
import type { ErrorCode } from '#shared/errors.ts';
import { toEnclaveError } from '../../api/errors.ts';
import { useApi } from '../../api/react.tsx';
import { offerReport } from './report-file.ts';

/** HTML and CSV reports of these runs (every run when `runIds` is absent), the HTML one in the interface's language. */
export function ReportButtons({ runIds }: { runIds?: string[] }) {
  const { t, i18n } = useTranslation();
  const locale: ReportLocale = i18n.language === 'fr' ? 'fr' : 'en';
  const api = useApi();
  const [host, setHost] = useState<AppInfo['host']>('web');
  const [savedTo, setSavedTo] = useState<string | null>(null);
  const [error, setError] = useState<ErrorCode | null>(null);
  useEffect(() => {
    void api.call('app.info', {}).then(
      (info) => setHost(info.host),
      () => undefined,
    );
  }, [api]);

  function report(format: 'html' | 'csv'): void {
    setError(null);
    api.call('compare.report', { format, locale, ...(runIds !== undefined && { runIds }) }).then(
      (file) => {
        setSavedTo(file.savedTo);
        if (file.savedTo !== null) offerReport(file, host);
      },
      (caught: unknown) => setError(toEnclaveError(caught).code),
    );
  }

  return (
    <span className="compare-report">
      <button type="button" className="button button-quiet" onClick={() => report('html')} data-testid="report-html">
        {t('compare.reportHtml')}
      </button>
      <button type="button" className="button button-quiet" onClick={() => report('csv')} data-testid="report-csv">
        {t('compare.reportCsv')}
      </button>
      {savedTo !== null && (
        <span className="muted" data-testid="report-saved">
          {t('compare.reportSaved', { path: savedTo })}
        </span>
      )}
      {error !== null && <span role="alert">{t(`errors.${error}`)}</span>}
    </span>
  );
}
