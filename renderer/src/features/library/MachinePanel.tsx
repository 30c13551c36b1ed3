import { useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { CatalogEntry } from '#shared/catalog.ts';
import { recommendModel } from '#shared/hardware.ts';
import { useApi } from '../../api/react.tsx';
import { formatBytes, formatMessageTime, formatNumber } from '../../i18n/format.ts';
import { ErrorExplanation } from '../../components/ErrorExplanation.tsx';
import { useActions } from '../../state/react.tsx';
import type { LibraryState } from '../../state/slices/library.ts';

/**
 * This machine (RAM, VRAM, GPU backend), the check of which catalog models fit it, and on first
 * run the one model to start with. The check reads the models' GGUF headers from the model host,
 * so it runs only when the user asks (nothing leaves the machine unasked, first run included),
 * with its progress and a way to stop it.
 */
export function MachinePanel({ library, firstRun }: { library: LibraryState; firstRun: boolean }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const {
    error: { showError },
    library: { checkFit, cancelFit, loadSpeed, calibrate },
  } = useActions();
  // The speed calibration: read, and measured in the background on the first visit (predicted speeds).
  useEffect(() => {
    loadSpeed().catch(showError);
  }, [loadSpeed, showError]);
  const { speed, speedState } = library;
  const { catalog, hardware, fits, fitCheck } = library;
  const language = i18n.language;
  const checked = Object.keys(fits).length > 0;
  const recommendation = catalog === null ? null : recommendModel(catalog, fits, i18n.language);
  // A model the check could not read says nothing about the fit: its cause is shown instead of a verdict.
  const unchecked = Object.values(fits).find((fit) => fit.error !== null)?.error ?? null;
  const recommended: CatalogEntry | undefined = catalog?.find((model) => model.id === recommendation?.catalogId);
  const catalogIds = useMemo(() => catalog?.map((model) => model.id), [catalog]);
  const checkAll = (): void => void checkFit(catalogIds ?? []).catch(showError);

  return (
    <section className={`machine-panel${firstRun ? ' machine-panel-first-run' : ''}`} aria-labelledby="machine-title" data-testid="machine-panel">
      {firstRun && <h2 className="machine-welcome">{t('modelFit.welcome')}</h2>}
      <h3 id="machine-title" className="machine-title">
        {t('modelFit.machineTitle')}
      </h3>
      {hardware === null ? (
        <p className="muted">{t('modelFit.hardwareLoading')}</p>
      ) : (
        <p className="machine-facts" data-testid="machine-facts">
          {t('modelFit.ram', { total: formatBytes(language, hardware.totalRamBytes), free: formatBytes(language, hardware.freeRamBytes) })} ·{' '}
          {hardware.backend === 'cpu'
            ? t('modelFit.noGpu')
            : t('modelFit.gpu', { backend: hardware.backend, names: hardware.gpuNames.join(', '), vram: formatBytes(language, hardware.totalVramBytes) })}{' '}
          · {t('modelFit.cores', { count: hardware.cpuCores })}
        </p>
      )}
      <div className="machine-actions" data-testid="speed-calibration" data-state={speedState}>
        {speedState === 'measuring' ? (
          <span className="machine-note" role="status">
            {t('modelFit.speedMeasuring')}
          </span>
        ) : speed !== null ? (
          <>
            <span className="machine-note" data-testid="speed-facts">
              {t('modelFit.speedFacts', {
                bandwidth: formatNumber(language, Math.round(speed.cpu.bytesPerMs / 1e5) / 10),
                overhead: formatNumber(language, Math.round(speed.cpu.overheadMs * 10) / 10),
                count: speed.cpu.threads,
                date: formatMessageTime(language, Date.parse(speed.measuredAt), new Date()),
              })}
              {speed.gpu !== null && (
                <>
                  {' '}
                  {t('modelFit.speedGpuFacts', {
                    bandwidth: formatNumber(language, Math.round(speed.gpu.bytesPerMs / 1e5) / 10),
                    overhead: formatNumber(language, Math.round(speed.gpu.overheadMs * 10) / 10),
                  })}
                </>
              )}
            </span>
            <button type="button" className="button button-quiet" onClick={() => void calibrate().catch(showError)} data-testid="speed-recalibrate">
              {t('modelFit.speedAgain')}
            </button>
          </>
        ) : speedState === 'idle' ? (
          <button type="button" className="button button-quiet" onClick={() => void calibrate().catch(showError)} data-testid="speed-recalibrate">
            {t('modelFit.speedMeasure')}
          </button>
        ) : null}
      </div>
      {fitCheck === null ? (
        <div className="machine-actions">
          <button type="button" className={`button ${firstRun && !checked ? 'button-primary' : 'button-quiet'}`} onClick={checkAll} disabled={catalog === null} data-testid="check-fit">
            {checked ? t('modelFit.recheck') : t('modelFit.check')}
          </button>
          <span className="muted machine-note">{t('modelFit.checkNote')}</span>
        </div>
      ) : (
        <div className="machine-actions" role="status" data-testid="fit-progress">
          <progress max={fitCheck.total} value={fitCheck.done} aria-label={t('modelFit.progressLabel')} />
          <span className="machine-note">{t('modelFit.progress', { done: fitCheck.done, total: fitCheck.total })}</span>
          <button type="button" className="button button-quiet" onClick={cancelFit} data-testid="fit-cancel">
            {t('modelFit.cancel')}
          </button>
        </div>
      )}
      {recommendation !== null && recommended !== undefined && (
        <div className="machine-recommendation" data-testid="recommendation">
          <p>
            {t('modelFit.recommended', { name: recommended.name, quant: recommendation.quant })}{' '}
            <span className={`fit-badge fit-${recommendation.badge}`}>{t(`modelFit.badge.${recommendation.badge}`)}</span>
          </p>
          {firstRun && (
            <button
              type="button"
              className="button button-primary"
              data-testid="recommendation-download"
              onClick={() => void api.call('downloads.start', { catalogId: recommended.id, quant: recommendation.quant }).catch(showError)}
            >
              {t('modelFit.downloadRecommended', { name: recommended.name })}
            </button>
          )}
        </div>
      )}
      {fitCheck === null && recommendation === null && unchecked !== null && (
        <div className="machine-unchecked" role="status" data-testid="fit-unchecked" data-code={unchecked.code}>
          <ErrorExplanation error={unchecked} />
          <p className="muted">{t('modelFit.uncheckedTitle')}</p>
        </div>
      )}
      {checked && fitCheck === null && recommendation === null && unchecked === null && <p className="muted">{t('modelFit.nothingFits')}</p>}
    </section>
  );
}
