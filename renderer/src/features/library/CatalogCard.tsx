import { memo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CatalogEntry } from '#shared/catalog.ts';
import type { DownloadJob } from '#shared/downloads.ts';
import type { CatalogFit, HardwareInfo } from '#shared/hardware.ts';
import type { SpeedCalibration } from '#shared/speed.ts';
import { useApi } from '../../api/react.tsx';
import { formatBytes, formatInteger, formatNumber, formatPercent } from '../../i18n/format.ts';
import { useActions } from '../../state/react.tsx';
import { jobForFile, type LibraryState } from '../../state/slices/library.ts';
import { SafeLink } from '../links/SafeLink.tsx';
import { countryName, frenchNote, languageName } from './catalog-text.ts';
import { DownloadProgress } from './DownloadProgress.tsx';
import { predictFileSpeed, roundRate } from './speed-prediction.ts';
import { uncheckedCause } from './unchecked-cause.ts';

export const CatalogCard = memo(function CatalogCard({
  model,
  downloads,
  installedFiles,
  fit,
  hardware,
  speed,
}: {
  model: CatalogEntry;
  /** This machine's fit for each quant, once checked. */
  fit: CatalogFit | undefined;
  hardware: HardwareInfo | null;
  /** This machine's speed calibration, for the predicted speed; null until measured. */
  speed: SpeedCalibration | null;
  downloads: LibraryState['downloads'];
  /** File names present and usable in the models folder. */
  installedFiles: ReadonlySet<string>;
}) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const { showError } = useActions().error;
  const [quant, setQuant] = useState(model.defaultQuant);
  const file = model.files.find((candidate) => candidate.quant === quant) ?? model.files[0];
  if (file === undefined) return null;
  const fileName = file.file.slice(file.file.lastIndexOf('/') + 1);
  const job: DownloadJob | undefined = jobForFile(downloads, file.file);
  const installed = installedFiles.has(fileName);
  const showJob = job !== undefined && job.state !== 'cancelled' && !(job.state === 'done' && installed);
  const language = i18n.language;
  const quantFit = fit?.quants.find((candidate) => candidate.quant === quant);
  const predicted = predictFileSpeed(speed, hardware, file, quantFit);

  return (
    <li className="catalog-card" data-testid={`catalog-${model.id}`}>
      <header className="catalog-card-header">
        <h3 className="catalog-name">{model.name}</h3>
        <span className="catalog-badges">
          {quantFit !== undefined && (
            <span
              className={`fit-badge fit-${quantFit.badge}`}
              data-testid="fit-badge"
              title={t('modelFit.needs', { memory: formatBytes(language, quantFit.ramBytes + quantFit.vramBytes), tokens: formatInteger(language, quantFit.contextSize) })}
            >
              {t(`modelFit.badge.${quantFit.badge}`)}
            </span>
          )}
          {model.kind !== undefined && model.kind !== 'chat' && (
            <span className="catalog-badge" data-testid="kind-badge">
              {t(`library.kind.${model.kind}`)}
            </span>
          )}
          {predicted !== null && (
            <span
              className="catalog-badge speed-badge"
              data-testid="speed-prediction"
              title={
                predicted.basis === 'cpu'
                  ? t('modelFit.speedOnCpu')
                  : predicted.basis === 'fit'
                    ? t('modelFit.speedOnGpuFit', { share: formatPercent(language, predicted.gpuShare) })
                    : t(predicted.gpuShare > 0 ? 'modelFit.speedOnGpuBySize' : 'modelFit.speedOnCpuBySize')
              }
            >
              {t('modelFit.speed', { count: roundRate(predicted.tokensPerSecond), rate: formatNumber(language, roundRate(predicted.tokensPerSecond)) })}
            </span>
          )}
          {model.reasoning && <span className="catalog-badge">{t('library.reasoning')}</span>}
          {installed && (
            <span className="catalog-badge catalog-badge-ok" data-testid="installed-badge">
              {t('library.installed')}
            </span>
          )}
        </span>
      </header>
      <p className="muted catalog-facts">
        {t('library.publisher', { publisher: model.publisher, country: countryName(language, model.country) })} ·{' '}
        {t('library.parameters', { value: new Intl.NumberFormat(language, { maximumFractionDigits: 2 }).format(model.parametersB) })} ·{' '}
        {t('library.context', { value: formatInteger(language, model.contextLength) })}
      </p>
      <p className="catalog-french">
        <span className="muted">{t('library.french')}</span> {frenchNote(model, language)}
      </p>
      <p className="muted catalog-facts">
        {t('library.languages', { value: new Intl.ListFormat(language, { type: 'unit' }).format(model.languages.map((code) => languageName(language, code))) })} ·{' '}
        <SafeLink href={model.license.url}>{model.license.name}</SafeLink>
      </p>
      {model.unverified === true && (
        <p className="muted catalog-unverified" data-testid="catalog-unverified">
          {t('library.unverifiedNames')}
        </p>
      )}
      <div className="catalog-download">
        <label className="catalog-quant">
          <span className="visually-hidden">{t('library.quant')}</span>
          <select value={quant} onChange={(event) => setQuant(event.target.value)} data-testid="quant-select">
            {model.files.map((candidate) => (
              <option key={candidate.quant} value={candidate.quant}>
                {t('library.quantOption', { quant: candidate.quant, size: formatBytes(language, candidate.sizeBytes) })}
                {fit?.quants.find((scored) => scored.quant === candidate.quant)?.recommended === true ? ` · ${t('modelFit.recommendedQuant')}` : ''}
              </option>
            ))}
          </select>
        </label>
        {!showJob && !installed && (
          <button type="button" className="button button-primary" data-testid="download-start" onClick={() => void api.call('downloads.start', { catalogId: model.id, quant }).catch(showError)}>
            {t('library.download')}
          </button>
        )}
      </div>
      {quantFit !== undefined && (
        <p className="muted catalog-facts" data-testid="fit-needs">
          {t('modelFit.needs', { memory: formatBytes(language, quantFit.ramBytes + quantFit.vramBytes), tokens: formatInteger(language, quantFit.contextSize) })}
        </p>
      )}
      {fit !== undefined && fit.error !== null && (
        <p className="muted catalog-facts" data-testid="fit-unchecked-card" data-code={fit.error.code}>
          {t('modelFit.uncheckedModel', { cause: t(`modelFit.cause.${uncheckedCause(fit.error.code)}`), size: formatBytes(language, file.sizeBytes) })}
          {hardware !== null && <> {t('modelFit.freeMemory', { free: formatBytes(language, hardware.freeRamBytes + hardware.freeVramBytes) })}</>}
        </p>
      )}
      {showJob && <DownloadProgress job={job} />}
    </li>
  );
});
