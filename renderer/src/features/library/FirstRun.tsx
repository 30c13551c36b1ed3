import { useTranslation } from 'react-i18next';
import { hashFor } from '../../app/routes.ts';
import { useAppSelector } from '../../state/react.tsx';
import { DownloadProgress } from './DownloadProgress.tsx';
import { MachinePanel } from './MachinePanel.tsx';
import { useLibrary } from './use-library.ts';
import './library.css';

/**
 * What the chat shows while no model can answer: the hardware check and the one-click download
 * of the Models page, the downloads under way, and where else models come from. A finished
 * download refreshes the model list, and the chat then answers with that model.
 */
export function FirstRun() {
  const { t } = useTranslation();
  const library = useLibrary();
  const modelsDir = useAppSelector((s) => s.host.info?.modelsDir ?? null);
  const jobs = Object.values(library.downloads).filter((job) => job.state !== 'cancelled');
  return (
    <div className="first-run" data-testid="first-run">
      <MachinePanel library={library} firstRun={jobs.length === 0} />
      {jobs.length > 0 && (
        <section className="first-run-downloads" aria-label={t('firstRun.downloadsLabel')}>
          <p>{t('firstRun.downloading')}</p>
          {jobs.map((job) => (
            <DownloadProgress key={job.id} job={job} />
          ))}
        </section>
      )}
      <p className="muted">
        {t('firstRun.otherWays')}{' '}
        <a href={hashFor('models')} data-testid="first-run-catalog">
          {t('firstRun.catalogLink')}
        </a>
      </p>
      {modelsDir !== null && (
        <p className="folder">
          <span className="muted">{t('firstRun.folderLabel')}</span>
          <code data-testid="first-run-models-dir">{modelsDir}</code>
        </p>
      )}
    </div>
  );
}
