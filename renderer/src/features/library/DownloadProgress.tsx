import { useTranslation } from 'react-i18next';
import type { DownloadJob } from '#shared/downloads.ts';
import { useApi } from '../../api/react.tsx';
import { ErrorExplanation } from '../../components/ErrorExplanation.tsx';
import { formatBytes, formatDuration } from '../../i18n/format.ts';
import { useActions } from '../../state/react.tsx';

const ACTIVE = new Set<DownloadJob['state']>(['queued', 'downloading', 'retrying', 'verifying']);

export function DownloadProgress({ job }: { job: DownloadJob }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const { showError } = useActions().error;
  const language = i18n.language;
  const act = (command: 'downloads.pause' | 'downloads.resume' | 'downloads.cancel'): void => {
    void api.call(command, { id: job.id }).catch(showError);
  };
  const percent = job.totalBytes > 0 ? Math.min(100, (job.downloadedBytes / job.totalBytes) * 100) : 0;
  const showBar = job.state !== 'done' && job.state !== 'cancelled';

  return (
    <div className="download" data-testid={`download-${job.id}`} data-state={job.state}>
      <div className="download-line">
        <span className={`download-state download-state-${job.state}`}>{t(`library.state.${job.state}`)}</span>
        {job.totalBytes > 0 && showBar && (
          <span className="muted download-bytes">
            {t('library.bytesOf', { done: formatBytes(language, job.downloadedBytes), total: formatBytes(language, job.totalBytes) })}
            {job.state === 'downloading' && job.bytesPerSecond > 0 && <> · {t('library.speed', { value: formatBytes(language, job.bytesPerSecond) })}</>}
            {job.state === 'downloading' && job.secondsLeft !== null && <> · {t('library.timeLeft', { value: formatDuration(language, job.secondsLeft * 1000) })}</>}
          </span>
        )}
      </div>
      {showBar && (
        <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(percent)} aria-label={t('library.progressLabel')}>
          <div className="progress-fill" style={{ width: `${percent}%` }} />
        </div>
      )}
      {job.state === 'retrying' && (
        <p className="muted download-note" data-testid="download-retrying" data-code={job.error?.code}>
          {job.error?.code === 'NETWORK_UNREACHABLE' ? t('library.retryingNoNetwork', { attempt: job.attempt }) : t('library.retrying', { attempt: job.attempt })}
        </p>
      )}
      {job.error !== null && job.state === 'failed' && (
        <div className="download-error" role="alert" data-code={job.error.code}>
          <ErrorExplanation error={job.error} />
        </div>
      )}
      <div className="download-actions">
        {(job.state === 'downloading' || job.state === 'retrying' || job.state === 'queued') && (
          <button type="button" className="button button-quiet" data-testid="download-pause" onClick={() => act('downloads.pause')}>
            {t('library.pause')}
          </button>
        )}
        {(job.state === 'paused' || job.state === 'failed') && job.error?.code !== 'CHECKSUM_MISMATCH' && (
          <button type="button" className="button button-quiet" data-testid="download-resume" onClick={() => act('downloads.resume')}>
            {t('library.resume')}
          </button>
        )}
        {(ACTIVE.has(job.state) || job.state === 'paused' || job.state === 'failed') && job.state !== 'verifying' && (
          <button type="button" className="button button-quiet" data-testid="download-cancel" onClick={() => act('downloads.cancel')}>
            {t('library.cancel')}
          </button>
        )}
      </div>
    </div>
  );
}
